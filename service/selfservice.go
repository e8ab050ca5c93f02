package service

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/idcheck"
	"github.com/anxin-insure/anxin/notify"
	"github.com/anxin-insure/anxin/store"
)

// Customer self-service: customers sign in with their mobile number and a
// one-time code sent by SMS, then see their own policies, keep their
// contact details current, change their mobile and withdraw consents.
//
// Which customer a mobile signs in as: nearly every mobile belongs to one
// customer. When several list the same number (a family sharing a phone,
// a duplicate record awaiting clean-up), it signs in as the one who lists
// it as their first (primary) mobile, and among several of those the
// earliest created; staff resolve the rest. Codes are sent only to numbers
// a customer lists, but every answer to a code request is the same whether
// or not the number is known, so the endpoint cannot be used to find out.

// Sign-in policy for customers.
const (
	CodeLength       = 6
	CodeLifetime     = 5 * time.Minute
	CodeLockAfter    = 5                // wrong codes in a row before a mobile is locked
	CodeLockDuration = 15 * time.Minute // how long it stays locked

	// CustomerIdleTimeout ends a session unused for this long; customers
	// sign in from shared and lost phones more often than staff do.
	CustomerIdleTimeout = 30 * time.Minute
	// CustomerSessionLifetime ends a session however active it is.
	CustomerSessionLifetime = 12 * time.Hour
	// customerTouchEvery is how precisely the idle timeout is tracked: a
	// session records its use at most this often.
	customerTouchEvery = time.Minute

	// Rate limits, shared by every node through the database.
	CodeResendAfter     = time.Minute // one code per mobile per minute…
	CodesPerHour        = 5           // …and at most five an hour
	CodesPerIPPerHour   = 20          // codes asked for from one address
	SignInsPerIPPerHour = 60          // code checks from one address
	// SelfChannel is the channel of everything customers do themselves.
	SelfChannel = "self_service"
)

var (
	codeLimits   = []store.RateLimit{{Max: 1, Window: CodeResendAfter}, {Max: CodesPerHour, Window: time.Hour}}
	codeIPLimits = []store.RateLimit{{Max: CodesPerIPPerHour, Window: time.Hour}}
	signInLimits = []store.RateLimit{{Max: SignInsPerIPPerHour, Window: time.Hour}}
)

// SMS texts. The brackets are the sender's signature that Chinese carriers
// require at the start of every message.
const (
	loginCodeText  = "【安心】您的登录验证码为 %s，5分钟内有效。请勿泄露给他人。"
	mobileCodeText = "【安心】您正在更换手机号，验证码为 %s，5分钟内有效。请勿泄露给他人。"
)

// SelfService is the customers' own use cases: the Service plus the SMS
// gateway that carries their codes.
type SelfService struct {
	svc     *Service
	sms     notify.SMS
	sending sync.WaitGroup
}

// NewSelfService wires self-service over svc, sending codes through sms.
func NewSelfService(svc *Service, sms notify.SMS) *SelfService {
	return &SelfService{svc: svc, sms: sms}
}

// Wait blocks until every SMS handed to the gateway so far has been sent
// or has failed: at shutdown, and in tests that read the outbox.
func (s *SelfService) Wait() { s.sending.Wait() }

// RetryLater is an ERateLimited error that knows when trying again can
// succeed; the HTTP layer sends that as Retry-After.
type RetryLater struct {
	Err   *anxin.Error
	After time.Duration
}

func (e *RetryLater) Error() string { return e.Err.Error() }
func (e *RetryLater) Unwrap() error { return e.Err }

// RetryAfter returns the wait an error asks for, in whole seconds rounded
// up (at least one), and whether it asks for one.
func RetryAfter(err error) (int, bool) {
	var rl *RetryLater
	if !errors.As(err, &rl) {
		return 0, false
	}
	secs := int((rl.After + time.Second - 1) / time.Second)
	return max(secs, 1), true
}

func tooManyCodes(wait time.Duration) error {
	secs, _ := RetryAfter(&RetryLater{After: wait})
	return &RetryLater{After: wait, Err: anxin.Errorz(anxin.ERateLimited,
		fmt.Sprintf("too many codes asked for; try again in %d seconds", secs),
		fmt.Sprintf("获取验证码过于频繁，请 %d 秒后再试", secs))}
}

func tooManySignIns(wait time.Duration) error {
	return &RetryLater{After: wait, Err: anxin.Errorz(anxin.ERateLimited,
		"too many sign-in attempts from this network; try again later", "当前网络登录尝试过于频繁，请稍后再试")}
}

func lockedOut(wait time.Duration) error {
	mins := int((wait + time.Minute - 1) / time.Minute)
	return &RetryLater{After: wait, Err: anxin.Errorz(anxin.ERateLimited,
		fmt.Sprintf("too many wrong codes; try again in %d minutes", mins),
		fmt.Sprintf("验证码错误次数过多，已暂时锁定，请 %d 分钟后再试", mins))}
}

func wrongCode() error {
	return anxin.Errorz(anxin.EUnauthorized, "the code is wrong or has expired; ask for a new one if needed", "验证码错误或已失效，请重新获取")
}

// CodeSent is the answer to a code request: the same whoever asked.
type CodeSent struct {
	ExpiresIn   time.Duration
	ResendAfter time.Duration
}

func codeSent() *CodeSent { return &CodeSent{ExpiresIn: CodeLifetime, ResendAfter: CodeResendAfter} }

// RequestLoginCode sends a sign-in code to mobile if a customer lists it.
// The answer does not depend on that: an unknown number is rate-limited,
// locked and answered exactly like a known one, and the SMS leaves in the
// background so that not even the time taken differs.
//
// Errors: EInvalid (not a mobile number), ERateLimited as *RetryLater.
func (s *SelfService) RequestLoginCode(ctx context.Context, mobile, ip string) (*CodeSent, error) {
	m, err := checkMobile("mobile", mobile)
	if err != nil {
		return nil, err
	}
	db := s.svc.DB
	var code string
	err = db.InTx(ctx, func(tx *store.Tx) error {
		code = ""
		if until, err := tx.SelfLockedUntil(ctx, loginSubject(db, m)); err != nil {
			return err
		} else if !until.IsZero() {
			return lockedOut(until.Sub(tx.Now))
		}
		wait, err := tx.TakeRate(ctx, store.RateRule{Bucket: "code:mobile:" + db.MobileIndex(m), Limits: codeLimits},
			store.RateRule{Bucket: "code:ip:" + ipKey(ip), Limits: codeIPLimits})
		if err != nil {
			return err
		} else if wait > 0 {
			return tooManyCodes(wait)
		}
		ids, err := db.CustomerIDsByMobile(ctx, tx, m)
		if err != nil || len(ids) == 0 {
			return err
		}
		var c *store.SelfCode
		code, c = newSelfCode(tx.Now, store.CodeLogin, "")
		return tx.CreateSelfCode(ctx, c, m)
	})
	if err != nil {
		return nil, err
	}
	if code != "" {
		s.deliver(ctx, m, fmt.Sprintf(loginCodeText, code), "login code")
	}
	return codeSent(), nil
}

// CustomerLogin is a new customer session.
type CustomerLogin struct {
	Token      string // the cookie value; only its hash is stored
	CSRFToken  string
	ExpiresAt  time.Time
	CustomerID string
}

// Login checks a sign-in code and opens a session. A wrong, expired, used
// or replaced code, or none at all, is the same EUnauthorized and counts
// against the mobile; the CodeLockAfter-th in a row locks it (ERateLimited
// as *RetryLater, audited). Errors: EInvalid, EUnauthorized, ERateLimited.
func (s *SelfService) Login(ctx context.Context, mobile, code, ip, userAgent string) (*CustomerLogin, error) {
	m, err := checkMobile("mobile", mobile)
	if err != nil {
		return nil, err
	}
	if code, err = checkCode(code); err != nil {
		return nil, err
	}
	db := s.svc.DB
	var res *CustomerLogin
	var answer error
	err = db.InTx(ctx, func(tx *store.Tx) error {
		res, answer = nil, nil
		wait, err := tx.TakeRate(ctx, store.RateRule{Bucket: "signin:ip:" + ipKey(ip), Limits: signInLimits})
		if err != nil {
			return err
		} else if wait > 0 {
			return tooManySignIns(wait)
		}
		subject := loginSubject(db, m)
		if until, err := tx.SelfLockedUntil(ctx, subject); err != nil {
			return err
		} else if !until.IsZero() {
			return lockedOut(until.Sub(tx.Now))
		}
		customerID, err := db.SignInCustomerID(ctx, tx, m)
		if err != nil && !isNotFound(err) {
			return err
		}
		who := CustomerActor(customerID)
		ok, err := s.useCode(ctx, tx, store.CodeLogin, m, "", code)
		if err != nil {
			return err
		}
		// A right code for a number no customer lists any more (removed
		// since the code was sent) signs nobody in.
		if !ok || customerID == "" {
			answer, err = s.countFailure(ctx, tx, who, subject, m, "sign_in_failed")
			return err
		}
		if err := tx.ClearSelfFailures(ctx, subject); err != nil {
			return err
		}
		if err := tx.DeleteCustomerSessionsExpired(ctx, customerID, CustomerIdleTimeout); err != nil {
			return err
		}
		token, hash := NewSecret()
		csrf, _ := NewSecret()
		sess := &store.CustomerSession{TokenHash: hash, CustomerID: customerID, CSRFToken: csrf, ExpiresAt: tx.Now.Add(CustomerSessionLifetime)}
		if err := tx.CreateCustomerSession(ctx, sess, ip, userAgent); err != nil {
			return err
		}
		r := AuditFor(who, "customer", customerID, "sign_in")
		r.Detail = "mobile " + anxin.Mask(anxin.FieldMobile, m)
		if err := record(ctx, tx, r); err != nil {
			return err
		}
		res = &CustomerLogin{Token: token, CSRFToken: csrf, ExpiresAt: sess.ExpiresAt, CustomerID: customerID}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if answer != nil {
		return nil, answer
	}
	s.svc.Log.InfoContext(ctx, "customer signed in", "customer_id", res.CustomerID)
	return res, nil
}

// useCode checks code against the live code of purpose for mobile and
// customerID and, when it matches, uses it up.
func (s *SelfService) useCode(ctx context.Context, tx *store.Tx, purpose, mobile, customerID, code string) (bool, error) {
	c, err := tx.LiveSelfCode(ctx, purpose, mobile, customerID)
	if isNotFound(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if !hmac.Equal([]byte(codeHash(c.ID, code)), []byte(c.CodeHash)) {
		return false, nil
	}
	return tx.UseSelfCode(ctx, c.ID)
}

// countFailure records a wrong code for subject in tx, audits it (and the
// lock it may cause) and returns the answer for the caller. The caller
// commits: the count must survive the refusal.
func (s *SelfService) countFailure(ctx context.Context, tx *store.Tx, who anxin.Actor, subject, mobile, action string) (answer, err error) {
	until, err := tx.RecordSelfFailure(ctx, subject, CodeLockAfter, CodeLockDuration)
	if err != nil {
		return nil, err
	}
	masked := anxin.Mask(anxin.FieldMobile, mobile)
	objectType, objectID := "customer", who.ID
	if who.ID == "" {
		// Nobody lists the number: the attempt is filed under the number,
		// masked, since there is no customer to file it under.
		objectType, objectID = "mobile", masked
	}
	r := AuditFor(who, objectType, objectID, action)
	r.Detail = "wrong or expired code for mobile " + masked
	if err := record(ctx, tx, r); err != nil {
		return nil, err
	}
	if until.IsZero() {
		s.svc.Log.InfoContext(ctx, "wrong one-time code", "mobile", masked, "action", action)
		return wrongCode(), nil
	}
	lock := AuditFor(who, objectType, objectID, "lock")
	lock.Detail = fmt.Sprintf("%d wrong codes in a row for mobile %s: locked until %s", CodeLockAfter, masked, until.Format(time.RFC3339))
	if err := record(ctx, tx, lock); err != nil {
		return nil, err
	}
	s.svc.Log.WarnContext(ctx, "mobile locked after wrong one-time codes", "mobile", masked, "action", action, "locked_for", CodeLockDuration.String())
	return lockedOut(until.Sub(tx.Now)), nil
}

// Logout ends the session whose cookie value is token.
func (s *SelfService) Logout(ctx context.Context, actor anxin.Actor, token string) error {
	return s.svc.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteCustomerSession(ctx, HashSecret(token)); err != nil {
			return err
		}
		if actor.Kind != "customer" || actor.ID == "" {
			return nil
		}
		return record(ctx, tx, AuditFor(actor, "customer", actor.ID, "sign_out"))
	})
}

// Authenticate resolves a customer session cookie to a principal whose
// actor is the customer (see CustomerActor).
func (s *SelfService) Authenticate(ctx context.Context, token string) (*Principal, error) {
	hash := HashSecret(token)
	now := s.svc.Now()
	sess, err := s.svc.DB.CustomerSessionByHash(ctx, hash, now, CustomerIdleTimeout)
	if err != nil {
		if isNotFound(err) {
			return nil, anxin.Errorz(anxin.EUnauthorized, "please sign in with your mobile number", "请先使用手机号登录")
		}
		return nil, err
	}
	if err := s.svc.DB.TouchCustomerSession(ctx, hash, now, customerTouchEvery); err != nil {
		// The session is valid; failing to extend it only shortens it.
		s.svc.Log.WarnContext(ctx, "record customer session use", "err", err)
	}
	return &Principal{Actor: CustomerActor(sess.CustomerID), CSRFToken: sess.CSRFToken}, nil
}

// CustomerActor is a customer acting on their own records through
// self-service. It has no role, so no staff permission check can pass for
// it.
func CustomerActor(customerID string) anxin.Actor {
	return anxin.Actor{Kind: "customer", ID: customerID, Channel: SelfChannel}
}

// customerOf returns the signed-in customer's id: only a customer acts on
// their own records here.
func customerOf(actor anxin.Actor) (string, error) {
	if actor.Kind != "customer" || actor.ID == "" {
		return "", anxin.Errorz(anxin.EUnauthorized, "please sign in with your mobile number", "请先使用手机号登录")
	}
	return actor.ID, nil
}

// SelfProfile is what customers see of their own record. Their contact
// details are theirs and shown in full; the ID number is masked, because a
// screen left open should not give it away and they know it anyway; the
// birth date is left out because it is the masked part of the ID number.
// Tier and VIP status are the insurer's internal segmentation.
type SelfProfile struct {
	ID       string             `json:"id"`
	Kind     anxin.CustomerKind `json:"kind"`
	Name     string             `json:"name"`
	IDType   anxin.IDType       `json:"id_type"`
	IDNumber string             `json:"id_number"`
	Mobiles  []string           `json:"mobiles"`
	Email    string             `json:"email"`
	Address  string             `json:"address"`
	Consents []ConsentState     `json:"consents"`
}

// ConsentState is where one purpose stands now: the latest record for it.
// A purpose never asked about is not granted and has no time; Withdrawn
// tells a consent given and taken back from one never given.
type ConsentState struct {
	Purpose   string    `json:"purpose"`
	Granted   bool      `json:"granted"`
	Withdrawn bool      `json:"withdrawn"`
	Channel   string    `json:"channel,omitempty"`
	At        time.Time `json:"at,omitzero"`
}

// SelfConsents is a customer's consents: the state of every purpose, and
// every record, oldest first.
type SelfConsents struct {
	Current []ConsentState  `json:"current"`
	History []anxin.Consent `json:"history"`
}

func profileOf(c *anxin.Customer) *SelfProfile {
	mobiles := c.Mobiles
	if mobiles == nil {
		mobiles = []string{}
	}
	return &SelfProfile{ID: c.ID, Kind: c.Kind, Name: c.Name, IDType: c.IDType, IDNumber: anxin.Mask(anxin.FieldIDNumber, c.IDNumber),
		Mobiles: mobiles, Email: c.Email, Address: c.Address, Consents: consentStates(c.Consents)}
}

// consentStates folds the history (oldest first) into one state per
// purpose, in the catalogue's order.
func consentStates(history []anxin.Consent) []ConsentState {
	latest := map[string]anxin.Consent{}
	everGranted := map[string]bool{}
	for _, cs := range history {
		latest[cs.Purpose] = cs
		everGranted[cs.Purpose] = everGranted[cs.Purpose] || cs.Granted
	}
	out := make([]ConsentState, len(anxin.ConsentPurposes))
	for i, p := range anxin.ConsentPurposes {
		out[i] = ConsentState{Purpose: p}
		if cs, ok := latest[p]; ok {
			out[i] = ConsentState{Purpose: p, Granted: cs.Granted, Withdrawn: !cs.Granted && everGranted[p], Channel: cs.Channel, At: cs.At}
		}
	}
	return out
}

// Profile returns the signed-in customer's own record.
func (s *SelfService) Profile(ctx context.Context, actor anxin.Actor) (*SelfProfile, error) {
	id, err := customerOf(actor)
	if err != nil {
		return nil, err
	}
	c, err := s.svc.DB.GetCustomer(ctx, nil, id)
	if err != nil {
		return nil, err
	}
	return profileOf(c), nil
}

// UpdateContact replaces the customer's email and address, validated as a
// staff update is. The version check is internal: the record is read and
// written in one transaction. Errors: EInvalid naming the field,
// EPrecondition if staff changed the record at that very moment.
func (s *SelfService) UpdateContact(ctx context.Context, actor anxin.Actor, email, address string) (*SelfProfile, error) {
	id, err := customerOf(actor)
	if err != nil {
		return nil, err
	}
	db := s.svc.DB
	var out *SelfProfile
	err = db.InTx(ctx, func(tx *store.Tx) error {
		c, err := db.GetCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		before := *c
		c.Email, c.Address = strings.TrimSpace(email), strings.TrimSpace(address)
		if err := onlyFields(c.Validate(tx.Now), "email", "address"); err != nil {
			return err
		}
		if c.Email == before.Email && c.Address == before.Address {
			out = profileOf(c)
			return nil
		}
		if err := tx.UpdateCustomer(ctx, c, c.Version); err != nil {
			return err
		}
		r := AuditFor(actor, "customer", id, "update")
		r.Changes = customerChanges(&before, c)
		if err := record(ctx, tx, r); err != nil {
			return err
		}
		out = profileOf(c)
		return nil
	})
	return out, err
}

// onlyFields keeps the problems of the named fields (and their
// sub-fields, such as mobiles[0]): a customer is answerable for what they
// change, not for an old record's other flaws, which staff put right.
func onlyFields(err error, fields ...string) error {
	var e *anxin.Error
	if !errors.As(err, &e) || e.Code != anxin.EInvalid {
		return err
	}
	var p anxin.Problems
	for _, f := range e.Fields {
		for _, name := range fields {
			if f.Field == name || strings.HasPrefix(f.Field, name+"[") {
				if f.Warning {
					p.Warn(f.Field, f.Reason, f.Message, f.MessageZH)
				} else {
					p.Add(f.Field, f.Reason, f.Message, f.MessageZH)
				}
			}
		}
	}
	return p.Err()
}

// RequestMobileCode sends a code to the number a signed-in customer wants
// as their new mobile: the change goes through only with a code that the
// new number received. Errors: EInvalid, ERateLimited as *RetryLater.
func (s *SelfService) RequestMobileCode(ctx context.Context, actor anxin.Actor, mobile, ip string) (*CodeSent, error) {
	id, err := customerOf(actor)
	if err != nil {
		return nil, err
	}
	m, err := checkMobile("mobile", mobile)
	if err != nil {
		return nil, err
	}
	db := s.svc.DB
	var code string
	err = db.InTx(ctx, func(tx *store.Tx) error {
		code = ""
		c, err := db.GetCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(c.Mobiles) > 0 && c.Mobiles[0] == m {
			return fieldError("mobile", "unchanged", "is already your mobile number", "已是您当前的手机号")
		}
		if until, err := tx.SelfLockedUntil(ctx, mobileSubject(id)); err != nil {
			return err
		} else if !until.IsZero() {
			return lockedOut(until.Sub(tx.Now))
		}
		// The new number's bucket is the one sign-in codes use: nobody can
		// flood a phone with codes by alternating the two ways to ask.
		wait, err := tx.TakeRate(ctx, store.RateRule{Bucket: "code:customer:" + id, Limits: codeLimits},
			store.RateRule{Bucket: "code:mobile:" + db.MobileIndex(m), Limits: codeLimits},
			store.RateRule{Bucket: "code:ip:" + ipKey(ip), Limits: codeIPLimits})
		if err != nil {
			return err
		} else if wait > 0 {
			return tooManyCodes(wait)
		}
		var sc *store.SelfCode
		code, sc = newSelfCode(tx.Now, store.CodeMobile, id)
		return tx.CreateSelfCode(ctx, sc, m)
	})
	if err != nil {
		return nil, err
	}
	s.deliver(ctx, m, fmt.Sprintf(mobileCodeText, code), "mobile change code")
	return codeSent(), nil
}

// ChangeMobile makes mobile the customer's first (primary) mobile if code
// is the one sent to it; the number it replaces is dropped, the others
// stay. Wrong codes count towards a lock as at sign-in. Errors: EInvalid,
// EUnauthorized (wrong code), ERateLimited, EPrecondition.
func (s *SelfService) ChangeMobile(ctx context.Context, actor anxin.Actor, mobile, code string) (*SelfProfile, error) {
	id, err := customerOf(actor)
	if err != nil {
		return nil, err
	}
	m, err := checkMobile("mobile", mobile)
	if err != nil {
		return nil, err
	}
	if code, err = checkCode(code); err != nil {
		return nil, err
	}
	db := s.svc.DB
	var out *SelfProfile
	var answer error
	err = db.InTx(ctx, func(tx *store.Tx) error {
		out, answer = nil, nil
		subject := mobileSubject(id)
		if until, err := tx.SelfLockedUntil(ctx, subject); err != nil {
			return err
		} else if !until.IsZero() {
			return lockedOut(until.Sub(tx.Now))
		}
		ok, err := s.useCode(ctx, tx, store.CodeMobile, m, id, code)
		if err != nil {
			return err
		}
		if !ok {
			answer, err = s.countFailure(ctx, tx, actor, subject, m, "change_mobile_failed")
			return err
		}
		if err := tx.ClearSelfFailures(ctx, subject); err != nil {
			return err
		}
		c, err := db.GetCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		before := *c
		mobiles := []string{m}
		for i, old := range c.Mobiles {
			if i > 0 && old != m {
				mobiles = append(mobiles, old)
			}
		}
		c.Mobiles = mobiles
		if err := onlyFields(c.Validate(tx.Now), "mobiles"); err != nil {
			return err
		}
		if err := tx.UpdateCustomer(ctx, c, c.Version); err != nil {
			return err
		}
		r := AuditFor(actor, "customer", id, "change_mobile")
		r.Changes = customerChanges(&before, c)
		if err := record(ctx, tx, r); err != nil {
			return err
		}
		out = profileOf(c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if answer != nil {
		return nil, answer
	}
	s.svc.Log.InfoContext(ctx, "customer changed their mobile", "customer_id", id, "mobile", anxin.Mask(anxin.FieldMobile, m))
	return out, nil
}

// Consents returns the customer's consents.
func (s *SelfService) Consents(ctx context.Context, actor anxin.Actor) (*SelfConsents, error) {
	id, err := customerOf(actor)
	if err != nil {
		return nil, err
	}
	c, err := s.svc.DB.GetCustomer(ctx, nil, id)
	if err != nil {
		return nil, err
	}
	return &SelfConsents{Current: consentStates(c.Consents), History: c.Consents}, nil
}

// ValidConsentPurpose reports whether purpose is in the catalogue.
func ValidConsentPurpose(purpose string) bool {
	for _, p := range anxin.ConsentPurposes {
		if p == purpose {
			return true
		}
	}
	return false
}

// WithdrawConsent records that the customer withdraws purpose (PIPL art.
// 15): a new record, granted=false, channel self_service, appended to the
// history. Any purpose may be withdrawn, service contact included; the
// insurer still sends what the law requires of it. Withdrawing what is not
// granted changes nothing. Errors: ENotFound for an unknown purpose.
func (s *SelfService) WithdrawConsent(ctx context.Context, actor anxin.Actor, purpose string) (*SelfConsents, error) {
	id, err := customerOf(actor)
	if err != nil {
		return nil, err
	}
	if !ValidConsentPurpose(purpose) {
		return nil, anxin.Errorz(anxin.ENotFound, "there is no such consent purpose", "没有该授权事项")
	}
	db := s.svc.DB
	var out *SelfConsents
	err = db.InTx(ctx, func(tx *store.Tx) error {
		c, err := db.GetCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, st := range consentStates(c.Consents) {
			if st.Purpose != purpose || !st.Granted {
				continue
			}
			cs := anxin.Consent{Purpose: purpose, Granted: false, Channel: SelfChannel}
			if err := tx.AddConsent(ctx, id, &cs); err != nil {
				return err
			}
			c.Consents = append(c.Consents, cs)
			r := AuditFor(actor, "customer", id, "withdraw_consent")
			r.Changes = map[string][2]any{"consents." + purpose: Change(true, false)}
			if err := record(ctx, tx, r); err != nil {
				return err
			}
		}
		out = &SelfConsents{Current: consentStates(c.Consents), History: c.Consents}
		return nil
	})
	return out, err
}

// CleanupSelfService deletes self-service rows nothing needs any more:
// old codes, rate-limit entries past the longest window, idle lock rows and
// ended customer sessions. The request paths tidy up per mobile and per
// customer as they go; this is for the periodic cleanup job, for what they
// leave behind (numbers that never come back).
func (s *Service) CleanupSelfService(ctx context.Context) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.PurgeSelfService(ctx, time.Hour, CustomerIdleTimeout)
		return err
	})
}

// deliver hands a message to the gateway in the background, so that the
// answer to the request neither waits for the gateway nor, by its timing,
// tells whether a message was sent at all. A failure is logged, masked;
// the customer asks again after CodeResendAfter.
func (s *SelfService) deliver(ctx context.Context, mobile, text, what string) {
	ctx = context.WithoutCancel(ctx)
	masked := anxin.Mask(anxin.FieldMobile, mobile)
	s.sending.Add(1)
	go func() {
		defer s.sending.Done()
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := s.sms.Send(ctx, mobile, text); err != nil {
			s.svc.Log.WarnContext(ctx, "sms not sent", "what", what, "mobile", masked, "err", err)
			return
		}
		s.svc.Log.InfoContext(ctx, "sms sent", "what", what, "mobile", masked)
	}()
}

// newSelfCode draws a code from crypto/rand and returns it with the row
// that stores its hash.
func newSelfCode(now time.Time, purpose, customerID string) (string, *store.SelfCode) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		// crypto/rand does not fail on supported platforms; a code from a
		// broken generator must never be sent.
		panic(err)
	}
	code := fmt.Sprintf("%0*d", CodeLength, n.Int64())
	id := anxin.NewID(now)
	return code, &store.SelfCode{ID: id, Purpose: purpose, CustomerID: customerID, CodeHash: codeHash(id, code), ExpiresAt: now.Add(CodeLifetime)}
}

// codeHash is HMAC-SHA256 of the code keyed by its row's id, so that equal
// codes never hash alike and no table of six-digit hashes applies.
func codeHash(id, code string) string {
	mac := hmac.New(sha256.New, []byte(id))
	mac.Write([]byte(code))
	return hex.EncodeToString(mac.Sum(nil))
}

// checkMobile validates a mobile number and returns its 11-digit form.
func checkMobile(field, mobile string) (string, error) {
	m, err := idcheck.Mobile(mobile)
	if err == nil {
		return m, nil
	}
	var e *idcheck.Error
	if errors.As(err, &e) {
		return "", fieldError(field, e.Reason, e.Message("en"), e.Message("zh"))
	}
	return "", fieldError(field, "format", "is not a mobile number", "手机号码格式不正确")
}

// checkCode accepts six digits, ignoring surrounding spaces. Anything else
// is a typo, answered without counting as a wrong code.
func checkCode(code string) (string, error) {
	code = strings.TrimSpace(code)
	if len(code) != CodeLength || strings.Trim(code, "0123456789") != "" {
		return "", fieldError("code", "format", fmt.Sprintf("must be the %d digits sent to you by SMS", CodeLength),
			fmt.Sprintf("请输入短信中的 %d 位数字验证码", CodeLength))
	}
	return code, nil
}

// loginSubject and mobileSubject name what wrong codes count against: the
// mobile being signed in with, or the customer changing their mobile (so a
// signed-in customer guessing codes for someone else's number cannot lock
// that person out of signing in).
func loginSubject(db *store.DB, mobile string) string { return "login:" + db.MobileIndex(mobile) }
func mobileSubject(customerID string) string          { return "mobile:" + customerID }

// ipKey names an address in rate-limit buckets without storing it.
func ipKey(ip string) string {
	sum := sha256.Sum256([]byte("anxin-rate-ip:" + ip))
	return hex.EncodeToString(sum[:16])
}

func isNotFound(err error) bool { return anxin.ErrorCode(err) == anxin.ENotFound }

// SelfPolicy is a policy as one of its parties sees it. The other party's
// name is masked; the payment details are the policyholder's and shown to
// the policyholder only, the bank account down to its last four digits;
// beneficiaries' ID numbers are masked, and their names too unless the
// customer is the policyholder who named them.
type SelfPolicy struct {
	Number           string                 `json:"number"`
	ProductCode      string                 `json:"product_code"`
	ProductName      string                 `json:"product_name"`
	ProductNameEN    string                 `json:"product_name_en,omitempty"`
	Line             anxin.Line             `json:"line,omitempty"`
	CoolingOffDays   int                    `json:"cooling_off_days,omitempty"`
	Roles            []string               `json:"roles"` // "policyholder", "insured"
	PolicyholderName string                 `json:"policyholder_name"`
	InsuredName      string                 `json:"insured_name"`
	Status           anxin.PolicyStatus     `json:"status"`
	UnderwritingDate anxin.Date             `json:"underwriting_date"`
	EffectiveDate    anxin.Date             `json:"effective_date"`
	ExpiryDate       anxin.Date             `json:"expiry_date,omitzero"`
	Premium          anxin.Fen              `json:"premium"`
	PaymentFrequency anxin.PaymentFrequency `json:"payment_frequency"`
	PaymentMethod    anxin.PaymentMethod    `json:"payment_method,omitempty"`
	BankName         string                 `json:"bank_name,omitempty"`
	BankAccount      string                 `json:"bank_account,omitempty"`
	NextPaymentDate  anxin.Date             `json:"next_payment_date,omitzero"`
	Coverages        []anxin.Coverage       `json:"coverages"`
	StatutoryHeirs   bool                   `json:"statutory_heirs"`
	Beneficiaries    []anxin.Beneficiary    `json:"beneficiaries"`
}

// selfMaxPolicies bounds one customer's list; a person has a handful.
const selfMaxPolicies = 1000

// Policies lists the policies the customer holds or is insured under.
func (s *SelfService) Policies(ctx context.Context, actor anxin.Actor) ([]*SelfPolicy, error) {
	id, err := customerOf(actor)
	if err != nil {
		return nil, err
	}
	db := s.svc.DB
	var all []*anxin.Policy
	f := anxin.PolicyFilter{CustomerID: id, Limit: 500}
	for len(all) < selfMaxPolicies {
		ps, err := db.FindPolicies(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
		if len(ps) < f.Limit {
			break
		}
		f.After = ps[len(ps)-1].ID
	}
	v, err := s.newPolicyView(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]*SelfPolicy, 0, len(all))
	for _, p := range all {
		sp, err := v.policy(ctx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

// Policy returns one of the customer's policies by number. A policy that
// exists but is not theirs is ENotFound, worded exactly like one that does
// not exist, so that numbers cannot be probed.
func (s *SelfService) Policy(ctx context.Context, actor anxin.Actor, number string) (*SelfPolicy, error) {
	id, err := customerOf(actor)
	if err != nil {
		return nil, err
	}
	notFound := anxin.Errorz(anxin.ENotFound, "policy not found", "未找到该保单")
	p, err := s.svc.DB.GetPolicyByNumber(ctx, nil, number)
	if isNotFound(err) {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	if p.PolicyholderID != id && p.InsuredID != id {
		return nil, notFound
	}
	v, err := s.newPolicyView(ctx, id)
	if err != nil {
		return nil, err
	}
	return v.policy(ctx, p)
}

// policyView turns policies into SelfPolicy for one customer, looking up
// products and other parties once each.
type policyView struct {
	db       *store.DB
	customer string
	products map[string]*anxin.Product
	names    map[string]string // party id → name as the customer may see it
}

func (s *SelfService) newPolicyView(ctx context.Context, customerID string) (*policyView, error) {
	products, err := s.svc.DB.Products(ctx, nil)
	if err != nil {
		return nil, err
	}
	v := &policyView{db: s.svc.DB, customer: customerID, products: map[string]*anxin.Product{}, names: map[string]string{}}
	for _, p := range products {
		v.products[p.Code] = p
	}
	return v, nil
}

func (v *policyView) name(ctx context.Context, id string) (string, error) {
	if n, ok := v.names[id]; ok {
		return n, nil
	}
	c, err := v.db.GetCustomer(ctx, nil, id)
	if isNotFound(err) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	n := c.Name
	if id != v.customer && c.Kind != anxin.Enterprise {
		n = anxin.MaskName(n)
	}
	v.names[id] = n
	return n, nil
}

func (v *policyView) policy(ctx context.Context, p *anxin.Policy) (*SelfPolicy, error) {
	sp := &SelfPolicy{Number: p.Number, ProductCode: p.ProductCode, ProductName: p.ProductCode, Roles: []string{}, Status: p.Status,
		UnderwritingDate: p.UnderwritingDate, EffectiveDate: p.EffectiveDate, ExpiryDate: p.ExpiryDate, Premium: p.Premium,
		PaymentFrequency: p.PaymentFrequency, Coverages: p.Coverages, StatutoryHeirs: p.StatutoryHeirs, Beneficiaries: []anxin.Beneficiary{}}
	if prod := v.products[p.ProductCode]; prod != nil {
		sp.ProductName, sp.ProductNameEN, sp.Line, sp.CoolingOffDays = prod.Name, prod.NameEN, prod.Line, prod.CoolingOffDays
	}
	if sp.Coverages == nil {
		sp.Coverages = []anxin.Coverage{}
	}
	holder := p.PolicyholderID == v.customer
	if holder {
		sp.Roles = append(sp.Roles, "policyholder")
		sp.PaymentMethod, sp.BankName, sp.NextPaymentDate = p.PaymentMethod, p.BankName, p.NextPaymentDate
		sp.BankAccount = anxin.Mask(anxin.FieldBankAccount, p.BankAccount)
	}
	if p.InsuredID == v.customer {
		sp.Roles = append(sp.Roles, "insured")
	}
	var err error
	if sp.PolicyholderName, err = v.name(ctx, p.PolicyholderID); err != nil {
		return nil, err
	}
	if sp.InsuredName, err = v.name(ctx, p.InsuredID); err != nil {
		return nil, err
	}
	for _, b := range p.Beneficiaries {
		// The policyholder named the beneficiaries; the insured learns
		// who they are (by relation and share) but not their full names.
		if !holder {
			b.Name = anxin.MaskName(b.Name)
		}
		b.IDNumber = anxin.Mask(anxin.FieldIDNumber, b.IDNumber)
		sp.Beneficiaries = append(sp.Beneficiaries, b)
	}
	return sp, nil
}
