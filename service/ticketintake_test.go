package service_test

import (
	"strings"
	"testing"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/mailin"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

func parseMail(t *testing.T, raw string) *mailin.Inbound {
	t.Helper()
	in, err := mailin.Parse(strings.NewReader(strings.ReplaceAll(raw, "\n", "\r\n")), 0)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// Email intake: a first mail opens a ticket on the email channel (and its
// SLA); a reply quoting the number joins it; a redelivery changes nothing;
// a stranger quoting someone's number gets a ticket of their own; an
// out-of-office reply never reopens a ticket.
func TestInboundEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTicketFixture(t, db)
		f.agent("a", "service", 5)
		first := parseMail(t, `From: 王小明 <xiaoming@example.cn>
To: service@anxin.test
Subject: =?UTF-8?B?5oiR55qE5L+d5Y2V5L2V5pe255Sf5pWI77yf?=
Message-ID: <first-1@example.cn>
Content-Type: text/plain; charset=UTF-8

您好，我上周投保的健康险何时生效？
`)
		tk, err := f.svc.InboundEmail(f.ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != anxin.ChannelEmail || tk.SLAPolicy != "email" || tk.Contact.Email != "xiaoming@example.cn" || tk.Subject != "我的保单何时生效？" || tk.OwnerID == "" {
			t.Fatalf("ticket from email: %+v", tk)
		}
		again, err := f.svc.InboundEmail(f.ctx, first)
		if err != nil || again.Number != tk.Number {
			t.Fatalf("redelivery made %v %v", again, err)
		}
		reply := parseMail(t, `From: xiaoming@example.cn
To: service@anxin.test
Subject: Re: [`+tk.Number+`] 我们已收到您的请求
Message-ID: <reply-1@example.cn>
In-Reply-To: `+mailin.MessageIDFor(tk.Number)+`
Content-Type: text/plain; charset=UTF-8

补充：保单号是 P2026001。
`)
		got, err := f.svc.InboundEmail(f.ctx, reply)
		if err != nil || got.Number != tk.Number {
			t.Fatalf("reply threaded into %v (%v)", got, err)
		}
		if _, err := f.svc.InboundEmail(f.ctx, reply); err != nil {
			t.Fatal(err)
		}
		if in := f.events(tk.Number, anxin.EventMessageIn); len(in) != 1 || !strings.Contains(in[0].Body, "P2026001") {
			t.Fatalf("messages in: %+v", in)
		}
		stranger := parseMail(t, `From: other@example.cn
Subject: [`+tk.Number+`] 我也有问题
Message-ID: <s-1@example.cn>

请问如何退保？
`)
		st, err := f.svc.InboundEmail(f.ctx, stranger)
		if err != nil || st.Number == tk.Number {
			t.Fatalf("a stranger wrote into someone else's ticket: %v %v", st, err)
		}
		// Resolve, then an auto-reply arrives: noted, not reopened.
		owner := anxin.Actor{Kind: "staff", ID: tk.OwnerID, Role: anxin.RoleCSR}
		for _, s := range []anxin.Stage{anxin.StageAcknowledged, anxin.StageResolved} {
			if _, err := f.svc.MoveTicket(f.ctx, owner, tk.Number, s, moveMsg("已答复")); err != nil {
				t.Fatal(err)
			}
		}
		auto := parseMail(t, `From: xiaoming@example.cn
Subject: =?UTF-8?B?6Ieq5Yqo5Zue5aSN?= [`+tk.Number+`]
Auto-Submitted: auto-replied
Message-ID: <auto-1@example.cn>

我正在休假。
`)
		if _, err := f.svc.InboundEmail(f.ctx, auto); err != nil {
			t.Fatal(err)
		}
		if got := f.get(tk.Number); got.Stage != anxin.StageResolved {
			t.Fatalf("an auto-reply moved the ticket to %s", got.Stage)
		}
		// A real reply after resolution reopens it.
		later := parseMail(t, `From: xiaoming@example.cn
Subject: Re: [`+tk.Number+`] 您的请求已办结
Message-ID: <reply-2@example.cn>

还是不明白，请再解释一下。
`)
		if _, err := f.svc.InboundEmail(f.ctx, later); err != nil {
			t.Fatal(err)
		}
		if got := f.get(tk.Number); got.Stage != anxin.StageReopened {
			t.Fatalf("a reply after resolution left the ticket %s", got.Stage)
		}
	})
}
