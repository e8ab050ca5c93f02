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
	return s.DB.InTx(ctx, func(tx *store.Tx) error { return tx.CreateStaff(ctx, st, HashPassword(password)) })
}

// LoginResult is a new session.
type LoginResult struct {
	Token     string // the cookie value; only its hash is stored
	CSRFToken string
	ExpiresAt time.Time
	Staff     anxin.Staff
}

// Login checks a username and password and opens a session. Every failure
// answers the same EUnauthorized so that it reveals nothing; a locked
// account answers ERateLimited.
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (*LoginResult, error) {
	bad := anxin.Errorz(anxin.EUnauthorized, "wrong username or password", "用户名或密码错误")
	username = strings.ToLower(strings.TrimSpace(username))
	cred, err := s.DB.StaffByUsername(ctx, nil, username)
	if anxin.ErrorCode(err) == anxin.ENotFound {
		CheckPassword(dummyHash, password)
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	now := s.Now()
	if cred.LockedUntil.After(now) {
		return nil, anxin.Errorz(anxin.ERateLimited, "too many failed sign-ins; the account is locked for a while", "登录失败次数过多，账户已被临时锁定")
	}
	ok := cred.Active && CheckPassword(cred.PasswordHash, password)
	var res *LoginResult
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RecordLogin(ctx, cred.ID, ok, LockAfterFailures, LockDuration); err != nil {
			return err
		}
		if !ok {
			return nil
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

// Logout ends the session whose cookie value is token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, HashSecret(token)) })
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
		return tx.CreateAPIToken(ctx, &store.APIToken{Name: name, StaffID: st.ID}, hash)
	})
	return token, err
}
