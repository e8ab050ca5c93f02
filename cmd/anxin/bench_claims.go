package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/demo"
	"github.com/anxin-insure/anxin/idcheck"
	"github.com/anxin-insure/anxin/payment"
	"github.com/anxin-insure/anxin/service"
)

// claimBenchFlags are the settings of `anxin bench claims`.
type claimBenchFlags struct {
	url        string
	self       bool
	db         dbFlags
	count      int
	duration   time.Duration
	clients    []int
	token      string
	user       string
	password   string
	payWait    time.Duration
	cpuProfile string
}

const benchClaimsUsage = "usage: anxin bench claims [--url http://127.0.0.1:8080 | --self [--db postgres://…]] [--count N] [--duration D] [--clients 1,8,32] [--token T | --user U --password P] [--pay-wait D]"

// benchClaimProductCode is the product the claims benchmark insures its
// policyholders under; against --url it is created (or replaced) on the
// server under test.
const benchClaimProductCode = "BENCH-MED"

// benchClaimProduct reimburses medical expenses at 90% from the first yuan
// within a generous annual limit, after a 30-day waiting period: every
// outpatient claim of at most ¥2,000 on a policy past its first 90 days
// is one the fast track decides and pays.
func benchClaimProduct() *anxin.Product {
	return &anxin.Product{Code: benchClaimProductCode, Line: anxin.LineHealth, Name: "压测门诊医疗保险", NameEN: "Benchmark Outpatient Medical",
		CoolingOffDays: 15, TermYears: 3, Active: true,
		Coverages: []anxin.Coverage{{Kind: anxin.CovMedical, SumInsured: 1_000_000_00, Deductible: 0, ReimbursementRatio: 9000,
			AnnualLimit: 200_000_00, WaitingPeriodDays: 30}}}
}

// runBenchClaims is `anxin bench claims`: it insures fresh policyholders
// under a health product, then each client reports small outpatient claims
// with their documents through POST /api/v1/claims, at each client count in
// turn. Every claim qualifies for the fast track, so each answer is a claim
// decided, approved and given its payment instruction in that one request:
// its latency is the time from submission to payment instruction. An
// answer without an automated approved decision and a payment counts as an
// error. Afterwards the job runner's payments are counted.
//
// The risk rules shape the load: each policyholder claims at most twice
// (a third claim within 90 days is flagged), amounts stay below ¥1,900 (just
// under the fast-track limit is flagged), and every document's bytes are
// unique (a document seen on another claim is flagged).
func runBenchClaims(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f claimBenchFlags
	fs := newFlagSet("bench claims", stderr)
	fs.StringVar(&f.url, "url", "http://127.0.0.1:8080", "the running server to load (loopback only); the benchmark adds a product, customers, policies and claims to it")
	fs.BoolVar(&f.self, "self", false, "start an in-process server with the demo data on a throw-away database (a temp SQLite file, or a temp schema of --db), its job runner paying into a batch directory in a temp dir, and load that")
	f.db.register(fs)
	fs.Lookup("data").Usage = "not used: --self works in a temporary directory"
	fs.Lookup("db").Usage = "with --self: a postgres:// URL to benchmark PostgreSQL (a temporary schema is created and dropped)"
	fs.IntVar(&f.count, "count", 2000, "claims to report per client level")
	fs.DurationVar(&f.duration, "duration", 30*time.Second, "longest time per client level")
	clients := fs.String("clients", "1,8", "concurrent clients, one level after another")
	fs.StringVar(&f.token, "token", "", "API token (Authorization: Bearer); otherwise sign in with --user/--password")
	fs.StringVar(&f.user, "user", "admin", "username to sign in with (needs to write products, customers, policies and claims)")
	fs.StringVar(&f.password, "password", demo.Password, "password to sign in with (the demo's by default)")
	fs.DurationVar(&f.payWait, "pay-wait", time.Minute, "after the load, how long to wait for the job runner to send the payment instructions")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "with --self: write a CPU profile of the load (server and client) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), benchClaimsUsage)
	}
	var err error
	if f.clients, err = parseCounts(*clients); err != nil {
		return fmt.Errorf("--clients: %w", err)
	}
	if f.count < 1 || f.duration <= 0 || f.payWait < 0 {
		return errors.New("--count and --duration must be positive, --pay-wait not negative")
	}
	if f.cpuProfile != "" && !f.self {
		return errors.New("--cpuprofile profiles this process: use it with --self")
	}

	var m *Main
	if f.self {
		var cleanup func()
		m, cleanup, err = startBenchServer(ctx, &ticketBenchFlags{db: f.db}, stdout)
		if err != nil {
			return err
		}
		defer cleanup()
		f.url = m.URL()
		gw := fmt.Sprintf("%T", m.Service.Payments)
		if bf, ok := m.Service.Payments.(*payment.BatchFile); ok {
			gw = "bank-transfer batch files in " + bf.Dir
		}
		fmt.Fprintf(stdout, "job runner on; payments go to %s\n", gw)
	} else if err := loopbackOnly(f.url); err != nil {
		return err
	}
	b, err := newClaimBench(ctx, &f, stdout)
	if err != nil {
		return err
	}
	// Two claims per policyholder: a third within 90 days would be flagged.
	n := (f.count*len(f.clients) + 1) / 2
	start := time.Now()
	if m != nil {
		fmt.Fprintf(stdout, "preparing %d customers and %s policies through the service…\n", n, benchClaimProductCode)
		err = b.prepareService(ctx, m.Service, n)
	} else {
		fmt.Fprintf(stdout, "preparing %d customers and %s policies through the API…\n", n, benchClaimProductCode)
		err = b.prepareAPI(ctx, n, slices.Max(f.clients))
	}
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	el := time.Since(start)
	fmt.Fprintf(stdout, "prepared %d policies (effective 400–600 days ago, 90%% from the first yuan) in %.1fs (%.0f/s)\n", n, el.Seconds(), float64(n)/el.Seconds())

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
	fmt.Fprintf(stdout, "\nPOST /api/v1/claims at %s: fast-track outpatient claims (¥30–1,850, 3 documents each), up to %d or %s per level\n", f.url, f.count, f.duration)
	fmt.Fprintf(stdout, "latency is submission to payment instruction: the request decides, approves and instructs the payment\n")
	fmt.Fprintf(stdout, "%7s %8s %7s %7s %9s %8s %8s %8s %8s  %s\n", "clients", "claims", "errors", "secs", "claims/s", "p50", "p95", "p99", "max", "errors by status")
	loadStart := time.Now()
	for _, c := range f.clients {
		fmt.Fprintln(stdout, b.level(ctx, c, f.count, f.duration))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	loadEnd := time.Now()

	// The job runner sends the instructions after the requests commit.
	var count func(context.Context) (map[string]int, error)
	if m != nil {
		count = func(ctx context.Context) (map[string]int, error) { return selfPayments(ctx, m.Service) }
	} else {
		count = b.apiPayments
	}
	st, err := waitPayments(ctx, count, f.payWait)
	if err != nil {
		return fmt.Errorf("payments: %w", err)
	}
	fmt.Fprintf(stdout, "\npayments of the benchmark's claims: %d instructed by the fast track; %d paid, %d still waiting, %d failed, %.1fs after the load (%.1fs from its start)\n",
		st[anxin.PaymentPaid]+st[anxin.PaymentInstructed]+st[anxin.PaymentFailed], st[anxin.PaymentPaid], st[anxin.PaymentInstructed], st[anxin.PaymentFailed],
		time.Since(loadEnd).Seconds(), time.Since(loadStart).Seconds())
	return nil
}

// claimBench reports claims to one server as one signed-in principal.
type claimBench struct {
	*ticketBench
	run      string // unique to this run, in every policy number and document
	policies []benchPolicy
	next     atomic.Int64 // claims issued over all levels

	mu      sync.Mutex
	numbers []string       // claims fast-tracked whose payment is not yet seen settled (--url)
	settled map[string]int // payments seen settled, by status (--url)
}

// benchPolicy is one insured policyholder and the account they are paid to.
type benchPolicy struct {
	id, customerID     string
	payee, bank, accnt string
}

func newClaimBench(ctx context.Context, f *claimBenchFlags, out io.Writer) (*claimBench, error) {
	jar, _ := cookiejar.New(nil)
	maxClients := slices.Max(f.clients)
	tb := &ticketBench{base: strings.TrimRight(f.url, "/"), token: f.token, out: out,
		client: &http.Client{Jar: jar, Timeout: time.Minute, Transport: &http.Transport{
			MaxIdleConns: maxClients + 8, MaxIdleConnsPerHost: maxClients + 8, IdleConnTimeout: time.Minute}}}
	if tb.token == "" {
		body, _ := json.Marshal(map[string]string{"username": f.user, "password": f.password})
		status, resp, err := tb.do(ctx, "POST", "/api/v1/auth/login", body)
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
		tb.csrf = me.CSRFToken
	}
	return &claimBench{ticketBench: tb, run: strconv.FormatInt(time.Now().UnixNano(), 36), settled: map[string]int{}}, nil
}

// beijingToday is the day in the zone the platform dates incidents in.
func beijingToday() anxin.Date {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return anxin.DateOf(time.Now().In(loc))
}

var (
	benchSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗"}
	benchGiven    = []string{"伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "建华", "晓燕", "志强", "海燕", "国庆"}
	benchBanks    = []string{"中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "招商银行", "交通银行"}
)

// benchPerson is one generated policyholder; the policy i is theirs.
type benchPerson struct {
	name, idNumber, mobile, bank, account string
	eff                                   anxin.Date
}

func (b *claimBench) person(r *rand.Rand, today anxin.Date) benchPerson {
	birth := time.Date(1960+r.IntN(40), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	return benchPerson{name: benchSurnames[r.IntN(len(benchSurnames))] + benchGiven[r.IntN(len(benchGiven))],
		idNumber: idcheck.GenerateResidentID(r, "", birth, r.IntN(2) == 0), mobile: idcheck.GenerateMobile(r),
		bank: benchBanks[r.IntN(len(benchBanks))], account: idcheck.GenerateBankCard(r), eff: today.AddDays(-400 - r.IntN(200))}
}

func (b *claimBench) policyNumber(i int) string {
	return fmt.Sprintf("PB%s%07d", strings.ToUpper(b.run), i)
}

// prepareService inserts the product, customers and policies through the
// service of the in-process server, a few at a time.
func (b *claimBench) prepareService(ctx context.Context, svc *service.Service, n int) error {
	actor := anxin.SystemActor("bench")
	if err := svc.PutProduct(ctx, actor, benchClaimProduct()); err != nil {
		return err
	}
	return b.prepare(ctx, n, 4, func(r *rand.Rand, i int, p benchPerson) (benchPolicy, error) {
		var c *anxin.Customer
		for try := 0; ; try++ {
			c = &anxin.Customer{Kind: anxin.Individual, Name: p.name, IDType: anxin.ResidentID, IDNumber: p.idNumber, Mobiles: []string{p.mobile}}
			err := svc.CreateCustomer(ctx, actor, c)
			if err == nil {
				break
			}
			if anxin.ErrorCode(err) != anxin.EConflict || try == 5 {
				return benchPolicy{}, fmt.Errorf("customer: %w", err)
			}
			p.idNumber = idcheck.GenerateResidentID(r, "", time.Date(1970+r.IntN(30), 3, 1+r.IntN(28), 0, 0, 0, 0, time.UTC), true)
		}
		pol := &anxin.Policy{Number: b.policyNumber(i), ProductCode: benchClaimProductCode, PolicyholderID: c.ID, InsuredID: c.ID, StatutoryHeirs: true,
			Premium: 680_00, PaymentFrequency: anxin.PaySingle, PaymentMethod: anxin.PayOnline, EffectiveDate: p.eff, ExpiryDate: p.eff.AddYears(3),
			UnderwritingDate: p.eff.AddDays(-2), Status: anxin.PolicyInForce, SalesChannel: "online"}
		if _, err := svc.CreatePolicy(ctx, actor, pol); err != nil {
			return benchPolicy{}, fmt.Errorf("policy: %w", err)
		}
		return benchPolicy{id: pol.ID, customerID: c.ID, payee: p.name, bank: p.bank, accnt: p.account}, nil
	})
}

// prepareAPI does the same through the API of the server under test.
func (b *claimBench) prepareAPI(ctx context.Context, n, workers int) error {
	body, _ := json.Marshal(benchClaimProduct())
	if status, resp, err := b.do(ctx, "PUT", "/api/v1/products/"+benchClaimProductCode, body); err != nil || status != http.StatusOK {
		return fmt.Errorf("product %s: %d %s %v", benchClaimProductCode, status, resp, err)
	}
	post := func(path string, v any) (string, int, []byte, error) {
		body, _ := json.Marshal(v)
		status, resp, err := b.do(ctx, "POST", path, body)
		if err != nil || status != http.StatusCreated {
			return "", status, resp, err
		}
		var created struct {
			ID string `json:"id"`
		}
		err = json.Unmarshal(resp, &created)
		return created.ID, status, resp, err
	}
	return b.prepare(ctx, n, max(4, min(workers, 16)), func(r *rand.Rand, i int, p benchPerson) (benchPolicy, error) {
		var custID string
		for try := 0; ; try++ {
			id, status, resp, err := post("/api/v1/customers", map[string]any{"kind": "individual", "name": p.name, "id_type": "resident_id",
				"id_number": p.idNumber, "mobiles": []string{p.mobile}})
			if err != nil {
				return benchPolicy{}, err
			}
			if status == http.StatusCreated {
				custID = id
				break
			}
			if status != http.StatusConflict || try == 5 {
				return benchPolicy{}, fmt.Errorf("customer: %d %s", status, resp)
			}
			p.idNumber = idcheck.GenerateResidentID(r, "", time.Date(1970+r.IntN(30), 3, 1+r.IntN(28), 0, 0, 0, 0, time.UTC), true)
		}
		polID, status, resp, err := post("/api/v1/policies", map[string]any{"number": b.policyNumber(i), "product_code": benchClaimProductCode,
			"policyholder_id": custID, "insured_id": custID, "statutory_heirs": true, "premium": 680_00, "payment_frequency": "single",
			"payment_method": "online", "effective_date": p.eff.String(), "expiry_date": p.eff.AddYears(3).String(),
			"underwriting_date": p.eff.AddDays(-2).String(), "status": "in_force", "sales_channel": "online"})
		if err != nil {
			return benchPolicy{}, err
		}
		if status != http.StatusCreated {
			return benchPolicy{}, fmt.Errorf("policy: %d %s", status, resp)
		}
		return benchPolicy{id: polID, customerID: custID, payee: p.name, bank: p.bank, accnt: p.account}, nil
	})
}

// prepare makes n policyholders with workers goroutines, each through mk.
func (b *claimBench) prepare(ctx context.Context, n, workers int, mk func(r *rand.Rand, i int, p benchPerson) (benchPolicy, error)) error {
	today := beijingToday()
	b.policies = make([]benchPolicy, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	seed := uint64(time.Now().UnixNano())
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				p, err := mk(r, i, b.person(r, today))
				if err != nil {
					errs[w] = err
					next.Add(int64(n)) // the others stop too
					return
				}
				b.policies[i] = p
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}

// benchClaimRequest is the body of POST /api/v1/claims.
type benchClaimRequest struct {
	PolicyID      string            `json:"policy_id"`
	Type          anxin.ClaimType   `json:"type"`
	Channel       anxin.Channel     `json:"channel"`
	IncidentDate  string            `json:"incident_date"`
	IncidentPlace string            `json:"incident_place"`
	Description   string            `json:"description"`
	Claimed       anxin.Fen         `json:"claimed"`
	Loss          anxin.ClaimLoss   `json:"loss"`
	Payout        anxin.Payout      `json:"payout"`
	Documents     []benchClaimDocIn `json:"documents"`
}

type benchClaimDocIn struct {
	ItemCode string `json:"item_code"`
	Filename string `json:"filename"`
	Content  []byte `json:"content"`
}

var benchHospitals = []string{"北京协和医院", "上海市第六人民医院", "广州市第一人民医院", "四川大学华西医院", "浙江大学医学院附属第一医院", "武汉同济医院"}
var benchDiagnoses = []string{"上呼吸道感染", "急性肠胃炎", "腰肌劳损", "过敏性鼻炎", "牙周炎", "结膜炎"}

// claimBody is claim k: on policy k mod n (so a policyholder's two claims
// are n claims apart, never at the same time), with documents whose bytes
// no other claim has.
func (b *claimBench) claimBody(r *rand.Rand, k int, today anxin.Date) []byte {
	p := b.policies[k%len(b.policies)]
	amount := anxin.Fen(30_00 + r.IntN(1_820_00))
	diag := benchDiagnoses[r.IntN(len(benchDiagnoses))]
	hosp := benchHospitals[r.IntN(len(benchHospitals))]
	day := today.AddDays(-1 - r.IntN(20))
	tag := fmt.Sprintf("%s-%d", b.run, k)
	req := benchClaimRequest{PolicyID: p.id, Type: anxin.ClaimMedical, Channel: anxin.ChannelApp, IncidentDate: day.String(), IncidentPlace: hosp,
		Description: "门诊：" + diag, Claimed: amount, Loss: anxin.ClaimLoss{Setting: anxin.SettingOutpatient, Expenses: amount},
		Payout: anxin.Payout{PayeeName: p.payee, BankName: p.bank, Account: p.accnt},
		Documents: []benchClaimDocIn{
			{ItemCode: "invoices", Filename: "发票.txt", Content: fmt.Appendf(nil, "%s 门诊收费票据 %s\n金额 %s\n", hosp, tag, amount)},
			{ItemCode: "expense_list", Filename: "费用清单.txt", Content: fmt.Appendf(nil, "费用清单 %s\n挂号 20.00；检查与药费 %s\n", tag, amount-20_00)},
			{ItemCode: "diagnosis", Filename: "诊断证明.txt", Content: fmt.Appendf(nil, "诊断证明 %s\n%s 诊断：%s\n", tag, day, diag)},
		}}
	body, _ := json.Marshal(req)
	return body
}

// claimAnswer is what the check reads from a 201.
type claimAnswer struct {
	Claim struct {
		Number         string `json:"number"`
		FastTrack      bool   `json:"fast_track"`
		FastTrackCheck []struct {
			Code   string `json:"code"`
			Passed bool   `json:"passed"`
		} `json:"fast_track_check"`
		RiskFlags []struct {
			Code string `json:"code"`
		} `json:"risk_flags"`
	} `json:"claim"`
	Decisions []struct {
		Automated bool      `json:"automated"`
		Status    string    `json:"status"`
		Outcome   string    `json:"outcome"`
		Payable   anxin.Fen `json:"payable"`
	} `json:"decisions"`
	Payments []struct {
		ID     string    `json:"id"`
		Amount anxin.Fen `json:"amount"`
		Status string    `json:"status"`
	} `json:"payments"`
}

// fastTracked says why an answer is not a claim decided, approved and
// given its payment instruction by the system, or "".
func (a *claimAnswer) fastTracked() string {
	switch {
	case len(a.Decisions) == 0 || !a.Decisions[0].Automated:
		var failed, flags []string
		for _, c := range a.Claim.FastTrackCheck {
			if !c.Passed {
				failed = append(failed, c.Code)
			}
		}
		for _, f := range a.Claim.RiskFlags {
			flags = append(flags, f.Code)
		}
		return fmt.Sprintf("claim %s not fast-tracked: failed %v, flags %v", a.Claim.Number, failed, flags)
	case a.Decisions[0].Status != anxin.DecisionApproved || a.Decisions[0].Outcome != string(anxin.OutcomePay) || a.Decisions[0].Payable <= 0:
		return fmt.Sprintf("claim %s: automated decision %s %s %s", a.Claim.Number, a.Decisions[0].Status, a.Decisions[0].Outcome, a.Decisions[0].Payable)
	case len(a.Payments) == 0 || a.Payments[0].Amount <= 0:
		return fmt.Sprintf("claim %s: approved without a payment instruction", a.Claim.Number)
	}
	return ""
}

// claimLevel is one client level's outcome.
type claimLevel struct {
	clients int
	ok      int
	errors  map[string]int
	sample  string
	lat     []time.Duration
	elapsed time.Duration
}

func (r *claimLevel) failed() int {
	n := 0
	for _, v := range r.errors {
		n += v
	}
	return n
}

func (r *claimLevel) String() string {
	pct := func(q float64) string { return fmtDuration(percentile(r.lat, q)) }
	var errs []string
	for _, st := range slices.Sorted(mapKeys(r.errors)) {
		errs = append(errs, fmt.Sprintf("%s×%d", st, r.errors[st]))
	}
	s := fmt.Sprintf("%7d %8d %7d %7.2f %9.1f %8s %8s %8s %8s  %s", r.clients, r.ok, r.failed(), r.elapsed.Seconds(),
		float64(r.ok)/r.elapsed.Seconds(), pct(.50), pct(.95), pct(.99), pct(1), strings.Join(errs, " "))
	if r.sample != "" {
		s += "\n        first error: " + r.sample
	}
	return s
}

// level runs clients concurrent loops until count claims have been sent
// or d has passed, whichever is first.
func (b *claimBench) level(ctx context.Context, clients, count int, d time.Duration) *claimLevel {
	var issued atomic.Int64
	today := beijingToday()
	deadline := time.Now().Add(d)
	res := &claimLevel{clients: clients, errors: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			var lat []time.Duration
			var numbers []string
			errs := map[string]int{}
			sample := ""
			fail := func(key, msg string) {
				errs[key]++
				if sample == "" {
					sample = msg
				}
			}
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if issued.Add(1) > int64(count) {
					break
				}
				body := b.claimBody(r, int(b.next.Add(1)-1), today)
				t0 := time.Now()
				status, resp, err := b.do(ctx, "POST", "/api/v1/claims", body)
				el := time.Since(t0)
				if err != nil {
					if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
						fail("timeout", err.Error())
					} else {
						fail("conn", err.Error())
					}
					continue
				}
				if status != http.StatusCreated {
					fail(strconv.Itoa(status), fmt.Sprintf("%d %.300s", status, resp))
					continue
				}
				var a claimAnswer
				if err := json.Unmarshal(resp, &a); err != nil {
					fail("201-unreadable", err.Error())
					continue
				}
				if why := a.fastTracked(); why != "" {
					fail("201-not-fast-tracked", why)
					continue
				}
				lat = append(lat, el)
				numbers = append(numbers, a.Claim.Number)
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			for k, n := range errs {
				res.errors[k] += n
			}
			if res.sample == "" {
				res.sample = sample
			}
			mu.Unlock()
			b.mu.Lock()
			b.numbers = append(b.numbers, numbers...)
			b.mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.lat)
	res.ok = len(res.lat)
	return res
}

// waitPayments polls the payment statuses until none is waiting or wait
// has passed.
func waitPayments(ctx context.Context, count func(context.Context) (map[string]int, error), wait time.Duration) (map[string]int, error) {
	deadline := time.Now().Add(wait)
	for {
		st, err := count(ctx)
		if err != nil || st[anxin.PaymentInstructed] == 0 || time.Now().After(deadline) {
			return st, err
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// selfPayments counts the payment instructions of the benchmark's claims
// by status, straight from the in-process server's database.
func selfPayments(ctx context.Context, svc *service.Service) (map[string]int, error) {
	rows, err := svc.DB.Reader().QueryContext(ctx, `SELECT p.status, COUNT(*) FROM claim_payments p
		JOIN claims c ON c.id = p.claim_id JOIN policies o ON o.id = c.policy_id
		WHERE o.product_code = $1 GROUP BY p.status`, benchClaimProductCode)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// apiPayments reads the payments of the claims this run fast-tracked
// through the API of the server under test; a claim whose payments are
// all settled is counted once and not read again.
func (b *claimBench) apiPayments(ctx context.Context) (map[string]int, error) {
	b.mu.Lock()
	todo := slices.Clone(b.numbers)
	b.mu.Unlock()
	open, settled := map[string]int{}, map[string]int{}
	var unsettled []string
	var mu sync.Mutex
	var firstErr error
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(todo) || ctx.Err() != nil {
					return
				}
				status, resp, err := b.do(ctx, "GET", "/api/v1/claims/"+todo[i], nil)
				var a claimAnswer
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("claim %s: %d %.200s", todo[i], status, resp)
				}
				if err == nil {
					err = json.Unmarshal(resp, &a)
				}
				done := err == nil && len(a.Payments) > 0
				for _, p := range a.Payments {
					done = done && p.Status != anxin.PaymentInstructed
				}
				mu.Lock()
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = err
					}
				case done:
					for _, p := range a.Payments {
						settled[p.Status]++
					}
				default:
					unsettled = append(unsettled, todo[i])
					for _, p := range a.Payments {
						open[p.Status]++
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.numbers = unsettled
	for st, n := range settled {
		b.settled[st] += n
	}
	for st, n := range b.settled {
		open[st] += n
	}
	return open, nil
}
