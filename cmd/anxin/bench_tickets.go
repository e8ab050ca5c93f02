package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/demo"
	"github.com/anxin-insure/anxin/service"
)

// ticketBenchFlags are the settings of `anxin bench tickets`.
type ticketBenchFlags struct {
	url        string
	self       bool
	db         dbFlags
	count      int
	duration   time.Duration
	clients    []int
	token      string
	user       string
	password   string
	seedOpen   []int
	probes     int
	cpuProfile string
}

const benchTicketsUsage = "usage: anxin bench tickets [--url http://127.0.0.1:8080 | --self [--db postgres://…]] [--count N] [--duration D] [--clients 1,8,32] [--token T | --user U --password P] [--seed-open 10000,100000,1000000]"

// runBenchTickets is `anxin bench tickets`: a load generator that opens
// tickets through POST /api/v1/tickets, the full intake (validation,
// routing, SLA, audit, notice outbox and timer job in one transaction), at
// each client count in turn; optionally after seeding open tickets in bulk
// to see what a large backlog does to memory, the due-soon queue and the
// SLA timers.
func runBenchTickets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f ticketBenchFlags
	fs := newFlagSet("bench tickets", stderr)
	fs.StringVar(&f.url, "url", "http://127.0.0.1:8080", "the running server to load (loopback only)")
	fs.BoolVar(&f.self, "self", false, "start an in-process server with the demo data on a throw-away database (a temp SQLite file, or a temp schema of --db) and load that")
	f.db.register(fs)
	fs.Lookup("data").Usage = "with --seed-open against --url: the data directory of the server under test"
	fs.Lookup("db").Usage = "with --self: a postgres:// URL to benchmark PostgreSQL (a temporary schema is created and dropped); with --seed-open against --url: the server's database"
	fs.IntVar(&f.count, "count", 10_000, "tickets to create per client level (0: no load, only the --seed-open measurements)")
	fs.DurationVar(&f.duration, "duration", 30*time.Second, "longest time per client level")
	clients := fs.String("clients", "1,8,32", "concurrent clients, one level after another")
	fs.StringVar(&f.token, "token", "", "API token (Authorization: Bearer); otherwise sign in with --user/--password")
	fs.StringVar(&f.user, "user", "admin", "username to sign in with")
	fs.StringVar(&f.password, "password", demo.Password, "password to sign in with (the demo's by default)")
	seed := fs.String("seed-open", "", "before the load, seed open tickets in bulk up to each of these totals (e.g. 10000,100000,1000000), measuring memory, the due-soon queue and SLA timer lateness at each")
	fs.IntVar(&f.probes, "probes", 200, "with --seed-open: tickets per stage whose first SLA warning falls due within the next minute, to measure how late warnings fire")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "with --self: write a CPU profile of the run (server, seeding and client) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), benchTicketsUsage)
	}
	var err error
	if f.clients, err = parseCounts(*clients); err != nil {
		return fmt.Errorf("--clients: %w", err)
	}
	if *seed != "" {
		if f.seedOpen, err = parseCounts(*seed); err != nil {
			return fmt.Errorf("--seed-open: %w", err)
		}
		if !slices.IsSorted(f.seedOpen) {
			return errors.New("--seed-open: give the totals in increasing order")
		}
	}
	if f.count < 0 || f.duration <= 0 {
		return errors.New("--count must not be negative and --duration must be positive")
	}
	if f.cpuProfile != "" && !f.self {
		return errors.New("--cpuprofile profiles this process: use it with --self")
	}

	if f.self {
		m, cleanup, err := startBenchServer(ctx, &f, stdout)
		if err != nil {
			return err
		}
		defer cleanup()
		// Seeding opens the server's database through a handle of its
		// own, as it does for a server in another process.
		f.url, f.db = m.URL(), m.DB
	} else if err := loopbackOnly(f.url); err != nil {
		return err
	}
	b, err := newTicketBench(ctx, &f, stdout)
	if err != nil {
		return err
	}
	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if len(f.seedOpen) > 0 {
		if err := b.seedStages(ctx, &f); err != nil {
			return err
		}
	}
	if f.count == 0 {
		return nil
	}
	fmt.Fprintf(stdout, "\nPOST /api/v1/tickets at %s: up to %d creates or %s per level, %d customers\n", f.url, f.count, f.duration, len(b.customers))
	fmt.Fprintf(stdout, "%7s %8s %7s %7s %9s %8s %8s %8s %8s  %s\n", "clients", "creates", "errors", "secs", "creates/s", "p50", "p95", "p99", "max", "errors by status")
	for _, c := range f.clients {
		r := b.level(ctx, c, f.count, f.duration)
		fmt.Fprintln(stdout, r)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// parseCounts reads "1,8,32".
func parseCounts(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", p)
		}
		out = append(out, n)
	}
	return out, nil
}

// loopbackOnly refuses any URL that leaves this machine: a load generator
// pointed at production by mistake would open thousands of real tickets.
func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url %q: give an http(s) URL of a server on this machine", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--url %s: the benchmark only loads a server on this machine (127.0.0.1, ::1 or localhost)", raw)
}

// startBenchServer starts a node on a free loopback port over a throw-away
// database and loads the demo data set into it.
func startBenchServer(ctx context.Context, f *ticketBenchFlags, stdout io.Writer) (*Main, func(), error) {
	dir, err := os.MkdirTemp("", "anxin-bench-tickets-")
	if err != nil {
		return nil, nil, err
	}
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	m := NewMain(io.Discard, io.Discard)
	m.Addr = "127.0.0.1:0"
	m.DB.data = dir
	if f.db.db != "" {
		dsn, drop, err := benchSchema(ctx, f.db.db)
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		cleanups = append(cleanups, drop)
		m.DB.db = dsn
	}
	// The access log is formatted as in production, then discarded.
	m.Log = newLogger(io.Discard)
	if err := m.Run(ctx); err != nil {
		if m.Service != nil {
			m.Close()
		}
		cleanup()
		return nil, nil, err
	}
	cleanups = append(cleanups, func() { m.Close() })
	if err := loadDemo(ctx, m.Service, io.Discard); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("demo data: %w", err)
	}
	fmt.Fprintf(stdout, "in-process server at %s on %s (demo data, %d CPUs)\n", m.URL(), m.Service.DB.Engine, runtime.NumCPU())
	return m, cleanup, nil
}

// benchSchema creates an empty schema in the PostgreSQL database at dsn and
// returns a DSN that uses it, and a function that drops it: the benchmark
// never touches existing data.
func benchSchema(ctx context.Context, dsn string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return "", nil, fmt.Errorf("--db: %w", err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("anxin_bench_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if conn, err := pgx.Connect(ctx, dsn); err == nil {
			conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`)
			conn.Close(ctx)
		}
	}
	u, err := url.Parse(dsn)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// ticketBench talks to one server as one signed-in principal.
type ticketBench struct {
	base      string
	client    *http.Client
	token     string
	csrf      string
	customers []string
	out       io.Writer
}

func newTicketBench(ctx context.Context, f *ticketBenchFlags, out io.Writer) (*ticketBench, error) {
	jar, _ := cookiejar.New(nil)
	maxClients := slices.Max(f.clients)
	b := &ticketBench{base: strings.TrimRight(f.url, "/"), token: f.token, out: out,
		client: &http.Client{Jar: jar, Timeout: time.Minute, Transport: &http.Transport{
			MaxIdleConns: maxClients + 4, MaxIdleConnsPerHost: maxClients + 4, IdleConnTimeout: time.Minute}}}
	if b.token == "" {
		body, _ := json.Marshal(map[string]string{"username": f.user, "password": f.password})
		status, resp, err := b.do(ctx, "POST", "/api/v1/auth/login", body)
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("sign in as %s: %d %s", f.user, status, resp)
		}
		var me struct {
			CSRFToken string `json:"csrf_token"`
		}
		if err := json.Unmarshal(resp, &me); err != nil {
			return nil, fmt.Errorf("sign in: %w", err)
		}
		b.csrf = me.CSRFToken
	}
	// Real customers, so that each create loads one, picks its SLA by
	// tier and addresses the receipt notice to them.
	for cursor := ""; len(b.customers) < 2000; {
		path := "/api/v1/customers?limit=500"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		status, resp, err := b.do(ctx, "GET", path, nil)
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("list customers: %d %s", status, resp)
		}
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal(resp, &page); err != nil {
			return nil, fmt.Errorf("list customers: %w", err)
		}
		for _, c := range page.Items {
			b.customers = append(b.customers, c.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(b.customers) == 0 {
		return nil, errors.New("the server has no customers to open tickets for: load some (or use `anxin demo`)")
	}
	return b, nil
}

// do sends one request and reads the whole answer.
func (b *ticketBench) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	if b.csrf != "" && method != "GET" {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	res, err := b.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

// benchTicketKinds are the requests the load mixes, so that routing rules,
// SLA policies and checklists are all exercised.
var benchTicketKinds = []struct {
	typ     anxin.TicketType
	channel anxin.Channel
	urgency anxin.Urgency
	subject string
}{
	{anxin.TypeEnquiry, anxin.ChannelPhone, anxin.UrgencyNormal, "询问保单生效日期"},
	{anxin.TypeEnquiry, anxin.ChannelWeChat, anxin.UrgencyNormal, "续期缴费方式咨询"},
	{anxin.TypeClaimAssistance, anxin.ChannelApp, anxin.UrgencyHigh, "住院医疗理赔材料咨询"},
	{anxin.TypePolicyChange, anxin.ChannelCounter, anxin.UrgencyNormal, "变更受益人"},
	{anxin.TypeComplaint, anxin.ChannelPhone, anxin.UrgencyHigh, "理赔进度慢，要求说明"},
	{anxin.TypeEnquiry, anxin.ChannelEmail, anxin.UrgencyNormal, "保单电子版"},
	{anxin.TypeServicePlan, anxin.ChannelWebsite, anxin.UrgencyLow, "尊享服务计划续费"},
	{anxin.TypeEmergency, anxin.ChannelApp, anxin.UrgencyUrgent, "高速事故需要紧急救援"},
}

func (b *ticketBench) ticketBody(r *rand.Rand, i int) []byte {
	k := benchTicketKinds[i%len(benchTicketKinds)]
	body, _ := json.Marshal(map[string]any{
		"type": k.typ, "channel": k.channel, "urgency": k.urgency, "subject": k.subject,
		"description":  fmt.Sprintf("压力测试工单 %d：客户来电说明情况，请按流程处理。", i),
		"customer_id":  b.customers[r.IntN(len(b.customers))],
		"verification": map[string]string{"method": "security_questions", "result": "passed"},
	})
	return body
}

// levelResult is one client level's outcome.
type levelResult struct {
	clients  int
	created  int
	errors   map[int]int // by HTTP status; 0 is a transport error
	sample   string      // one error answer, to see what went wrong
	elapsed  time.Duration
	lat      []time.Duration // of successful creates, sorted
	attempts int
}

func (r *levelResult) failed() int {
	n := 0
	for _, c := range r.errors {
		n += c
	}
	return n
}

func (r *levelResult) String() string {
	pct := func(q float64) string { return fmtDuration(percentile(r.lat, q)) }
	var errs []string
	for _, st := range slices.Sorted(mapKeys(r.errors)) {
		errs = append(errs, fmt.Sprintf("%d×%d", st, r.errors[st]))
	}
	s := fmt.Sprintf("%7d %8d %7d %7.2f %9.0f %8s %8s %8s %8s  %s", r.clients, r.created, r.failed(), r.elapsed.Seconds(),
		float64(r.created)/r.elapsed.Seconds(), pct(.50), pct(.95), pct(.99), pct(1), strings.Join(errs, " "))
	if r.sample != "" {
		s += "\n        first error: " + r.sample
	}
	return s
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0fms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2fms", float64(d)/1e6)
}

// level runs clients concurrent loops until count creates have been sent
// or d has passed, whichever is first.
func (b *ticketBench) level(ctx context.Context, clients, count int, d time.Duration) *levelResult {
	var issued atomic.Int64
	deadline := time.Now().Add(d)
	res := &levelResult{clients: clients, errors: map[int]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			var lat []time.Duration
			errs := map[int]int{}
			sample := ""
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := issued.Add(1)
				if i > int64(count) {
					break
				}
				body := b.ticketBody(r, int(i))
				t0 := time.Now()
				status, resp, err := b.do(ctx, "POST", "/api/v1/tickets", body)
				el := time.Since(t0)
				switch {
				case err != nil:
					errs[0]++
					if sample == "" {
						sample = err.Error()
					}
				case status != http.StatusCreated:
					errs[status]++
					if sample == "" {
						sample = fmt.Sprintf("%d %s", status, bytes.TrimSpace(resp))
					}
				default:
					lat = append(lat, el)
				}
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			for st, n := range errs {
				res.errors[st] += n
			}
			if res.sample == "" {
				res.sample = sample
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.lat)
	res.created = len(res.lat)
	res.attempts = res.created + res.failed()
	return res
}

// seedStages grows the backlog of open tickets to each total in turn and
// measures at each: the server's memory, the due-soon queue (the API and
// the console page) and how late SLA warnings fire with that many timers
// pending; then, if --count is set, the create levels.
//
// The seeding writes rows directly, through a database handle of its own
// (--data/--db name the server's database) that is closed after each
// stage, so that in --self mode the server's memory figures hold none of
// the seeder's buffers.
func (b *ticketBench) seedStages(ctx context.Context, f *ticketBenchFlags) error {
	memory := b.remoteMemory
	if f.self {
		memory = selfMemory
	}
	const probeFrom, probeWithin = 20 * time.Second, 40 * time.Second
	for i, total := range f.seedOpen {
		if err := b.seedStage(ctx, f, total, i == 0, memory, probeFrom, probeWithin); err != nil {
			return err
		}
		if f.count > 0 && i < len(f.seedOpen)-1 {
			// The last stage's load is the main run's.
			fmt.Fprintf(b.out, "  creates with %d open:\n", total)
			for _, c := range f.clients {
				fmt.Fprintln(b.out, b.level(ctx, c, f.count, f.duration))
			}
		}
	}
	return nil
}

func (b *ticketBench) seedStage(ctx context.Context, f *ticketBenchFlags, total int, first bool,
	memory func(context.Context) (float64, float64, error), probeFrom, probeWithin time.Duration) error {
	svc, err := openService(ctx, &f.db, newLogger(io.Discard))
	if err != nil {
		return fmt.Errorf("the server's database (--data/--db): %w", err)
	}
	defer svc.DB.Close()
	open, err := svc.DB.CountOpenTickets(ctx)
	if err != nil {
		return err
	}
	if first {
		fmt.Fprintf(b.out, "\nbacklog on %s: open tickets seeded in bulk (deadlines over the coming 3 weeks), %d probe tickets a stage whose warning is due %s–%s later\n",
			svc.DB.Engine, f.probes, probeFrom, probeFrom+probeWithin)
	}
	if n := total - open - f.probes; n > 0 {
		start := time.Now()
		last := start
		_, err := svc.SeedOpenTickets(ctx, anxin.SystemActor("bench"), service.SeedOptions{Count: n, CustomerIDs: b.customers, Seed: uint64(total),
			Progress: func(done int) {
				if time.Since(last) > 10*time.Second {
					last = time.Now()
					fmt.Fprintf(b.out, "  seeding: %d of %d, %.0f tickets/s\n", done, n, float64(done)/time.Since(start).Seconds())
				}
			}})
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		el := time.Since(start)
		fmt.Fprintf(b.out, "seeded %d open tickets in %.1fs (%.0f tickets/s, with their timer jobs)\n", n, el.Seconds(), float64(n)/el.Seconds())
	}
	probeStart := time.Now()
	probes, err := svc.SeedOpenTickets(ctx, anxin.SystemActor("bench"), service.SeedOptions{Count: f.probes, Soon: f.probes,
		SoonFrom: probeFrom, SoonWithin: probeWithin, CustomerIDs: b.customers, Seed: uint64(total) + 1})
	if err != nil {
		return fmt.Errorf("seed probes: %w", err)
	}
	if open, err = svc.DB.CountOpenTickets(ctx); err != nil {
		return err
	}
	api := b.timeGets(ctx, "/api/v1/tickets?queue=due_soon", 30)
	page := b.timeGets(ctx, "/tickets?queue=due_soon", 30)
	timers, err := pendingTimers(ctx, svc)
	if err != nil {
		return err
	}
	// Wait for the probes' warnings, then read how late each fired.
	deadline := probeStart.Add(probeFrom + probeWithin + 30*time.Second)
	var late []time.Duration
	for {
		if late, err = svc.SLALateness(ctx, probes, probeStart); err != nil {
			return err
		}
		if len(late) >= len(probes) || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
	slices.Sort(late)
	svc.DB.Close()
	heap, rss, err := memory(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "open %d: server Go heap %.0f MiB, RSS %.0f MiB; %d SLA timers pending\n", open, heap, rss, timers)
	fmt.Fprintf(b.out, "  GET /api/v1/tickets?queue=due_soon  %s\n", api)
	fmt.Fprintf(b.out, "  GET /tickets?queue=due_soon         %s\n", page)
	fmt.Fprintf(b.out, "  warnings fired %d of %d; lateness p50 %s p95 %s p99 %s max %s\n", len(late), len(probes),
		fmtDuration(percentile(late, .5)), fmtDuration(percentile(late, .95)), fmtDuration(percentile(late, .99)), fmtDuration(percentile(late, 1)))
	return nil
}

// getTimes is the latency of repeated GETs of one page.
type getTimes struct {
	status int
	lat    []time.Duration
	bytes  int
}

func (g getTimes) String() string {
	if g.status != http.StatusOK {
		return fmt.Sprintf("answered %d (not measured)", g.status)
	}
	return fmt.Sprintf("p50 %s p95 %s max %s (%d requests, %d bytes)", fmtDuration(percentile(g.lat, .5)), fmtDuration(percentile(g.lat, .95)),
		fmtDuration(percentile(g.lat, 1)), len(g.lat), g.bytes)
}

// timeGets fetches path n times in a row.
func (b *ticketBench) timeGets(ctx context.Context, path string, n int) getTimes {
	var g getTimes
	for range n {
		t0 := time.Now()
		status, body, err := b.do(ctx, "GET", path, nil)
		el := time.Since(t0)
		if err != nil {
			return g
		}
		g.status, g.bytes = status, len(body)
		if status != http.StatusOK {
			return g
		}
		g.lat = append(g.lat, el)
	}
	slices.Sort(g.lat)
	return g
}

// selfMemory is this process's memory when the server runs in it: the
// live Go heap after a collection, and the resident set once the garbage
// of seeding has been handed back to the system.
func selfMemory(context.Context) (heapMiB, rssMiB float64, err error) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			rssMiB = kb / 1024
		}
	}
	return float64(ms.HeapInuse) / (1 << 20), rssMiB, nil
}

// remoteMemory reads the server's memory from its /metrics.
func (b *ticketBench) remoteMemory(ctx context.Context) (heapMiB, rssMiB float64, err error) {
	status, body, err := b.do(ctx, "GET", "/metrics", nil)
	if err != nil {
		return 0, 0, err
	}
	if status != http.StatusOK {
		return 0, 0, fmt.Errorf("/metrics: %d", status)
	}
	for _, line := range strings.Split(string(body), "\n") {
		name, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		x, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
		switch name {
		case "go_memstats_heap_inuse_bytes":
			heapMiB = x / (1 << 20)
		case "process_resident_memory_bytes":
			rssMiB = x / (1 << 20)
		}
	}
	return heapMiB, rssMiB, nil
}

// pendingTimers counts the SLA timer jobs waiting for their time.
func pendingTimers(ctx context.Context, svc *service.Service) (int, error) {
	counts, err := svc.DB.JobCounts(ctx)
	n := 0
	for _, c := range counts {
		if c.Kind == (service.SLATimerArgs{}).Kind() && c.State == "scheduled" {
			n += int(c.Count)
		}
	}
	return n, err
}
