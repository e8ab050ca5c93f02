// Package server is anxin's HTTP face: the JSON API under /api/v1, the staff
// console, health and metrics. Every route is declared once in routes() with
// the permission it needs; one wrapper authenticates, authorises, limits the
// body, honours Idempotency-Key and turns errors into problem+json.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
)

// MaxBodyBytes bounds a request body unless a route sets its own limit.
const MaxBodyBytes = 1 << 20

// Server serves HTTP for one node.
type Server struct {
	svc     *service.Service
	log     *slog.Logger
	mux     *http.ServeMux
	metrics *metrics
	routes  []Route
	// SecureCookies marks cookies Secure; set when serving TLS.
	SecureCookies bool
	// JobsHealthy reports whether this node's job runner is up, for /readyz.
	JobsHealthy func() bool
	// Self is customer self-service (it holds the SMS gateway); until it
	// is set, the self-service routes answer 503.
	Self *service.SelfService
}

// Access says who may call a route.
type Access int

const (
	Public   Access = iota // anyone, signed in or not
	Staff                  // a signed-in staff member or API token holding Permission
	Customer               // a signed-in customer, on their own records; staff credentials never satisfy it
)

// Route is one endpoint.
type Route struct {
	Method     string
	Path       string
	Access     Access
	Permission anxin.Permission // required when Access is Staff; "" means any signed-in caller
	Summary    string
	MaxBody    int64
	API        bool // part of the JSON API (documented in openapi.json)
	handle     func(w http.ResponseWriter, r *http.Request, p *service.Principal) error
}

// New builds the server and its routes.
func New(svc *service.Service, log *slog.Logger) *Server {
	s := &Server{svc: svc, log: log, mux: http.NewServeMux(), JobsHealthy: func() bool { return true }}
	s.metrics = newMetrics(svc.DB)
	s.routes = append(s.apiRoutes(), s.consoleRoutes()...)
	s.routes = append(s.routes, s.selfRoutes()...)
	s.routes = append(s.routes, s.ticketRoutes()...)
	s.routes = append(s.routes, s.claimRoutes()...)
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	s.mux.Handle("GET /metrics", s.metrics.handler())
	s.mux.Handle("GET /static/", staticHandler())
	s.mux.HandleFunc("/", s.notFound)
	return s
}

// Routes returns the route table, for tests and the OpenAPI check.
func (s *Server) Routes() []Route { return s.routes }

// Registry is the node's Prometheus registry.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

// ServeHTTP runs the outer middleware: request id, security headers,
// panic recovery, access log and metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-ID")
	if !validRequestID.MatchString(id) {
		id = newRequestID()
	}
	ctx := context.WithValue(r.Context(), requestIDKey{}, id)
	ctx = service.WithRequestMeta(ctx, service.RequestMeta{IP: clientIP(r), RequestID: id})
	r = r.WithContext(ctx)
	h := w.Header()
	h.Set("X-Request-ID", id)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	if s.SecureCookies {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic", "panic", v, "request_id", id)
			if !rec.wrote {
				s.writeError(rec, r, errors.New("panic"))
			}
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.metrics.observe(route, r.Method, rec.status, elapsed)
		// Paths are logged without their query: a query may hold a phone number.
		s.log.InfoContext(r.Context(), "request", "method", r.Method, "route", route, "status", rec.status,
			"duration_ms", float64(elapsed.Microseconds())/1000, "request_id", id)
	}()
	s.mux.ServeHTTP(rec, r)
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

type requestIDKey struct{}

func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.writeError(w, r, anxin.Errorz(anxin.ENotFound, "no such endpoint", "没有该接口"))
		return
	}
	s.consoleNotFound(w, r)
}

// wrap applies authentication, authorisation, CSRF, body limits and
// idempotency to one route.
func (s *Server) wrap(rt Route) http.Handler {
	limit := rt.MaxBody
	if limit == 0 {
		limit = MaxBodyBytes
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		p, err := s.authenticateFor(rt, r)
		if err != nil {
			s.fail(w, r, rt, err)
			return
		}
		if rt.Access == Staff {
			if p == nil {
				s.fail(w, r, rt, anxin.Errorz(anxin.EUnauthorized, "please sign in", "请先登录"))
				return
			}
			if rt.Permission != "" && !p.Actor.Can(rt.Permission) {
				s.log.InfoContext(r.Context(), "permission denied", "actor", p.Actor.ID, "permission", string(rt.Permission), "request_id", requestID(r.Context()))
				if err := s.svc.RecordDenied(r.Context(), p.Actor, rt.Permission, rt.Method+" "+rt.Path); err != nil {
					s.fail(w, r, rt, err)
					return
				}
				s.fail(w, r, rt, &anxin.Error{Code: anxin.EForbidden, Message: "you do not have permission " + string(rt.Permission), MessageZH: "您没有执行此操作的权限（" + string(rt.Permission) + "）"})
				return
			}
		}
		if unsafeMethod(r.Method) && p != nil && p.CSRFToken != "" {
			if !validCSRF(r, p.CSRFToken) {
				s.fail(w, r, rt, anxin.Errorz(anxin.EForbidden, "the form has expired; reload the page and try again", "页面已过期，请刷新后重试（CSRF 校验失败）"))
				return
			}
		}
		if r.Method == http.MethodPost && p != nil && r.Header.Get("Idempotency-Key") != "" {
			s.idempotent(w, r, rt, p)
			return
		}
		if err := rt.handle(w, r, p); err != nil {
			s.fail(w, r, rt, err)
		}
	})
}

// fail answers an error: JSON for the API, a page for the console.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, rt Route, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = anxin.Errorz(anxin.ETooLarge, "the request body is too large", "请求内容过大")
	}
	if rt.API || strings.HasPrefix(r.URL.Path, "/api/") {
		s.writeError(w, r, err)
		return
	}
	if selfPath(r.URL.Path) {
		s.selfError(w, r, err)
		return
	}
	s.consoleError(w, r, err)
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// authenticate resolves a bearer token or a session cookie; no credentials
// is not an error (the route decides), bad credentials are.
func (s *Server) authenticate(r *http.Request) (*service.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return nil, anxin.Errorz(anxin.EUnauthorized, "use Authorization: Bearer <token>", "请使用 Authorization: Bearer <令牌>")
		}
		return s.svc.AuthenticateToken(r.Context(), token)
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	p, err := s.svc.AuthenticateSession(r.Context(), c.Value)
	if err != nil {
		return nil, nil // an expired cookie is the same as none: the route asks to sign in
	}
	return p, nil
}

const sessionCookie = "anxin_session"

func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	ct := r.Header.Get("Content-Type")
	if got == "" && (strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")) {
		// A document upload is a multipart form; the route's body limit
		// bounds what parsing it reads.
		got = r.PostFormValue("csrf_token")
	}
	return got != "" && constantTimeEqual(got, want)
}

// idempotent runs a POST at most once per (principal, key): the first answer
// is stored and replayed to retries; a different request under the same key
// is refused.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, rt Route, p *service.Principal) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 200 {
		s.fail(w, r, rt, fieldErr("Idempotency-Key", "length", "is longer than 200 characters", "超过 200 个字符"))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, r, rt, err)
		return
	}
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...))
	hash := hex.EncodeToString(sum[:])
	principal := p.Actor.Kind + ":" + p.Actor.ID
	prev, err := s.svc.DB.LookupIdempotent(r.Context(), principal, key)
	if err != nil {
		s.fail(w, r, rt, err)
		return
	}
	if prev != nil {
		switch {
		case prev.RequestHash != hash:
			s.fail(w, r, rt, anxin.Errorz(anxin.EIdempotency, "this Idempotency-Key was used for a different request", "该幂等键已用于另一个不同的请求"))
		case prev.Status == 0:
			s.fail(w, r, rt, anxin.Errorz(anxin.EConflict, "a request with this Idempotency-Key has been processed but its answer is not available yet; retry shortly", "相同幂等键的请求已处理，结果暂不可用，请稍后重试"))
		default:
			w.Header().Set("Content-Type", prev.ContentType)
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(prev.Status)
			w.Write(prev.Body)
		}
		return
	}
	claim := &store.IdempotencyClaim{Principal: principal, Key: key, RequestHash: hash}
	r = r.WithContext(store.WithIdempotencyClaim(r.Context(), claim))
	r.Body = io.NopCloser(bytes.NewReader(body))
	buf := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	if err := rt.handle(buf, r, p); err != nil {
		s.fail(buf, r, rt, err)
	}
	if claim.Claimed() {
		resp := store.IdempotentResponse{RequestHash: hash, Status: buf.status, ContentType: buf.header.Get("Content-Type"), Body: buf.body.Bytes()}
		if err := s.svc.DB.CompleteIdempotent(context.WithoutCancel(r.Context()), claim, resp); err != nil {
			s.log.ErrorContext(r.Context(), "store idempotent response", "err", err, "request_id", requestID(r.Context()))
		}
	}
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.WriteHeader(buf.status)
	w.Write(buf.body.Bytes())
}

type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(code int) {
	if !b.wrote {
		b.status, b.wrote = code, true
	}
}

// decode reads a JSON body strictly: unknown fields and trailing data are
// errors that name what was wrong.
func decode(r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &anxin.Error{Code: eUnsupported, Message: "send application/json", MessageZH: "请使用 application/json 格式"}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return &anxin.Error{Code: eBadRequest, Message: "the body holds more than one JSON value", MessageZH: "请求体包含多个 JSON 值"}
	}
	return nil
}

func decodeError(err error) error {
	var mbe *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return anxin.Errorz(anxin.ETooLarge, "the request body is too large", "请求内容过大")
	case errors.Is(err, io.EOF):
		return &anxin.Error{Code: eBadRequest, Message: "the body is empty", MessageZH: "请求体为空"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &anxin.Error{Code: eBadRequest, Message: "the JSON body ends too early", MessageZH: "JSON 请求体不完整"}
	case errors.As(err, &syn):
		return &anxin.Error{Code: eBadRequest, Message: "malformed JSON at byte " + strconv.FormatInt(syn.Offset, 10), MessageZH: "JSON 格式错误（第 " + strconv.FormatInt(syn.Offset, 10) + " 字节）"}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return fieldErr(field, "type", "must be of type "+typ.Type.String(), "类型错误，应为 "+typ.Type.String())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fieldErr(field, "unknown", "is not a known field", "不是可识别的字段")
	}
	return fieldErr("body", "format", err.Error(), "请求内容无法解析："+err.Error())
}

func fieldErr(field, reason, en, zh string) error {
	var p anxin.Problems
	p.Add(field, reason, en, zh)
	return p.Err()
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// Page is a page of a list with the cursor of the next one.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// pageParams reads ?limit= and ?cursor=.
func pageParams(r *http.Request) (after string, limit int, err error) {
	q := r.URL.Query()
	limit = 50
	if v := q.Get("limit"); v != "" {
		limit, err = strconv.Atoi(v)
		if err != nil || limit < 1 || limit > 500 {
			return "", 0, fieldErr("limit", "range", "must be a number from 1 to 500", "须为 1 到 500 之间的数字")
		}
	}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			return "", 0, fieldErr("cursor", "format", "is not a cursor this API returned", "不是本接口返回的游标")
		}
		after = string(b)
	}
	return after, limit, nil
}

// nextCursor encodes the last key of a full page; a short page is the last.
func nextCursor(n, limit int, lastKey string) string {
	if n < limit {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(lastKey))
}

// etag is a version's strong validator.
func etag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// ifMatch returns the version an update expects. Updates without If-Match
// are refused so that no client overwrites a change it never saw.
func ifMatch(r *http.Request) (int, error) {
	v := r.Header.Get("If-Match")
	if v == "" {
		return 0, &anxin.Error{Code: ePreconditionRequired, Message: "send If-Match with the ETag you read", MessageZH: "请在 If-Match 中提供读取时的 ETag"}
	}
	v = strings.TrimPrefix(strings.Trim(strings.TrimPrefix(v, "W/"), `"`), "v")
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, anxin.Errorz(anxin.EPrecondition, "If-Match does not match the current version", "If-Match 与当前版本不一致")
	}
	return n, nil
}
