package mailin

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func parseFile(t *testing.T, name string) *Inbound {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	in, err := Parse(bytes.NewReader(b), 0)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return in
}

// The seed messages are the kinds the intake meets every day.
func TestParseFiles(t *testing.T) {
	type att struct{ name, typ, prefix string }
	for _, tc := range []struct {
		file        string
		from, name  string
		to          []string
		subject     string
		text        string // Text must equal this
		id, replyTo string
		refs        []string
		atts        []att
		auto        bool
	}{{
		file: "plain-utf8.eml", from: "li.na@example.cn", name: "李娜",
		to: []string{"service@anxin.example"}, subject: "咨询退保",
		text: "您好：\n\n我的保单号是 P2026000123，想咨询退保事宜。\n谢谢！\n李娜",
		id:   "<20261125091500.1234@example.cn>",
	}, {
		file: "gbk-subject.eml", from: "wang.wei@example.com.cn", name: "王伟",
		to: []string{"claims@anxin.example"}, subject: "关于保单P2026000456的理赔进度",
		text: "您好，\n\n我上个月提交的理赔申请到现在还没有消息，请帮忙查一下。\n\n王伟\n",
		id:   "<gbk.5678@example.com.cn>",
	}, {
		file: "multipart-attachment.eml", from: "zhang.san@example.org", name: "Zhang San",
		to:      []string{"service@anxin.example", "claims@anxin.example", "agent@example.org"},
		subject: "Documents for claim", text: "请见附件：保单扫描件和事故照片。",
		id: "<mp.9999@example.org>",
		atts: []att{
			{"保单扫描.pdf", "application/pdf", "%PDF-1.4"},
			{"事故照片.png", "image/png", "\x00\x01\x02"},
		},
	}, {
		file: "reply-references.eml", from: "li.na@example.cn",
		to: []string{"service@anxin.example"}, subject: "回复：您的咨询已受理",
		text:    "好的，谢谢。\n\n> 您的咨询已受理，工单号 GD20261125000123。\n",
		id:      "<reply.1@example.cn>",
		replyTo: "<GD20261125000123.0123456789abcdef@anxin.local>",
		refs:    []string{"<20261125091500.1234@example.cn>", "<GD20261125000123.0123456789abcdef@anxin.local>"},
	}, {
		file: "big5-html.eml", from: "chen@example.com.tw", name: "陳小姐",
		to: []string{"service@anxin.example"}, subject: "保單查詢",
		text: "保單\n理賠 申請",
		id:   "<big5.1@example.com.tw>",
		atts: []att{{"申請書.txt", "text/plain", "\xa4\xba\xae\x65"}}, // as sent, in Big5
		auto: true,
	}} {
		t.Run(tc.file, func(t *testing.T) {
			in := parseFile(t, tc.file)
			for _, c := range []struct{ field, got, want string }{
				{"From", in.From, tc.from},
				{"FromName", in.FromName, tc.name},
				{"Subject", in.Subject, tc.subject},
				{"Text", in.Text, tc.text},
				{"MessageID", in.MessageID, tc.id},
				{"InReplyTo", in.InReplyTo, tc.replyTo},
			} {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if !slices.Equal(in.To, tc.to) {
				t.Errorf("To = %q, want %q", in.To, tc.to)
			}
			if !slices.Equal(in.References, tc.refs) {
				t.Errorf("References = %q, want %q", in.References, tc.refs)
			}
			if in.Auto != tc.auto {
				t.Errorf("Auto = %v, want %v", in.Auto, tc.auto)
			}
			if len(in.Attachments) != len(tc.atts) {
				t.Fatalf("%d attachments, want %d", len(in.Attachments), len(tc.atts))
			}
			for i, a := range in.Attachments {
				want := tc.atts[i]
				if a.Filename != want.name || a.ContentType != want.typ || !strings.HasPrefix(string(a.Data), want.prefix) {
					t.Errorf("attachment %d = %q %q %.10q, want %q %q %.10q", i, a.Filename, a.ContentType, a.Data, want.name, want.typ, want.prefix)
				}
			}
		})
	}
}

// Headers and parts that trip naive parsers.
func TestParseCases(t *testing.T) {
	gbk := func(s string) string { return string(mustGBK(s)) }
	for _, tc := range []struct {
		name string
		msg  string
		// what to check, by field
		subject, text, from, attName string
	}{
		{
			name:    "no Content-Type is plain text",
			msg:     "From: a@example.cn\r\nSubject: hi\r\n\r\nhello\r\n",
			subject: "hi", text: "hello\n", from: "a@example.cn",
		},
		{
			name:    "bare LF line ends",
			msg:     "From: a@example.cn\nSubject: hi\n\nline one\nline two\n",
			subject: "hi", text: "line one\nline two\n", from: "a@example.cn",
		},
		{
			name:    "raw 8-bit GBK subject and name, no charset",
			msg:     "From: " + gbk("客户") + " <c@example.cn>\r\nSubject: " + gbk("退保申请") + "\r\n\r\n" + gbk("正文") + "\r\n",
			subject: "退保申请", text: "正文\n", from: "c@example.cn",
		},
		{
			name:    "GB18030 four-byte character",
			msg:     "Subject: =?GB18030?B?" + b64(mustGB18030("𠮷野家")) + "?=\r\n\r\nx",
			subject: "𠮷野家", text: "x",
		},
		{
			name:    "encoded words split across lines and charsets",
			msg:     "Subject: =?UTF-8?B?5YWz5LqO?=\r\n =?GBK?B?" + b64(mustGBK("保单")) + "?= =?gb2312*zh?Q?" + qEncode(mustGBK("问题")) + "?=\r\n\r\nx",
			subject: "关于保单问题", text: "x",
		},
		{
			name:    "unknown charset keeps the text",
			msg:     "Subject: =?x-unknown?Q?hello?=\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\nbody",
			subject: "hello", text: "body",
		},
		{
			name:    "latin-1 via the WHATWG table",
			msg:     "Subject: =?iso-8859-1?Q?caf=E9?=\r\nContent-Type: text/plain; charset=windows-1252\r\n\r\ncaf\xe9",
			subject: "café", text: "café",
		},
		{
			name:    "broken quoted-printable survives",
			msg:     "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E4=BD=A0=E5=A5=BD =ZZ soft=\r\nbreak 100=\r\n",
			subject: "", text: "你好 =ZZ softbreak 100",
		},
		{
			name:    "base64 with junk and no padding",
			msg:     "Content-Transfer-Encoding: BASE64\r\n\r\n5L2g5aW9\r\n!!\r\n",
			subject: "", text: "你好",
		},
		{
			name:    "control characters leave the subject",
			msg:     "Subject: =?UTF-8?Q?a=0D=0AX-Evil:_1=00b?=\r\n\r\nx",
			subject: "a X-Evil: 1 b", text: "x",
		},
		{
			name:    "attachment name with a path, RFC 2047 in quotes",
			msg:     "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"=?UTF-8?B?" + b64([]byte("../../etc/保单.pdf")) + "?=\"\r\n\r\ndata\r\n--b--\r\n",
			attName: "保单.pdf",
		},
		{
			name:    "RFC 2231 continuation in GBK",
			msg:     "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*0*=gbk''" + pct(mustGBK("理赔")) + ";\r\n filename*1*=" + pct(mustGBK("申请")) + ";\r\n filename*2=.pdf\r\n\r\ndata\r\n--b--\r\n",
			attName: "理赔申请.pdf",
		},
		{
			name: "duplicate parameters do not lose the part",
			msg:  "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8; charset=gbk\r\n\r\n你好\r\n--b--\r\n",
			text: "你好",
		},
		{
			name: "HTML only, entities and a stray <",
			msg:  "Content-Type: text/html\r\n\r\n<!-- c --><p>1 &lt; 2 &amp;&amp; 3 < 4</p><p>Ok</p>",
			text: "1 < 2 && 3 < 4\nOk",
		},
		{
			name: "sloppy From still yields the address",
			msg:  "From: Li Na li.na@example.cn <li.na@example.cn\r\n\r\nx",
			from: "li.na@example.cn", text: "x",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := Parse(strings.NewReader(tc.msg), 0)
			if err != nil {
				t.Fatal(err)
			}
			if in.Subject != tc.subject {
				t.Errorf("Subject = %q, want %q", in.Subject, tc.subject)
			}
			if tc.text != "" && in.Text != tc.text {
				t.Errorf("Text = %q, want %q", in.Text, tc.text)
			}
			if tc.from != "" && in.From != tc.from {
				t.Errorf("From = %q, want %q", in.From, tc.from)
			}
			if tc.attName != "" && (len(in.Attachments) != 1 || in.Attachments[0].Filename != tc.attName) {
				t.Errorf("attachments %+v, want one named %q", in.Attachments, tc.attName)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	attachments := func(n int) string {
		var b strings.Builder
		b.WriteString("Content-Type: multipart/mixed; boundary=b\r\n\r\n")
		for i := range n {
			fmt.Fprintf(&b, "--b\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=p%d.jpg\r\n\r\nxx\r\n", i)
		}
		b.WriteString("--b--\r\n")
		return b.String()
	}
	var nested strings.Builder
	for i := range 20 {
		fmt.Fprintf(&nested, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	for _, tc := range []struct {
		name    string
		msg     string
		max     int64
		wantErr error
	}{
		{"at the limit", "Subject: x\r\n\r\n12345", 19, nil},
		{"over the limit", "Subject: x\r\n\r\n123456", 19, ErrTooLarge},
		{"ten attachments", attachments(10), 0, nil},
		{"eleven attachments", attachments(11), 0, ErrTooManyAttachments},
		{"multipart without boundary", "Content-Type: multipart/mixed\r\n\r\nx", 0, ErrMalformed},
		{"nested too deep", nested.String(), 0, ErrMalformed},
		{"header without a colon", "Subject x\r\n\r\nbody", 0, ErrMalformed},
	} {
		_, err := Parse(strings.NewReader(tc.msg), tc.max)
		if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "Subject") {
			t.Errorf("%s: error %q quotes the message", tc.name, err)
		}
	}
}

// Whatever arrives, Parse returns an error or a message, never panics,
// and what it returns is valid UTF-8 within the limits.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed messages: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("Content-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/html\r\n\r\n<scr<script>ipt>\r\n--x--"))
	f.Add([]byte("Content-Disposition: attachment; filename*0*=gbk''%C0%ED; filename*1*=%"))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := Parse(bytes.NewReader(b), 1<<20)
		if err != nil {
			return
		}
		for _, s := range append([]string{in.From, in.FromName, in.Subject, in.Text, in.MessageID, in.InReplyTo}, in.To...) {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
		}
		if strings.ContainsAny(in.Subject, "\r\n") {
			t.Fatalf("subject with a line break: %q", in.Subject)
		}
		if len(in.Attachments) > MaxAttachments {
			t.Fatalf("%d attachments", len(in.Attachments))
		}
		for _, a := range in.Attachments {
			if strings.ContainsAny(a.Filename, "/\\\x00") {
				t.Fatalf("file name %q", a.Filename)
			}
		}
		TicketNumber(in)
	})
}

func mustGBK(s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func mustGB18030(s string) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// qEncode writes every byte as =XX, which RFC 2047 Q encoding allows.
func qEncode(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "=%02X", c)
	}
	return s.String()
}

// pct writes every byte as %XX, as RFC 2231 values do.
func pct(b []byte) string {
	return strings.ReplaceAll(qEncode(b), "=", "%")
}
