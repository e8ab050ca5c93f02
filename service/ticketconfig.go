package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/rules"
	"github.com/anxin-insure/anxin/store"
)

// Configuration kinds stored as documents. A kind with no stored documents
// uses the shipped defaults, so a fresh install works and an insurer edits
// only what differs.
const (
	configTicketType = "ticket_type"
	configSLA        = "sla_policy"
	configRouting    = "routing_rule"
	configTemplate   = "notice_template"
)

// NoticeTemplate is one customer notice in one language. Subject and Body
// are for email, SMS for text messages; all are Go text/templates over
// NoticeData.
type NoticeTemplate struct {
	Code    string `json:"code"`
	Lang    string `json:"lang"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	SMS     string `json:"sms"`
}

// NoticeData is what a template may use.
type NoticeData struct {
	Number       string
	Subject      string
	CustomerName string
	OwnerName    string
	Stage        string
	ExpectedBy   string // the resolution deadline, Beijing time
	RespondBy    string
	Message      string
	Missing      []string
	LookupURL    string
}

// ticketConfig is one consistent snapshot of the ticket configuration.
type ticketConfig struct {
	types     []anxin.TicketTypeDef
	sla       []anxin.SLAPolicy
	rules     []rules.Rule
	router    *rules.Router
	templates map[string]NoticeTemplate // code/lang
	compiled  map[string]*compiledTemplate
	loaded    time.Time
}

type compiledTemplate struct {
	subject, body, sms *template.Template
}

// configCache holds the snapshot for up to a second, so intake reads no
// configuration rows per request while an edit on any node takes effect
// everywhere within a second (at once on the node that made it).
type configCache struct {
	db         *store.DB
	mu         sync.Mutex
	cur        *ticketConfig
	refreshing bool
	gen        int // bumped by invalidate
}

const configTTL = time.Second

// get returns the configuration. As with the calendar, the lock is never
// held across the database read, and while one caller refreshes the
// others keep the configuration they had.
func (c *configCache) get(ctx context.Context) (*ticketConfig, error) {
	c.mu.Lock()
	cur, gen := c.cur, c.gen
	if cur != nil && (time.Since(cur.loaded) < configTTL || c.refreshing) {
		c.mu.Unlock()
		return cur, nil
	}
	c.refreshing = true
	c.mu.Unlock()
	cfg, err := loadConfig(ctx, c.db, nil)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshing = false
	if err != nil {
		return nil, err
	}
	if gen == c.gen {
		// Not invalidated while loading: what was read is current.
		c.cur = cfg
	}
	return cfg, nil
}

// current is the configuration for use inside a transaction: what is
// cached, however old, so that a transaction never waits for a second
// connection of the pool (which, with every connection held by
// transactions waiting on this one's locks, would never come). Only a cold
// cache loads.
func (c *configCache) current(ctx context.Context) (*ticketConfig, error) {
	c.mu.Lock()
	cur := c.cur
	c.mu.Unlock()
	if cur != nil {
		return cur, nil
	}
	return c.get(ctx)
}

func (c *configCache) invalidate() {
	c.mu.Lock()
	c.cur = nil
	c.gen++
	c.mu.Unlock()
}

func loadConfig(ctx context.Context, db *store.DB, tx *store.Tx) (*ticketConfig, error) {
	cfg := &ticketConfig{loaded: time.Now()}
	var err error
	if cfg.types, err = loadDocs(ctx, db, tx, configTicketType, anxin.DefaultTicketTypes); err != nil {
		return nil, err
	}
	if cfg.sla, err = loadDocs(ctx, db, tx, configSLA, anxin.DefaultSLAPolicies); err != nil {
		return nil, err
	}
	anxin.SortSLA(cfg.sla)
	if cfg.rules, err = loadDocs(ctx, db, tx, configRouting, rules.DefaultRules); err != nil {
		return nil, err
	}
	slices.SortStableFunc(cfg.rules, func(a, b rules.Rule) int { return a.Position - b.Position })
	if cfg.router, err = rules.NewRouter(cfg.rules); err != nil {
		return nil, fmt.Errorf("stored routing rules: %w", err)
	}
	tpls, err := loadDocs(ctx, db, tx, configTemplate, DefaultTemplates)
	if err != nil {
		return nil, err
	}
	cfg.templates = map[string]NoticeTemplate{}
	cfg.compiled = map[string]*compiledTemplate{}
	// Shipped templates stay as a fallback for any code/lang an insurer has
	// not overridden, so a new notice added in an upgrade always renders.
	for _, t := range append(slices.Clone(DefaultTemplates), tpls...) {
		ct, err := compileTemplate(t)
		if err != nil {
			return nil, fmt.Errorf("template %s/%s: %w", t.Code, t.Lang, err)
		}
		cfg.templates[t.Code+"/"+t.Lang] = t
		cfg.compiled[t.Code+"/"+t.Lang] = ct
	}
	return cfg, nil
}

func loadDocs[T any](ctx context.Context, db *store.DB, tx *store.Tx, kind string, defaults []T) ([]T, error) {
	docs, err := db.ConfigDocs(ctx, tx, kind)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return slices.Clone(defaults), nil
	}
	out := make([]T, 0, len(docs))
	for _, d := range docs {
		var v T
		if err := json.Unmarshal([]byte(d.Doc), &v); err != nil {
			return nil, fmt.Errorf("%s %s: %w", kind, d.Code, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func compileTemplate(t NoticeTemplate) (*compiledTemplate, error) {
	var ct compiledTemplate
	var err error
	parse := func(name, text string) *template.Template {
		if err != nil {
			return nil
		}
		var tp *template.Template
		tp, err = template.New(name).Option("missingkey=error").Parse(text)
		return tp
	}
	ct.subject = parse("subject", t.Subject)
	ct.body = parse("body", t.Body)
	ct.sms = parse("sms", t.SMS)
	if err != nil {
		return nil, err
	}
	// Render once with sample data: a template that names a field
	// NoticeData lacks is refused when saved, not when a customer waits.
	sample := NoticeData{Number: "GD20260101000001", Missing: []string{"x"}}
	for _, tp := range []*template.Template{ct.subject, ct.body, ct.sms} {
		if err := tp.Execute(&strings.Builder{}, sample); err != nil {
			return nil, err
		}
	}
	return &ct, nil
}

func (c *ticketConfig) ticketType(code anxin.TicketType) (anxin.TicketTypeDef, bool) {
	for _, t := range c.types {
		if t.Code == code {
			return t, true
		}
	}
	return anxin.TicketTypeDef{}, false
}

// render fills a template for a language, falling back to Chinese.
func (c *ticketConfig) render(code, lang string, d NoticeData) (subject, body, sms string, err error) {
	ct := c.compiled[code+"/"+lang]
	if ct == nil {
		ct = c.compiled[code+"/zh"]
	}
	if ct == nil {
		return "", "", "", fmt.Errorf("no notice template %s", code)
	}
	var b strings.Builder
	run := func(t *template.Template) string {
		b.Reset()
		if err == nil {
			err = t.Execute(&b, d)
		}
		return b.String()
	}
	subject, body, sms = run(ct.subject), run(ct.body), run(ct.sms)
	return strings.TrimSpace(subject), strings.TrimSpace(body), strings.TrimSpace(sms), err
}

// TicketConfig is the whole ticket configuration as the API shows it.
type TicketConfig struct {
	Types     []anxin.TicketTypeDef `json:"ticket_types"`
	SLA       []anxin.SLAPolicy     `json:"sla_policies"`
	Routing   []rules.Rule          `json:"routing_rules"`
	Templates []NoticeTemplate      `json:"notice_templates"`
}

// TicketConfiguration returns the configuration in force.
func (s *Service) TicketConfiguration(ctx context.Context, actor anxin.Actor) (*TicketConfig, error) {
	if err := authorize(actor, anxin.PermTicketRead); err != nil {
		return nil, err
	}
	cfg, err := s.config.get(ctx)
	if err != nil {
		return nil, err
	}
	out := &TicketConfig{Types: cfg.types, SLA: cfg.sla, Routing: cfg.rules}
	for _, t := range cfg.templates {
		out.Templates = append(out.Templates, t)
	}
	slices.SortFunc(out.Templates, func(a, b NoticeTemplate) int { return strings.Compare(a.Code+a.Lang, b.Code+b.Lang) })
	return out, nil
}

// PutSLAPolicies replaces the SLA policies. Tickets already open keep the
// deadlines they were given; new tickets get the new policies.
func (s *Service) PutSLAPolicies(ctx context.Context, actor anxin.Actor, ps []anxin.SLAPolicy) error {
	if err := authorize(actor, anxin.PermTicketConfig); err != nil {
		return err
	}
	if err := anxin.ValidateSLAPolicies(ps); err != nil {
		return err
	}
	return replaceConfigDocs(ctx, s, actor, configSLA, ps, func(p anxin.SLAPolicy) (string, int) { return p.Code, p.Position })
}

// PutRoutingRules replaces the routing rules after compiling every one.
func (s *Service) PutRoutingRules(ctx context.Context, actor anxin.Actor, rs []rules.Rule) error {
	if err := authorize(actor, anxin.PermTicketConfig); err != nil {
		return err
	}
	var p anxin.Problems
	seen := map[string]bool{}
	teams, err := s.DB.Teams(ctx, nil)
	if err != nil {
		return err
	}
	for i, r := range rs {
		f := fmt.Sprintf("rules[%d]", i)
		if r.Code == "" {
			p.Required(f + ".code")
		} else if seen[r.Code] {
			p.Add(f+".code", "duplicate", "appears twice", "重复")
		}
		seen[r.Code] = true
		if _, err := rules.Compile(r.When); err != nil {
			p.Add(f+".when", "syntax", "does not compile: "+firstLine(err.Error()), "条件表达式无法编译："+firstLine(err.Error()))
		}
		if !slices.ContainsFunc(teams, func(t store.Team) bool { return t.Code == r.Team }) {
			p.Add(f+".team", "unknown", "is not a team", "不是已有的团队")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	return replaceConfigDocs(ctx, s, actor, configRouting, rs, func(r rules.Rule) (string, int) { return r.Code, r.Position })
}

// PutTicketTypes replaces the ticket types; the shipped ones must stay, as
// other workflows depend on them.
func (s *Service) PutTicketTypes(ctx context.Context, actor anxin.Actor, ts []anxin.TicketTypeDef) error {
	if err := authorize(actor, anxin.PermTicketConfig); err != nil {
		return err
	}
	var p anxin.Problems
	for i := range ts {
		if err := ts[i].Validate(); err != nil {
			if ae, ok := err.(*anxin.Error); ok {
				for _, fe := range ae.Fields {
					p.Add(fmt.Sprintf("types[%d].%s", i, fe.Field), fe.Reason, fe.Message, fe.MessageZH)
				}
			}
		}
	}
	for _, d := range anxin.DefaultTicketTypes {
		if !slices.ContainsFunc(ts, func(t anxin.TicketTypeDef) bool { return t.Code == d.Code }) {
			p.Add("types", "required", "the shipped type "+string(d.Code)+" cannot be removed", "内置类型 "+string(d.Code)+" 不能删除")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	i := 0
	return replaceConfigDocs(ctx, s, actor, configTicketType, ts, func(t anxin.TicketTypeDef) (string, int) { i++; return string(t.Code), i })
}

// PutNoticeTemplate replaces one template after test-rendering it.
func (s *Service) PutNoticeTemplate(ctx context.Context, actor anxin.Actor, t NoticeTemplate) error {
	if err := authorize(actor, anxin.PermTicketConfig); err != nil {
		return err
	}
	var p anxin.Problems
	if !slices.ContainsFunc(DefaultTemplates, func(d NoticeTemplate) bool { return d.Code == t.Code }) {
		p.Add("code", "unknown", "is not a notice the platform sends", "不是平台发送的通知")
	}
	if t.Lang != "zh" && t.Lang != "en" {
		p.Add("lang", "enum", "must be zh or en", "须为 zh 或 en")
	}
	if strings.TrimSpace(t.Body) == "" {
		p.Required("body")
	}
	if _, err := compileTemplate(t); err != nil {
		p.Add("body", "template", "does not render: "+firstLine(err.Error()), "模板无法渲染："+firstLine(err.Error()))
	}
	if err := p.Err(); err != nil {
		return err
	}
	doc, _ := json.Marshal(t)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutConfig(ctx, configTemplate, t.Code+"."+t.Lang, 0, string(doc), actorLabel(actor)); err != nil {
			return err
		}
		r := AuditFor(actor, "config", configTemplate+":"+t.Code+"."+t.Lang, "update")
		return record(ctx, tx, r)
	})
	s.config.invalidate()
	return err
}

func replaceConfigDocs[T any](ctx context.Context, s *Service, actor anxin.Actor, kind string, items []T, key func(T) (string, int)) error {
	docs := make([]store.ConfigDoc, 0, len(items))
	for _, it := range items {
		b, err := json.Marshal(it)
		if err != nil {
			return err
		}
		code, pos := key(it)
		docs = append(docs, store.ConfigDoc{Code: code, Position: pos, Doc: string(b)})
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceConfig(ctx, kind, docs, actorLabel(actor)); err != nil {
			return err
		}
		r := AuditFor(actor, "config", kind, "update")
		r.Detail = fmt.Sprintf("%d documents", len(docs))
		return record(ctx, tx, r)
	})
	s.config.invalidate()
	return err
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// DefaultTemplates are the shipped customer notices, Chinese and English.
var DefaultTemplates = []NoticeTemplate{
	{Code: "ticket_received", Lang: "zh",
		Subject: "[{{.Number}}] 我们已收到您的请求：{{.Subject}}",
		Body: `尊敬的{{if .CustomerName}}{{.CustomerName}}{{else}}客户{{end}}：

您的请求已受理，工单号为 {{.Number}}。我们将在 {{.RespondBy}} 前与您联系，预计在 {{.ExpectedBy}} 前办结。
{{if .LookupURL}}您可随时凭工单号和手机号后四位查询进度：{{.LookupURL}}
{{end}}回复本邮件即可补充信息，无需重复说明。

安心客户服务中心`,
		SMS: `【安心】您的请求已受理，工单号{{.Number}}，预计{{.ExpectedBy}}前办结。凭工单号及手机号后四位可查询进度。`},
	{Code: "ticket_received", Lang: "en",
		Subject: "[{{.Number}}] We have received your request: {{.Subject}}",
		Body: `Dear {{if .CustomerName}}{{.CustomerName}}{{else}}customer{{end}},

Your request has been received as ticket {{.Number}}. We will contact you by {{.RespondBy}} and expect to complete it by {{.ExpectedBy}}.
{{if .LookupURL}}You can check its progress at any time with the ticket number and the last four digits of your mobile: {{.LookupURL}}
{{end}}Reply to this email to add anything; you will not need to repeat yourself.

Anxin Customer Service`,
		SMS: `[Anxin] Request received, ticket {{.Number}}, expected completion {{.ExpectedBy}}.`},
	{Code: "ticket_acknowledged", Lang: "zh",
		Subject: "[{{.Number}}] 您的请求由{{.OwnerName}}负责处理",
		Body: `尊敬的{{if .CustomerName}}{{.CustomerName}}{{else}}客户{{end}}：

您的请求（工单号 {{.Number}}）由 {{.OwnerName}} 全程负责，预计在 {{.ExpectedBy}} 前办结。
{{if .Message}}
{{.Message}}
{{end}}
安心客户服务中心`,
		SMS: `【安心】工单{{.Number}}由{{.OwnerName}}负责，预计{{.ExpectedBy}}前办结。`},
	{Code: "ticket_acknowledged", Lang: "en",
		Subject: "[{{.Number}}] {{.OwnerName}} is handling your request",
		Body: `Dear {{if .CustomerName}}{{.CustomerName}}{{else}}customer{{end}},

{{.OwnerName}} is responsible for your request (ticket {{.Number}}) from start to finish and expects to complete it by {{.ExpectedBy}}.
{{if .Message}}
{{.Message}}
{{end}}
Anxin Customer Service`,
		SMS: `[Anxin] Ticket {{.Number}} is handled by {{.OwnerName}}, expected by {{.ExpectedBy}}.`},
	{Code: "ticket_reply", Lang: "zh",
		Subject: "[{{.Number}}] {{.Subject}}",
		Body: `{{.Message}}

——
{{.OwnerName}}，安心客户服务中心（工单号 {{.Number}}，回复本邮件即可继续沟通）`,
		SMS: `【安心】工单{{.Number}}：{{.Message}}`},
	{Code: "ticket_reply", Lang: "en",
		Subject: "[{{.Number}}] {{.Subject}}",
		Body: `{{.Message}}

--
{{.OwnerName}}, Anxin Customer Service (ticket {{.Number}}; reply to this email to continue)`,
		SMS: `[Anxin] Ticket {{.Number}}: {{.Message}}`},
	{Code: "documents_missing", Lang: "zh",
		Subject: "[{{.Number}}] 请补充以下材料",
		Body: `尊敬的{{if .CustomerName}}{{.CustomerName}}{{else}}客户{{end}}：

为办理您的请求（工单号 {{.Number}}），还需要以下材料，请一次提供：
{{range .Missing}}  · {{.}}
{{end}}
您可直接回复本邮件附上材料，或在自助服务页面上传。

安心客户服务中心`,
		SMS: `【安心】工单{{.Number}}还需补充：{{range $i, $m := .Missing}}{{if $i}}、{{end}}{{$m}}{{end}}。可在自助服务页面上传。`},
	{Code: "documents_missing", Lang: "en",
		Subject: "[{{.Number}}] Documents we still need",
		Body: `Dear {{if .CustomerName}}{{.CustomerName}}{{else}}customer{{end}},

To complete your request (ticket {{.Number}}) we still need the following, all at once:
{{range .Missing}}  - {{.}}
{{end}}
Reply to this email with them attached, or upload them on the self-service page.

Anxin Customer Service`,
		SMS: `[Anxin] Ticket {{.Number}} still needs: {{range $i, $m := .Missing}}{{if $i}}, {{end}}{{$m}}{{end}}.`},
	{Code: "claim_decided", Lang: "zh",
		Subject: "[{{.Number}}] 理赔决定通知",
		Body: `尊敬的{{if .CustomerName}}{{.CustomerName}}{{else}}客户{{end}}：

{{.Message}}
理赔决定书可在自助服务页面查看和下载。{{if .LookupURL}}
{{.LookupURL}}{{end}}

安心理赔服务中心`,
		SMS: `【安心】{{.Message}}`},
	{Code: "claim_decided", Lang: "en",
		Subject: "[{{.Number}}] Your claim decision",
		Body: `Dear {{if .CustomerName}}{{.CustomerName}}{{else}}customer{{end}},

{{.Message}}
The decision letter is on the self-service page.{{if .LookupURL}}
{{.LookupURL}}{{end}}

Anxin Claims Service`,
		SMS: `[Anxin] {{.Message}}`},
	{Code: "ticket_resolved", Lang: "zh",
		Subject: "[{{.Number}}] 您的请求已办结",
		Body: `尊敬的{{if .CustomerName}}{{.CustomerName}}{{else}}客户{{end}}：

您的请求（工单号 {{.Number}}）已办结。
{{if .Message}}
{{.Message}}
{{end}}
请对本次服务评分（1–5 分）：{{if .LookupURL}}{{.LookupURL}}{{else}}回复本邮件一个数字即可{{end}}。如仍有疑问，回复本邮件即可重新打开工单。

安心客户服务中心`,
		SMS: `【安心】工单{{.Number}}已办结，欢迎对本次服务评分。如有疑问请回复。`},
	{Code: "ticket_resolved", Lang: "en",
		Subject: "[{{.Number}}] Your request is resolved",
		Body: `Dear {{if .CustomerName}}{{.CustomerName}}{{else}}customer{{end}},

Your request (ticket {{.Number}}) is resolved.
{{if .Message}}
{{.Message}}
{{end}}
Please rate our service from 1 to 5: {{if .LookupURL}}{{.LookupURL}}{{else}}reply with a number{{end}}. If anything is still unclear, reply to this email and the ticket reopens.

Anxin Customer Service`,
		SMS: `[Anxin] Ticket {{.Number}} is resolved. Please rate our service.`},
}
