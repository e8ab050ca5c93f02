package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// Sign-in policy.
const (
	SessionLifetime   = 12 * time.Hour // one working shift and then some
	LockAfterFailures = 5
	LockDuration      = 15 * time.Minute
	MinPasswordLen    = 10
)

// StaffLoginIPLimits bound sign-in attempts from one address: a busy
// office behind one NAT stays well inside them; a guessing script does not.
var StaffLoginIPLimits = []store.RateLimit{{Max: 30, Window: time.Minute}, {Max: 300, Window: time.Hour}}

// argon2id parameters from OWASP: 19 MiB, 2 passes, 1 lane (~19 ms here).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword compares in constant time; the parameters come from the hash
// so that stronger ones can be introduced without invalidating old hashes.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked when the username is unknown, so that a wrong
// username and a wrong password take the same time.
var dummyHash = HashPassword("anxin: no such user")

// ValidatePassword applies the password policy.
func ValidatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return fieldError("password", "length", fmt.Sprintf("must be at least %d characters", MinPasswordLen), fmt.Sprintf("至少需要 %d 个字符", MinPasswordLen))
	}
	return nil
}

// NewSecret returns a 256-bit random token and the SHA-256 hex that is stored.
// High-entropy secrets need no slow hash.
func NewSecret() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashSecret(token)
}

// HashSecret is how session and API tokens are looked up.
func HashSecret(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateStaff adds a staff account.
func (s *Service) CreateStaff(ctx context.Context, actor anxin.Actor, st *anxin.Staff, password string) error {
	if err := authorize(actor, anxin.PermStaffWrite); err != nil {
		return err
	}
	var p anxin.Problems
	st.Username = strings.ToLower(strings.TrimSpace(st.Username))
	if st.Username == "" {
		p.Required("username")
	}
	if st.DisplayName == "" {
		p.Required("display_name")
	}
	if !anxin.ValidRole(st.Role) {
		p.Add("role", "enum", "is not a known role", "不是已知的角色")
	}
	if err := p.Err(); err != nil {
		return err
	}
	if err := ValidatePassword(password); err != nil {
		return err
	}
	st.Active = true
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateStaff(ctx, st, HashPassword(password)); err != nil {
			return err
		}
		r := AuditFor(actor, "staff", st.Username, "create")
		r.Changes = map[string][2]any{"role": Change(nil, string(st.Role))}
		return record(ctx, tx, r)
	})
}

// LoginResult is a new session.
type LoginResult struct {
	Token     string // the cookie value; only its hash is stored
	CSRFToken string
	ExpiresAt time.Time
	Staff     anxin.Staff
}

// Credentials are what a staff member signs in with.
type Credentials struct {
	Username, Password string
	TOTP               string // the authenticator code, for accounts with a second factor
	IP, UserAgent      string
}

// ErrTOTPRequired answers a correct password on an account with a second
// factor when no code came with it: the client asks for the code.
var ErrTOTPRequired = &anxin.Error{Code: anxin.EUnauthorized, Message: "enter the code from your authenticator app", MessageZH: "请输入身份验证器中的动态验证码",
	Fields: []anxin.FieldError{{Field: "totp", Reason: "required", Message: "is required for this account", MessageZH: "该账户须填写动态验证码"}}}

// Login checks a username and password (and the second factor where the
// account has one) and opens a session. Every failure answers the same
// EUnauthorized so that it reveals nothing; a locked account answers
// ERateLimited.
func (s *Service) Login(ctx context.Context, in Credentials) (*LoginResult, error) {
	username, password, ip, userAgent := in.Username, in.Password, in.IP, in.UserAgent
	bad := anxin.Errorz(anxin.EUnauthorized, "wrong username or password", "用户名或密码错误")
	username = strings.ToLower(strings.TrimSpace(username))
	if len(username) > 100 {
		username = username[:100]
	}
	who := anxin.Actor{Kind: "staff", Name: username, Channel: "console"}
	if ip != "" {
		// Per-address throttling, shared by every node through the
		// database: it slows password guessing across many accounts, which
		// per-account lockout alone does not.
		var wait time.Duration
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			var err error
			wait, err = tx.TakeRate(ctx, store.RateRule{Bucket: "staff_login_ip:" + ip, Limits: StaffLoginIPLimits})
			return err
		})
		if err != nil {
			return nil, err
		}
		if wait > 0 {
			slow := &anxin.Error{Code: anxin.ERateLimited, Message: fmt.Sprintf("too many sign-in attempts from this address; try again in %d seconds", int(wait.Seconds())+1),
				MessageZH: fmt.Sprintf("该地址登录尝试过于频繁，请 %d 秒后再试", int(wait.Seconds())+1)}
			return nil, s.auditSignIn(ctx, who, "sign_in_failed", "throttled: too many attempts from one address", slow)
		}
	}
	cred, err := s.DB.StaffByUsername(ctx, nil, username)
	if anxin.ErrorCode(err) == anxin.ENotFound {
		CheckPassword(dummyHash, password)
		return nil, s.auditSignIn(ctx, who, "sign_in_failed", "unknown username", bad)
	} else if err != nil {
		return nil, err
	}
	who.ID, who.Role = cred.ID, cred.Role
	now := s.Now()
	if cred.LockedUntil.After(now) {
		locked := anxin.Errorz(anxin.ERateLimited, "too many failed sign-ins; the account is locked for a while", "登录失败次数过多，账户已被临时锁定")
		return nil, s.auditSignIn(ctx, who, "sign_in_failed", "account locked", locked)
	}
	ok := cred.Active && CheckPassword(cred.PasswordHash, password)
	var totpStep int64
	if ok && cred.TOTPEnabled {
		if strings.TrimSpace(in.TOTP) == "" {
			// The password was right: asking for the code reveals nothing
			// a wrong guess could learn, and is not a failure.
			return nil, ErrTOTPRequired
		}
		var valid bool
		totpStep, valid = checkTOTP(cred.TOTPSecret, in.TOTP, now, cred.TOTPLastStep)
		ok = valid
	}
	var res *LoginResult
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RecordLogin(ctx, cred.ID, ok, LockAfterFailures, LockDuration); err != nil {
			return err
		}
		if !ok {
			r := AuditFor(who, "staff", cred.Username, "sign_in_failed")
			r.Detail = "wrong password"
			if !cred.Active {
				r.Detail = "account disabled"
			} else if cred.FailedLogins+1 >= LockAfterFailures {
				r.Detail = "wrong password; account locked"
			}
			return record(ctx, tx, r)
		}
		if totpStep > 0 {
			fresh, err := tx.UseTOTPStep(ctx, cred.ID, totpStep)
			if err != nil {
				return err
			}
			if !fresh {
				return anxin.Errorz(anxin.EUnauthorized, "this code was already used; wait for the next one", "该动态验证码已使用，请等待下一个")
			}
		}
		if err := record(ctx, tx, AuditFor(who, "staff", cred.Username, "sign_in")); err != nil {
			return err
		}
		token, hash := NewSecret()
		csrf, _ := NewSecret()
		sess := &store.Session{TokenHash: hash, StaffID: cred.ID, CSRFToken: csrf, ExpiresAt: tx.Now.Add(SessionLifetime)}
		if err := tx.CreateSession(ctx, sess, ip, userAgent); err != nil {
			return err
		}
		res = &LoginResult{Token: token, CSRFToken: csrf, ExpiresAt: sess.ExpiresAt, Staff: cred.Staff}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		s.Log.Info("sign-in failed", "staff_id", cred.ID)
		return nil, bad
	}
	s.Log.Info("signed in", "staff_id", cred.ID)
	return res, nil
}

// auditSignIn records a refused sign-in that touched no account row, and
// returns answer.
func (s *Service) auditSignIn(ctx context.Context, who anxin.Actor, action, detail string, answer error) error {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		r := AuditFor(who, "staff", who.Name, action)
		r.Detail = detail
		return record(ctx, tx, r)
	})
	if err != nil {
		return err
	}
	return answer
}

// Logout ends the session whose cookie value is token.
func (s *Service) Logout(ctx context.Context, actor anxin.Actor, token string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, HashSecret(token)); err != nil {
			return err
		}
		return record(ctx, tx, AuditFor(actor, "staff", actor.Name, "sign_out"))
	})
}

// RevokeSessions ends every session of a staff member (an administrator
// acting on a lost laptop or a departure). Errors: EForbidden, ENotFound.
func (s *Service) RevokeSessions(ctx context.Context, actor anxin.Actor, username string) (int64, error) {
	if err := authorize(actor, anxin.PermStaffWrite); err != nil {
		return 0, err
	}
	var n int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		st, err := s.DB.StaffByUsername(ctx, tx, strings.ToLower(username))
		if err != nil {
			return err
		}
		if n, err = tx.DeleteStaffSessions(ctx, st.ID); err != nil {
			return err
		}
		r := AuditFor(actor, "staff", st.Username, "revoke_sessions")
		r.Detail = fmt.Sprintf("%d sessions ended", n)
		return record(ctx, tx, r)
	})
	return n, err
}

// Principal is an authenticated caller.
type Principal struct {
	Actor     anxin.Actor
	Staff     anxin.Staff
	CSRFToken string // empty for bearer tokens, which need no CSRF check
}

// AuthenticateSession resolves a session cookie.
func (s *Service) AuthenticateSession(ctx context.Context, token string) (*Principal, error) {
	sess, st, err := s.DB.SessionByHash(ctx, HashSecret(token), s.Now())
	if err != nil || !st.Active {
		return nil, anxin.Errorz(anxin.EUnauthorized, "please sign in", "请先登录")
	}
	return &Principal{Actor: anxin.Actor{Kind: "staff", ID: st.ID, Name: st.Username, Role: st.Role, Channel: "console"}, Staff: st.Staff, CSRFToken: sess.CSRFToken}, nil
}

// AuthenticateToken resolves an API bearer token.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (*Principal, error) {
	t, st, err := s.DB.APITokenByHash(ctx, HashSecret(token))
	if err != nil || !st.Active {
		return nil, anxin.Errorz(anxin.EUnauthorized, "invalid API token", "API 令牌无效")
	}
	return &Principal{Actor: anxin.Actor{Kind: "token", ID: t.ID, Name: st.Username + "/" + t.Name, Role: st.Role, Channel: "api"}, Staff: st.Staff}, nil
}

// CreateAPIToken issues a bearer token acting as a staff account. The token
// is shown once; only its hash is kept.
func (s *Service) CreateAPIToken(ctx context.Context, actor anxin.Actor, username, name string) (token string, err error) {
	if err := authorize(actor, anxin.PermTokenWrite); err != nil {
		return "", err
	}
	if strings.TrimSpace(name) == "" {
		return "", fieldError("name", "required", "is required", "必填")
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		st, err := s.DB.StaffByUsername(ctx, tx, strings.ToLower(username))
		if err != nil {
			if anxin.ErrorCode(err) == anxin.ENotFound {
				return fieldError("username", "not_found", "is not a staff account", "不是已有的员工账户")
			}
			return err
		}
		var hash string
		token, hash = NewSecret()
		t := &store.APIToken{Name: name, StaffID: st.ID}
		if err := tx.CreateAPIToken(ctx, t, hash); err != nil {
			return err
		}
		r := AuditFor(actor, "api_token", t.ID, "create")
		r.Detail = name + " for " + st.Username
		return record(ctx, tx, r)
	})
	return token, err
}

// TOTPSetup is a new, not yet enabled second factor.
type TOTPSetup struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
}

// StartTOTP gives a staff member a new authenticator secret. It takes
// effect only when ConfirmTOTP sees a code from it, so a half-finished
// set-up never locks anyone out.
func (s *Service) StartTOTP(ctx context.Context, actor anxin.Actor) (*TOTPSetup, error) {
	if actor.Kind != "staff" {
		return nil, anxin.Errorz(anxin.EForbidden, "only a signed-in staff member can set up a second factor", "仅登录的员工可设置双因素认证")
	}
	secret := NewTOTPSecret()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		cred, err := s.DB.GetStaff(ctx, tx, actor.ID)
		if err != nil {
			return err
		}
		if cred.TOTPEnabled {
			return anxin.Errorz(anxin.EConflict, "a second factor is already in force; an administrator can reset it", "已启用双因素认证，如需重置请联系管理员")
		}
		if err := tx.SetTOTP(ctx, actor.ID, secret, false); err != nil {
			return err
		}
		return record(ctx, tx, AuditFor(actor, "staff", actor.Name, "totp_start"))
	})
	if err != nil {
		return nil, err
	}
	return &TOTPSetup{Secret: secret, URL: TOTPURL(secret, actor.Name)}, nil
}

// ConfirmTOTP turns the second factor on once a code from it checks.
func (s *Service) ConfirmTOTP(ctx context.Context, actor anxin.Actor, code string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		cred, err := s.DB.GetStaff(ctx, tx, actor.ID)
		if err != nil {
			return err
		}
		if cred.TOTPSecret == "" || cred.TOTPEnabled {
			return anxin.Errorz(anxin.EConflict, "start the set-up first", "请先开始设置双因素认证")
		}
		step, ok := checkTOTP(cred.TOTPSecret, code, s.Now(), 0)
		if !ok {
			return fieldError("code", "mismatch", "does not match; check the time on your phone", "验证码不正确，请检查手机时间")
		}
		if err := tx.SetTOTP(ctx, actor.ID, cred.TOTPSecret, true); err != nil {
			return err
		}
		if _, err := tx.UseTOTPStep(ctx, actor.ID, step); err != nil {
			return err
		}
		return record(ctx, tx, AuditFor(actor, "staff", actor.Name, "totp_enable"))
	})
}

// ResetTOTP removes a staff member's second factor (an administrator, for a
// lost phone).
func (s *Service) ResetTOTP(ctx context.Context, actor anxin.Actor, username string) error {
	if err := authorize(actor, anxin.PermStaffWrite); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		cred, err := s.DB.StaffByUsername(ctx, tx, strings.ToLower(username))
		if err != nil {
			return err
		}
		if err := tx.SetTOTP(ctx, cred.ID, "", false); err != nil {
			return err
		}
		return record(ctx, tx, AuditFor(actor, "staff", cred.Username, "totp_reset"))
	})
}
