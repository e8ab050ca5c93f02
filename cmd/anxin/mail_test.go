package main

import (
	"context"
	"encoding/json"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/mailin/mailtest"
)

// The binary's email path end to end: mail delivered to --smtp-addr
// becomes a routed ticket, and the receipt leaves through --mail-url to a
// real SMTP server, quoting the number a reply will thread by.
func TestEmailIntakeAndNotices(t *testing.T) {
	sink := mailtest.Start(t)
	m := startMain(t, true, "--data", t.TempDir(), "--smtp-addr", "127.0.0.1:0",
		"--mail-url", "smtp://"+sink.Addr()+"?starttls=off", "--mail-from", "service@anxin.test")
	msg := "From: 陈先生 <chen@example.cn>\r\nTo: service@anxin.test\r\nSubject: =?UTF-8?B?5aaC5L2V5Y+Y5pu05Y+X55uK5Lq677yf?=\r\n" +
		"Message-ID: <intake-1@example.cn>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n请问如何变更受益人？\r\n"
	if err := smtp.SendMail(m.SMTPAddress(), nil, "chen@example.cn", []string{"service@anxin.test"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	receipt := sink.WaitFor(t, 30*time.Second, func(x mailtest.Message) bool { return len(x.To) == 1 && x.To[0] == "chen@example.cn" })
	if receipt.Parsed == nil || !strings.Contains(receipt.Parsed.Subject, "GD") {
		t.Fatalf("receipt: %+v", receipt.Parsed)
	}
	number := receipt.Parsed.Subject[strings.Index(receipt.Parsed.Subject, "GD"):][:16]
	admin := signIn(t, m.URL(), "admin", "anxin-demo")
	res, body := admin.call("GET", m.URL()+"/api/v1/tickets/"+number, "", nil)
	var tk anxin.Ticket
	json.Unmarshal(body, &tk)
	if res.StatusCode != 200 || tk.Channel != anxin.ChannelEmail || tk.Subject != "如何变更受益人？" || tk.OwnerID == "" {
		t.Fatalf("ticket from mail: %d %s", res.StatusCode, body)
	}
	// The customer answers the receipt; it joins the same ticket.
	reply := "From: chen@example.cn\r\nTo: service@anxin.test\r\nSubject: Re: " + receipt.Parsed.Subject + "\r\n" +
		"Message-ID: <intake-2@example.cn>\r\nIn-Reply-To: " + receipt.Parsed.MessageID + "\r\n\r\nthe policy number is P1\r\n"
	if err := smtp.SendMail(m.SMTPAddress(), nil, "chen@example.cn", []string{"service@anxin.test"}, []byte(reply)); err != nil {
		t.Fatal(err)
	}
	evs, err := m.Service.TicketTimeline(context.Background(), anxin.SystemActor("test"), number)
	if err != nil {
		t.Fatal(err)
	}
	in := 0
	for _, e := range evs {
		if e.Kind == anxin.EventMessageIn && strings.Contains(e.Body, "P1") {
			in++
		}
	}
	if in != 1 {
		t.Fatalf("the reply was not threaded into %s: %+v", number, evs)
	}
}
