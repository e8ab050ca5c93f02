package mailin

import (
	"regexp"
	"testing"
)

func TestTicketNumber(t *testing.T) {
	ours := "<GD20261125000123.0123456789abcdef@anxin.local>"
	for _, tc := range []struct {
		name string
		in   *Inbound
		want string
	}{
		{"nil", nil, ""},
		{"nothing", &Inbound{Subject: "咨询退保"}, ""},
		{"subject in brackets", &Inbound{Subject: "Re: [GD20261125000123] 关于保单…"}, "GD20261125000123"},
		{"subject among Chinese", &Inbound{Subject: "回复：工单GD20261125000123已受理"}, "GD20261125000123"},
		{"subject lower case", &Inbound{Subject: "re: gd20261125000123"}, "GD20261125000123"},
		{"subject at the very end", &Inbound{Subject: "GD20261125000123"}, "GD20261125000123"},
		{"subject first of two", &Inbound{Subject: "GD20261125000123 / GD20261126000001"}, "GD20261125000123"},
		{"15 digits is no number", &Inbound{Subject: "GD202611250001234"}, ""},
		{"13 digits is no number", &Inbound{Subject: "GD2026112500012"}, ""},
		{"inside a word", &Inbound{Subject: "XGD20261125000123"}, ""},
		{"followed by a letter", &Inbound{Subject: "GD20261125000123A"}, ""},
		{"not a date", &Inbound{Subject: "GD20261345000123"}, ""},
		{"subject wins over ids", &Inbound{Subject: "[GD20261126000001]", InReplyTo: ours}, "GD20261126000001"},
		{"In-Reply-To", &Inbound{Subject: "Re: 您的咨询", InReplyTo: ours}, "GD20261125000123"},
		{"References, newest first", &Inbound{References: []string{
			"<GD20261120000001.aaaaaaaaaaaaaaaa@anxin.local>", "<x@example.cn>", ours, "<y@example.cn>",
		}}, "GD20261125000123"},
		{"In-Reply-To before References", &Inbound{InReplyTo: "<GD20261120000001.aa@anxin.local>", References: []string{ours}}, "GD20261120000001"},
		{"someone else's id", &Inbound{InReplyTo: "<GD20261125000123.abc@example.cn>"}, ""},
		{"id without the dot", &Inbound{InReplyTo: "<GD20261125000123@anxin.local>"}, ""},
		{"id with a longer number", &Inbound{InReplyTo: "<GD202611250001234.ab@anxin.local>"}, ""},
	} {
		if got := TicketNumber(tc.in); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestMessageIDFor(t *testing.T) {
	id := MessageIDFor("GD20261125000123")
	if !regexp.MustCompile(`^<GD20261125000123\.[0-9a-f]{16}@anxin\.local>$`).MatchString(id) {
		t.Errorf("MessageIDFor = %q", id)
	}
	if id == MessageIDFor("GD20261125000123") {
		t.Error("two ids for the same ticket are equal")
	}
	if got := TicketNumber(&Inbound{InReplyTo: id}); got != "GD20261125000123" {
		t.Errorf("TicketNumber of a reply to %s = %q", id, got)
	}
}
