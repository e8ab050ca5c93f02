package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anxin-insure/anxin/store"
)

// TestSelfBrowser signs a customer in on a phone-sized Chromium, with the
// code read from the outbox, and checks that no page breaks the CSP or
// scrolls sideways.
func TestSelfBrowser(t *testing.T) {
	browser := consoleBrowser(t)
	e := newSelfEnvAt(t, store.SQLite, time.Now())
	ctx, cancel := context.WithTimeout(browser, 90*time.Second)
	defer cancel()
	dir := consoleScreenshotDir(t)
	base := e.f.srv.URL

	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	check := func(where string) {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp || []`))
		if err != nil {
			t.Fatal(err)
		}
		if len(v) > 0 {
			t.Errorf("%s: CSP violations: %q", where, v)
		}
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth + 1`))
		if err != nil {
			t.Fatal(err)
		}
		if !fits {
			t.Errorf("%s scrolls sideways on a phone", where)
		}
		consoleShoot(t, ctx, dir, "self-"+where)
	}

	run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	run("open my policies signed out",
		chromedp.Navigate(base+"/my"),
		chromedp.WaitVisible(chromedp.ID("mobile")),
	)
	check("login")
	run("ask for a code",
		chromedp.SendKeys(chromedp.ID("mobile"), holderMobile),
		chromedp.Click(chromedp.CSS(`form[action="/my/login/otp"] button`)),
		chromedp.WaitVisible(chromedp.ID("code")),
	)
	check("login-code")
	run("enter the code",
		chromedp.SendKeys(chromedp.ID("code"), e.code(holderMobile)),
		chromedp.Click(chromedp.CSS(`form[action="/my/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".self-list")),
	)
	if h1 := text("h1"); !strings.Contains(h1, "张伟") {
		t.Errorf("home heading %q", h1)
	}
	if list := text(".self-list"); !strings.Contains(list, e.f.health) || !strings.Contains(list, "安心百万医疗险") {
		t.Errorf("policy list %q", list)
	}
	check("home")
	run("open a policy",
		chromedp.Click(chromedp.CSS(`a[href="/my/policies/`+e.f.health+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(".self-coverages")),
	)
	check("policy")
	run("open the profile",
		chromedp.Navigate(base+"/my/profile"),
		chromedp.WaitVisible(chromedp.ID("email")),
	)
	check("profile")
	run("sign out",
		chromedp.Click(chromedp.CSS(`.self-logout button`)),
		chromedp.WaitVisible(chromedp.ID("mobile")),
	)
}
