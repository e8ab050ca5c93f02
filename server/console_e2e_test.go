package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/anxin-insure/anxin/store"
)

const consoleChromium = "/usr/bin/chromium"

// consoleBrowser starts a headless Chromium for one test. It skips the test
// when the browser is not installed, unless ANXIN_REQUIRE_ALL=1 demands
// every test run.
func consoleBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(consoleChromium); err != nil {
		if os.Getenv("ANXIN_REQUIRE_ALL") == "1" {
			t.Fatalf("ANXIN_REQUIRE_ALL=1 but %s is missing: install Debian's chromium", consoleChromium)
		}
		t.Skipf("%s is not installed", consoleChromium)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(consoleChromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Chinese staff run Chinese browsers; the console's default language
		// should then be what they see, whatever the host's locale.
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// The first Run starts the browser and must not carry a timeout, or the
	// timeout would end the browser with it.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// Record every Content-Security-Policy violation in the page, so the
	// test sees an inline script or style that the server let slip.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber));`,
	}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// consoleScreenshotDir is where screenshots go: the test's temporary
// directory, or ANXIN_SCREENSHOTS to keep them for a person to look at.
func consoleScreenshotDir(t *testing.T) string {
	if dir := os.Getenv("ANXIN_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

func TestConsoleBrowser(t *testing.T) {
	browser := consoleBrowser(t)
	f := consoleSetup(t, store.SQLite, nil)
	ctx, cancel := context.WithTimeout(browser, 90*time.Second)
	defer cancel()
	dir := consoleScreenshotDir(t)

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
	checkCSP := func(where string) {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp || []`))
		if err != nil {
			t.Fatal(err)
		}
		if len(v) > 0 {
			t.Errorf("%s: CSP violations: %q", where, v)
		}
	}

	// Signed out, the customer list sends the browser to sign in and back.
	run("open the console",
		chromedp.Navigate(f.srv.URL+"/customers"),
		chromedp.WaitVisible(chromedp.ID("username")),
	)
	checkCSP("sign-in page")
	run("sign in",
		chromedp.SendKeys(chromedp.ID("username"), consoleUser),
		chromedp.SendKeys(chromedp.ID("password"), consolePassword),
		chromedp.Click(chromedp.CSS(`.login-card button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("q")),
	)
	if who := text(".who-name"); who != "客服-李娜" {
		t.Errorf("signed-in user shown as %q", who)
	}

	// The live search: typing swaps the results in through htmx, with no
	// page load, and keeps the query in the address bar.
	run("search by name",
		chromedp.SendKeys(chromedp.ID("q"), "张伟"),
		chromedp.Poll[chromedp.Void](`document.querySelector("#results .resultline")?.textContent.includes("张伟")`, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if rows := text("#customer-table tbody"); !strings.Contains(rows, "张伟") || strings.Contains(rows, "王芳") {
		t.Errorf("search results: %q", rows)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/customers?q=") {
		t.Errorf("location after live search: %q %v", loc, err)
	}
	checkCSP("customer search")

	run("open the customer",
		chromedp.Click(chromedp.CSS(`#customer-table a[href="/customers/`+f.holder.ID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("policy-table")),
	)
	if h1 := text("h1"); !strings.Contains(h1, "张伟") {
		t.Errorf("customer page heading %q", h1)
	}
	run("open the policy",
		chromedp.Click(chromedp.CSS(`#policy-table a[href="/policies/`+f.health+`"]`)),
		chromedp.WaitVisible(chromedp.ID("coverage-table")),
	)
	if h1 := text("h1"); !strings.Contains(h1, f.health) {
		t.Errorf("policy page heading %q, want the number %s", h1, f.health)
	}
	if cov := text("#coverage-table"); !strings.Contains(cov, "医疗费用报销") || !strings.Contains(cov, "重大疾病保险") {
		t.Errorf("coverages shown: %q", cov)
	}
	checkCSP("policy page")
	consoleShoot(t, ctx, dir, "policy-flow")

	// The pages at a desktop and a phone width, for a person to look at
	// and for the test to check that nothing overflows sideways.
	pages := []struct{ name, path, ready string }{
		{"customers", "/customers", "#customer-table"},
		{"customer", "/customers/" + f.holder.ID, "#policy-table"},
		{"policy", "/policies/" + f.health, "#history-table"},
		{"calendar", "/calendar/2026?from=2026-09-30T10%3A00&days=3", "#deadline-due"},
		{"notfound", "/policies/P404", ".problem"},
	}
	for _, size := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"desktop", 1366, 900, false}, {"phone", 390, 844, true}} {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
		if size.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2))
		}
		run("emulate "+size.name, chromedp.EmulateViewport(size.width, size.height, opts...))
		for _, pg := range pages {
			run(pg.name, chromedp.Navigate(f.srv.URL+pg.path), chromedp.WaitVisible(chromedp.CSS(pg.ready)))
			checkCSP(pg.name)
			fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth + 1`))
			if err != nil {
				t.Fatal(err)
			}
			if !fits {
				t.Errorf("%s at %s width scrolls sideways", pg.name, size.name)
			}
			consoleShoot(t, ctx, dir, pg.name+"-"+size.name)
		}
	}
	run("sign out",
		chromedp.Click(chromedp.CSS(`form.logout button`)),
		chromedp.WaitVisible(chromedp.ID("username")),
	)
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(loc, "/login") {
		t.Errorf("after signing out: %q %v", loc, err)
	}
	checkCSP("sign-in page")
	consoleShoot(t, ctx, dir, "login-phone")
}

// consoleShoot saves a full-page PNG of the current page.
func consoleShoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
