package anxin

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Channel is where a request reached the insurer. Every channel opens the
// same kind of ticket, so a request started on one continues on another.
type Channel string

const (
	ChannelPhone   Channel = "phone"   // 电话
	ChannelCounter Channel = "counter" // 柜面
	ChannelWebsite Channel = "website" // 官网
	ChannelApp     Channel = "app"     // 移动应用
	ChannelEmail   Channel = "email"   // 邮件
	ChannelWeChat  Channel = "wechat"  // 微信
	ChannelSMS     Channel = "sms"     // 短信
	ChannelLetter  Channel = "letter"  // 信函
	ChannelSocial  Channel = "social"  // 社交媒体
	ChannelAgent   Channel = "agent"   // 代理人
	ChannelBank    Channel = "bank"    // 银行网点
	ChannelDealer  Channel = "dealer"  // 4S 店
	ChannelAPI     Channel = "api"     // 开放接口
)

// Channels lists every channel with its names, in the order forms show them.
var Channels = []struct {
	Channel      Channel
	Name, NameEN string
}{
	{ChannelPhone, "电话", "Phone"},
	{ChannelCounter, "柜面", "Branch counter"},
	{ChannelWebsite, "官网", "Website"},
	{ChannelApp, "移动应用", "Mobile app"},
	{ChannelEmail, "邮件", "Email"},
	{ChannelWeChat, "微信", "WeChat"},
	{ChannelSMS, "短信", "SMS"},
	{ChannelLetter, "信函", "Letter"},
	{ChannelSocial, "社交媒体", "Social media"},
	{ChannelAgent, "代理人", "Agent"},
	{ChannelBank, "银行网点", "Bank branch"},
	{ChannelDealer, "4S 店", "Car dealer"},
	{ChannelAPI, "开放接口", "API"},
}

// ValidChannel reports whether c is a known channel.
func ValidChannel(c Channel) bool {
	return slices.ContainsFunc(Channels, func(x struct {
		Channel      Channel
		Name, NameEN string
	}) bool {
		return x.Channel == c
	})
}

// TicketType says what a request is about. The shipped types are below;
// more are configured as data (ticket_types), so TicketType is open.
type TicketType string

const (
	TypeEnquiry         TicketType = "enquiry"          // 咨询
	TypeClaimAssistance TicketType = "claim_assistance" // 理赔协助
	TypePolicyChange    TicketType = "policy_change"    // 保全变更
	TypeComplaint       TicketType = "complaint"        // 投诉
	TypeServicePlan     TicketType = "service_plan"     // 服务计划与续期
	TypeEmergency       TicketType = "emergency"        // 紧急事件
	TypeOther           TicketType = "other"            // 其他
)

// TicketTypeDef is one configured ticket type and its document checklist.
type TicketTypeDef struct {
	Code      TicketType     `json:"code"`
	Name      string         `json:"name"`
	NameEN    string         `json:"name_en"`
	Checklist []ChecklistDef `json:"checklist"`
}

// ChecklistDef is one document a ticket of a type needs.
type ChecklistDef struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// DefaultTicketTypes are the shipped types. Their checklists are the
// seed's "standard document lists per request type", which prevent the
// commonest delay: materials that arrive one piece at a time.
var DefaultTicketTypes = []TicketTypeDef{
	{Code: TypeEnquiry, Name: "咨询", NameEN: "Enquiry"},
	{Code: TypeClaimAssistance, Name: "理赔协助", NameEN: "Claim assistance", Checklist: []ChecklistDef{
		{"id_proof", "身份证明", "Proof of identity"},
		{"claim_form", "理赔申请书", "Claim application form"},
		{"incident_proof", "事故或诊断证明", "Proof of the incident or diagnosis"},
		{"invoices", "费用发票", "Invoices"},
		{"bank_account", "收款银行账户", "Bank account for payment"},
	}},
	{Code: TypePolicyChange, Name: "保全变更", NameEN: "Policy change", Checklist: []ChecklistDef{
		{"id_proof", "身份证明", "Proof of identity"},
		{"application_form", "变更申请书", "Change application form"},
	}},
	{Code: TypeComplaint, Name: "投诉", NameEN: "Complaint"},
	{Code: TypeServicePlan, Name: "服务计划与续期", NameEN: "Service plan / renewal"},
	{Code: TypeEmergency, Name: "紧急事件", NameEN: "Emergency"},
	{Code: TypeOther, Name: "其他", NameEN: "Other"},
}

// Validate checks a type definition before it is stored.
func (d *TicketTypeDef) Validate() error {
	var p Problems
	if !codePattern.MatchString(string(d.Code)) {
		p.Add("code", "format", "use lower-case letters, digits and underscores (2–32)", "只能使用小写字母、数字和下划线（2–32 位）")
	}
	if strings.TrimSpace(d.Name) == "" {
		p.Required("name")
	}
	seen := map[string]bool{}
	for i, c := range d.Checklist {
		f := fmt.Sprintf("checklist[%d]", i)
		if !codePattern.MatchString(c.Code) {
			p.Add(f+".code", "format", "use lower-case letters, digits and underscores (2–32)", "只能使用小写字母、数字和下划线（2–32 位）")
		} else if seen[c.Code] {
			p.Add(f+".code", "duplicate", "appears twice", "重复")
		}
		seen[c.Code] = true
		if strings.TrimSpace(c.Name) == "" {
			p.Required(f + ".name")
		}
	}
	return p.Err()
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// Urgency orders work within a queue and can choose a faster SLA.
type Urgency string

const (
	UrgencyLow    Urgency = "low"
	UrgencyNormal Urgency = "normal"
	UrgencyHigh   Urgency = "high"
	UrgencyUrgent Urgency = "urgent"
)

// Urgencies lists the urgencies from least to most urgent.
var Urgencies = []Urgency{UrgencyLow, UrgencyNormal, UrgencyHigh, UrgencyUrgent}

// Rank orders urgencies: higher is more urgent; unknown is -1.
func (u Urgency) Rank() int { return slices.Index(Urgencies, u) }

// Stage is where a ticket is in the seed's four steps, plus the two detours
// real work takes.
type Stage string

const (
	StageReceived     Stage = "received"         // 受理
	StageAcknowledged Stage = "acknowledged"     // 响应
	StageInProgress   Stage = "in_progress"      // 处理
	StageWaiting      Stage = "waiting_customer" // 待客户补充
	StageResolved     Stage = "resolved"         // 反馈
	StageClosed       Stage = "closed"           // 已关闭
	StageReopened     Stage = "reopened"         // 重新打开
)

// Stages lists the stages in the order a ticket usually passes them.
var Stages = []Stage{StageReceived, StageAcknowledged, StageInProgress, StageWaiting, StageResolved, StageClosed, StageReopened}

// stageMoves is the whole state machine. A ticket is acknowledged (the
// customer told the owner and the expected date) before work starts;
// a question answered during the first contact may go straight to
// resolved, which then counts as the response too.
var stageMoves = map[Stage][]Stage{
	StageReceived:     {StageAcknowledged, StageResolved},
	StageAcknowledged: {StageInProgress, StageWaiting, StageResolved},
	StageInProgress:   {StageWaiting, StageResolved},
	StageWaiting:      {StageInProgress, StageResolved},
	StageResolved:     {StageClosed, StageReopened},
	StageReopened:     {StageInProgress, StageWaiting, StageResolved},
	StageClosed:       {StageReopened},
}

// CanMove reports whether a ticket may go from one stage to another.
func CanMove(from, to Stage) bool { return slices.Contains(stageMoves[from], to) }

// NextStages lists where a ticket may go from s.
func NextStages(s Stage) []Stage { return slices.Clone(stageMoves[s]) }

// Open reports whether work on a ticket in stage s is still owed: it
// counts against its owner's capacity and its deadlines run.
func (s Stage) Open() bool { return s != StageResolved && s != StageClosed }

// MoveError is the error for a transition the state machine refuses.
func MoveError(from, to Stage) error {
	allowed := make([]string, 0, 3)
	for _, s := range stageMoves[from] {
		allowed = append(allowed, string(s))
	}
	return &Error{Code: EConflict,
		Message:   fmt.Sprintf("a ticket in stage %s cannot move to %s (allowed: %s)", from, to, strings.Join(allowed, ", ")),
		MessageZH: fmt.Sprintf("工单当前为“%s”，不能变更为“%s”（可变更为：%s）", StageName(from, "zh"), StageName(to, "zh"), stageNames(stageMoves[from])),
		Fields:    []FieldError{{Field: "stage", Reason: "transition", Message: "not allowed from " + string(from), MessageZH: "当前阶段不允许此变更"}}}
}

var stageNamesZH = map[Stage]string{
	StageReceived: "已受理", StageAcknowledged: "已响应", StageInProgress: "处理中", StageWaiting: "待客户补充",
	StageResolved: "已反馈", StageClosed: "已关闭", StageReopened: "重新打开",
}
var stageNamesEN = map[Stage]string{
	StageReceived: "Received", StageAcknowledged: "Acknowledged", StageInProgress: "In progress", StageWaiting: "Waiting on customer",
	StageResolved: "Resolved", StageClosed: "Closed", StageReopened: "Reopened",
}

// StageName is a stage's name in lang ("zh" or "en").
func StageName(s Stage, lang string) string {
	if lang == "en" {
		return cmpOr(stageNamesEN[s], string(s))
	}
	return cmpOr(stageNamesZH[s], string(s))
}

func stageNames(ss []Stage) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = StageName(s, "zh")
	}
	return strings.Join(out, "、")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Verification records how the customer's identity was checked at intake.
type Verification struct {
	Method string    `json:"method"` // id_document, sms_code, security_questions, video, signed_in, none
	Result string    `json:"result"` // passed, failed, not_verified
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// VerificationMethods and VerificationResults are the accepted values.
var (
	VerificationMethods = []string{"id_document", "sms_code", "security_questions", "video", "signed_in", "none"}
	VerificationResults = []string{"passed", "failed", "not_verified"}
)

// Contact is who to answer when the requester is not (yet) a known
// customer, e.g. a first email from an unknown address.
type Contact struct {
	Name   string `json:"name,omitempty"`
	Email  string `json:"email,omitempty"`
	Mobile string `json:"mobile,omitempty"`
}

// Ticket is one customer request (工单) with one owner and its deadlines.
// Claims, policy changes and complaints are tickets of their types; their
// own workflows keep their detail in their own tables keyed by ticket id.
type Ticket struct {
	ID           string       `json:"id"`
	Number       string       `json:"number"`
	Type         TicketType   `json:"type"`
	Channel      Channel      `json:"channel"`
	Urgency      Urgency      `json:"urgency"`
	Stage        Stage        `json:"stage"`
	Subject      string       `json:"subject"`
	Description  string       `json:"description,omitempty"`
	Language     string       `json:"language"`
	CustomerID   string       `json:"customer_id,omitempty"`
	PolicyID     string       `json:"policy_id,omitempty"`
	Contact      Contact      `json:"contact,omitzero"`
	Verification Verification `json:"verification"`

	OwnerID        string    `json:"owner_id,omitempty"`
	OwnerName      string    `json:"owner_name,omitempty"`
	Team           string    `json:"team,omitempty"`
	Skills         []string  `json:"skills,omitempty"`
	RoutingRule    string    `json:"routing_rule,omitempty"`
	Collaborators  []string  `json:"collaborators,omitempty"`
	ReceivedBy     string    `json:"received_by,omitempty"`
	SLAPolicy      string    `json:"sla_policy"`
	ResponseDue    time.Time `json:"response_due"`
	ResolutionDue  time.Time `json:"resolution_due"`
	Provisional    bool      `json:"deadline_provisional,omitempty"`
	RespondedAt    time.Time `json:"responded_at,omitzero"`
	ResolvedAt     time.Time `json:"resolved_at,omitzero"`
	ClosedAt       time.Time `json:"closed_at,omitzero"`
	PausedAt       time.Time `json:"paused_at,omitzero"`
	PausedSeconds  int64     `json:"paused_seconds,omitempty"`
	ResponseBreach bool      `json:"response_breached"`
	ResolveBreach  bool      `json:"resolution_breached"`
	Satisfaction   int       `json:"satisfaction,omitempty"` // 1–5, asked at resolution
	SourceRef      string    `json:"-"`                      // the inbound email's Message-ID, against double intake

	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TicketNumberPattern is the form of a ticket number: GD, the Beijing date
// it was received, and a six-digit sequence of that day.
var TicketNumberPattern = regexp.MustCompile(`^GD[0-9]{14}$`)

// TicketNumber formats the nth ticket received on a Beijing date.
func TicketNumber(day time.Time, n int64) string {
	return fmt.Sprintf("GD%s%06d", day.Format("20060102"), n)
}

// Validate checks the fields a creator supplies. Channels and urgencies are
// closed lists; types are checked against the configured list by the caller.
func (t *Ticket) Validate() error {
	var p Problems
	if !ValidChannel(t.Channel) {
		p.Add("channel", "enum", "is not a known channel", "不是已知的渠道")
	}
	if t.Type == "" {
		p.Required("type")
	}
	if t.Urgency.Rank() < 0 {
		p.Add("urgency", "enum", "must be low, normal, high or urgent", "须为 low、normal、high 或 urgent")
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(t.Subject)); {
	case n == 0:
		p.Required("subject")
	case n > 200:
		p.Add("subject", "too_long", "at most 200 characters", "不超过 200 个字")
	}
	if utf8.RuneCountInString(t.Description) > 20000 {
		p.Add("description", "too_long", "at most 20,000 characters", "不超过 20000 个字")
	}
	if t.Language != "zh" && t.Language != "en" {
		p.Add("language", "enum", "must be zh or en", "须为 zh 或 en")
	}
	if t.CustomerID == "" && t.Contact.Email == "" && t.Contact.Mobile == "" {
		p.Add("customer_id", "required", "name the customer, or give a contact email or mobile to answer", "请指定客户，或提供用于答复的邮箱或手机号")
	}
	if t.Contact.Mobile != "" && !mobilePattern.MatchString(t.Contact.Mobile) {
		p.Add("contact.mobile", "format", "is not a mainland mobile number (11 digits starting 1)", "不是有效的手机号（以 1 开头的 11 位数字）")
	}
	if t.Contact.Email != "" && !emailPattern.MatchString(t.Contact.Email) {
		p.Add("contact.email", "format", "is not an email address", "不是有效的邮箱地址")
	}
	v := t.Verification
	if v.Method != "" && !slices.Contains(VerificationMethods, v.Method) {
		p.Add("verification.method", "enum", "is not a known verification method", "不是已知的身份核验方式")
	}
	if v.Result != "" && !slices.Contains(VerificationResults, v.Result) {
		p.Add("verification.result", "enum", "must be passed, failed or not_verified", "须为 passed、failed 或 not_verified")
	}
	return p.Err()
}

var (
	mobilePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	emailPattern  = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// Normalize fills defaults before validation.
func (t *Ticket) Normalize() {
	t.Subject = strings.TrimSpace(t.Subject)
	t.Contact.Email = strings.ToLower(strings.TrimSpace(t.Contact.Email))
	t.Contact.Mobile = strings.TrimSpace(t.Contact.Mobile)
	if t.Urgency == "" {
		t.Urgency = UrgencyNormal
	}
	if t.Language == "" {
		t.Language = "zh"
	}
	if t.Verification.Method == "" {
		t.Verification.Method = "none"
	}
	if t.Verification.Result == "" {
		t.Verification.Result = "not_verified"
	}
}

// EventKind names an entry of a ticket's timeline.
type EventKind string

const (
	EventCreated      EventKind = "created"
	EventMessageIn    EventKind = "message_in"  // from the customer, any channel
	EventMessageOut   EventKind = "message_out" // to the customer
	EventNote         EventKind = "note"        // internal, never shown to the customer
	EventCall         EventKind = "call"
	EventStage        EventKind = "stage"
	EventAssigned     EventKind = "assigned"
	EventTransferred  EventKind = "transferred"
	EventCollaborator EventKind = "collaborator"
	EventDocument     EventKind = "document"
	EventChecklist    EventKind = "checklist"
	EventNotice       EventKind = "notice"
	EventSLAWarning   EventKind = "sla_warning"
	EventSLABreach    EventKind = "sla_breach"
	EventSatisfaction EventKind = "satisfaction"
)

// TicketEvent is one entry of the timeline a ticket and its customer share.
type TicketEvent struct {
	ID         string         `json:"id"`
	TicketID   string         `json:"ticket_id"`
	Number     string         `json:"ticket_number,omitempty"`
	CustomerID string         `json:"customer_id,omitempty"`
	At         time.Time      `json:"at"`
	Kind       EventKind      `json:"kind"`
	Channel    string         `json:"channel,omitempty"`
	ActorKind  string         `json:"actor_kind"`
	ActorID    string         `json:"actor_id,omitempty"`
	ActorName  string         `json:"actor_name,omitempty"`
	Body       string         `json:"body,omitempty"`
	Data       map[string]any `json:"data,omitempty"`
}

// Public reports whether the customer may see the event.
func (e *TicketEvent) Public() bool {
	switch e.Kind {
	case EventNote, EventSLAWarning, EventSLABreach, EventCollaborator, EventTransferred, EventCall:
		// A call's summary is staff's own note of it.
		return false
	}
	return true
}

// publicData are the event details a customer may see: where a stage
// change went, which document an entry is about, the score they gave.
var publicData = []string{"from", "to", "code", "status", "score", "filename"}

// ForCustomer strips an event to what its customer may see.
func (e *TicketEvent) ForCustomer() {
	if len(e.Data) == 0 {
		return
	}
	kept := map[string]any{}
	for _, k := range publicData {
		if v, ok := e.Data[k]; ok {
			kept[k] = v
		}
	}
	e.Data = kept
	if len(kept) == 0 {
		e.Data = nil
	}
}

// Checklist item states.
const (
	ItemMissing  = "missing"
	ItemReceived = "received"
	ItemRejected = "rejected"
)

// ChecklistItem is one document a ticket needs and where it stands.
type ChecklistItem struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	NameEN    string    `json:"name_en"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Attachment is a document a ticket received; the content lives under the
// data directory, sealed, named by its SHA-256.
type Attachment struct {
	ID          string    `json:"id"`
	TicketID    string    `json:"ticket_id"`
	SHA256      string    `json:"sha256"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	ItemCode    string    `json:"item_code,omitempty"`
	UploadedBy  string    `json:"uploaded_by"`
	At          time.Time `json:"at"`
}

// TicketFilter selects tickets for a queue or a search.
type TicketFilter struct {
	Queue      string // mine, team, due_soon, breached, unassigned, or "" for all
	StaffID    string // whose "mine"
	Team       string // whose "team"
	CustomerID string
	Type       TicketType
	Channel    Channel
	Urgency    Urgency
	Tier       Tier
	Stage      Stage
	Open       bool
	DueBefore  time.Time
	Now        time.Time
	After      string // cursor
	Limit      int
}
