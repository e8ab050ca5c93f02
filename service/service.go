// Package service holds anxin's use cases. Each one validates its input,
// checks the actor's permission, and makes its change in one transaction
// together with whatever jobs the change schedules. HTTP handlers, the
// command line and jobs all call these; none of them writes SQL.
package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/payment"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/vault"
)

// Service is the application. Its fields are its dependencies.
type Service struct {
	DB       *store.DB
	Log      *slog.Logger
	Calendar *CalendarCache
	// Now is the clock; tests move it. It is the same clock the store uses.
	Now func() time.Time
	// Keys is the key ring, for rotation; the store seals with it.
	Keys *vault.Keyring
	// Jobs schedules background work inside a change's transaction.
	Jobs JobInserter
	// Notify carries notices out: email, SMS, partners' webhooks.
	Notify Notifiers
	// Files is the directory attachments are stored under.
	Files string
	// PublicURL is where customers reach the self-service pages, for links
	// in notices.
	PublicURL string
	// Payments sends claim payouts (a bank-transfer batch file by default).
	Payments payment.Gateway

	config   *configCache
	claimCfg *claimConfigCache
}

// New wires a service over db.
func New(db *store.DB, log *slog.Logger, loc *time.Location) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{DB: db, Log: log, Now: func() time.Time { return db.Now() }}
	s.Calendar = newCalendarCache(db, loc)
	s.config = &configCache{db: db}
	s.claimCfg = &claimConfigCache{}
	if jobs, err := newInserter(db); err != nil {
		log.Error("job inserter", "err", err)
	} else {
		s.Jobs = jobs
	}
	return s
}

// authorize returns EForbidden unless the actor holds p.
func authorize(a anxin.Actor, p anxin.Permission) error {
	if a.Can(p) {
		return nil
	}
	return &anxin.Error{Code: anxin.EForbidden, Message: "you do not have permission " + string(p), MessageZH: "您没有执行此操作的权限（" + string(p) + "）"}
}

// actorLabel is how history records name who made a change.
func actorLabel(a anxin.Actor) string {
	if a.Name != "" {
		return a.Kind + ":" + a.Name
	}
	return a.Kind + ":" + a.ID
}

// Ready reports what /readyz checks: the database answers and the calendar
// covers this year and next.
func (s *Service) Ready(ctx context.Context) (dbOK bool, missingYears []int) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	dbOK = s.DB.Ping(ctx) == nil
	if cal, err := s.Calendar.Get(ctx); err == nil {
		missingYears = MissingCalendarYears(cal, s.Now())
	}
	return dbOK, missingYears
}
