package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/jobs"
	"github.com/anxin-insure/anxin/mailin/mailtest"
	"github.com/anxin-insure/anxin/notify"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// On the real clock and the real job runner: a new ticket's receipt email
// reaches a real SMTP server, and a warning fires at its instant (River
// promotes scheduled jobs only every few seconds, so the timer starts early
// and sleeps the rest of the way). Several runners on one PostgreSQL act on
// the point once.
func TestTicketJobsDeliverAndWarn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sink := mailtest.Start(t)
		svc := service.New(db, nil, nil)
		svc.Files = t.TempDir()
		svc.Notify = service.Notifiers{Mail: &notify.SMTP{Addr: sink.Addr(), StartTLS: notify.StartTLSOff}, MailFrom: "service@anxin.test"}
		if err := svc.SeedCalendar(ctx, 2025, 2026, 2027); err != nil && !strings.Contains(err.Error(), "2027") {
			t.Fatal(err)
		}
		admin := anxin.SystemActor("test")
		// One policy: respond within a minute, warn when 5% (3 s) has gone.
		err := svc.PutSLAPolicies(ctx, admin, []anxin.SLAPolicy{{Code: "fast", Name: "fast", Position: 1,
			FirstResponse: anxin.SLATarget{Minutes: 1}, Resolution: anxin.SLATarget{Minutes: 60}, WarnAtPercent: []int{5}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.PutTeam(ctx, admin, store.Team{Code: "service", Name: "客服组"}); err != nil {
			t.Fatal(err)
		}
		runners := 1
		if db.Engine == store.Postgres {
			runners = 3 // three nodes sharing one database
		}
		for range runners {
			r, err := jobs.New(svc, svc.Log, jobs.Options{PollInterval: 100 * time.Millisecond, CheckInterval: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer r.Stop(ctx)
		}
		tk := &anxin.Ticket{Type: anxin.TypeEnquiry, Channel: anxin.ChannelEmail, Subject: "保单查询", Contact: anxin.Contact{Email: "kehu@example.cn"}}
		if err := svc.CreateTicket(ctx, admin, tk, service.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		msg := sink.WaitFor(t, 30*time.Second, func(m mailtest.Message) bool { return m.Parsed != nil && strings.Contains(m.Parsed.Subject, tk.Number) })
		if msg.To[0] != "kehu@example.cn" || !strings.Contains(msg.Parsed.Text, tk.Number) {
			t.Fatalf("receipt: to %v, text %q", msg.To, msg.Parsed.Text)
		}
		var evs []store.SLAEvent
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if evs, err = db.SLAEvents(ctx, tk.ID); err != nil {
				t.Fatal(err)
			}
			if len(evs) > 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(evs) == 0 {
			t.Fatal("the 5% warning never fired")
		}
		t.Logf("%s: warning fired %v after its instant", db.Engine, evs[0].Lateness)
		time.Sleep(time.Second) // let any duplicate show itself
		evs, _ = db.SLAEvents(ctx, tk.ID)
		timeline, _ := svc.TicketTimeline(ctx, admin, tk.Number)
		warnings := 0
		for _, e := range timeline {
			if e.Kind == anxin.EventSLAWarning {
				warnings++
			}
		}
		if len(evs) != 1 || warnings != 1 {
			t.Fatalf("one warning expected: %d events, %d on the timeline", len(evs), warnings)
		}
	})
}
