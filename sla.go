package anxin

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// SLATarget is one deadline of a service-level policy: either clock time
// (minutes, running 7×24 through nights and holidays) or working days from
// the calendar (the end of the nth working day after receipt). Exactly one
// is set.
type SLATarget struct {
	Minutes     int `json:"minutes,omitempty"`
	WorkingDays int `json:"working_days,omitempty"`
}

// String is the target as people say it.
func (t SLATarget) String() string {
	switch {
	case t.WorkingDays > 0:
		return fmt.Sprintf("%d working days", t.WorkingDays)
	case t.Minutes%60 == 0:
		return fmt.Sprintf("%d h", t.Minutes/60)
	}
	return fmt.Sprintf("%d min", t.Minutes)
}

// StringZH is the target in Chinese.
func (t SLATarget) StringZH() string {
	switch {
	case t.WorkingDays > 0:
		return fmt.Sprintf("%d 个工作日", t.WorkingDays)
	case t.Minutes%60 == 0:
		return fmt.Sprintf("%d 小时", t.Minutes/60)
	}
	return fmt.Sprintf("%d 分钟", t.Minutes)
}

// SLAPolicy chooses deadlines for the tickets it matches. Policies are data,
// tried in Position order; the first that matches wins, so a catch-all
// belongs last. An empty list matches anything.
type SLAPolicy struct {
	Code      string       `json:"code"`
	Name      string       `json:"name"`
	NameEN    string       `json:"name_en"`
	Position  int          `json:"position"`
	Channels  []Channel    `json:"channels,omitempty"`
	Types     []TicketType `json:"types,omitempty"`
	Urgencies []Urgency    `json:"urgencies,omitempty"`
	Tiers     []Tier       `json:"tiers,omitempty"`
	// VIPOnly matches only customers marked VIP (dedicated service).
	VIPOnly bool `json:"vip_only,omitempty"`

	FirstResponse SLATarget `json:"first_response"`
	Resolution    SLATarget `json:"resolution"`
	// PauseWhileWaiting stops both clocks while the ticket waits on the
	// customer; they resume when the customer answers on any channel.
	PauseWhileWaiting bool `json:"pause_while_waiting"`
	// WarnAtPercent warns when that share of the time has gone.
	WarnAtPercent []int `json:"warn_at_percent"`
	// WarnBeforeMinutes warns that long before the deadline.
	WarnBeforeMinutes []int `json:"warn_before_minutes"`
}

// SLAFacts is what a policy is matched against.
type SLAFacts struct {
	Channel Channel
	Type    TicketType
	Urgency Urgency
	Tier    Tier
	VIP     bool
}

// Matches reports whether the policy applies to a ticket with these facts.
func (p *SLAPolicy) Matches(f SLAFacts) bool {
	return (len(p.Channels) == 0 || slices.Contains(p.Channels, f.Channel)) &&
		(len(p.Types) == 0 || slices.Contains(p.Types, f.Type)) &&
		(len(p.Urgencies) == 0 || slices.Contains(p.Urgencies, f.Urgency)) &&
		(len(p.Tiers) == 0 || slices.Contains(p.Tiers, f.Tier)) &&
		(!p.VIPOnly || f.VIP)
}

// ChooseSLA returns the first policy in position order that matches, or nil.
func ChooseSLA(policies []SLAPolicy, f SLAFacts) *SLAPolicy {
	for i := range policies {
		if policies[i].Matches(f) {
			return &policies[i]
		}
	}
	return nil
}

// SortSLA puts policies in the order they are tried.
func SortSLA(ps []SLAPolicy) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Position < ps[j].Position })
}

// Validate checks one policy.
func (p *SLAPolicy) Validate() error {
	var pr Problems
	p.validate(&pr, "")
	return pr.Err()
}

func (p *SLAPolicy) validate(pr *Problems, prefix string) {
	if !codePattern.MatchString(p.Code) {
		pr.Add(prefix+"code", "format", "use lower-case letters, digits and underscores (2–32)", "只能使用小写字母、数字和下划线（2–32 位）")
	}
	if strings.TrimSpace(p.Name) == "" {
		pr.Required(prefix + "name")
	}
	for i, c := range p.Channels {
		if !ValidChannel(c) {
			pr.Add(fmt.Sprintf("%schannels[%d]", prefix, i), "enum", "is not a known channel", "不是已知的渠道")
		}
	}
	for i, u := range p.Urgencies {
		if u.Rank() < 0 {
			pr.Add(fmt.Sprintf("%surgencies[%d]", prefix, i), "enum", "is not a known urgency", "不是已知的紧急程度")
		}
	}
	for i, t := range p.Tiers {
		switch t {
		case TierDiamond, TierGold, TierSilver, TierOrdinary:
		default:
			pr.Add(fmt.Sprintf("%stiers[%d]", prefix, i), "enum", "is not a known tier", "不是已知的客户等级")
		}
	}
	checkTarget := func(field string, t SLATarget) {
		switch {
		case t.Minutes < 0 || t.WorkingDays < 0:
			pr.Add(prefix+field, "range", "must not be negative", "不能为负数")
		case (t.Minutes > 0) == (t.WorkingDays > 0):
			pr.Add(prefix+field, "required", "set either minutes (clock time) or working_days, not both", "请设置分钟（自然时间）或工作日其中之一")
		case t.Minutes > 366*24*60 || t.WorkingDays > 250:
			pr.Add(prefix+field, "range", "is longer than a year", "超过一年")
		}
	}
	checkTarget("first_response", p.FirstResponse)
	checkTarget("resolution", p.Resolution)
	for i, w := range p.WarnAtPercent {
		if w <= 0 || w >= 100 {
			pr.Add(fmt.Sprintf("%swarn_at_percent[%d]", prefix, i), "range", "must be between 1 and 99", "须在 1 到 99 之间")
		}
	}
	for i, w := range p.WarnBeforeMinutes {
		if w <= 0 {
			pr.Add(fmt.Sprintf("%swarn_before_minutes[%d]", prefix, i), "range", "must be positive", "须为正数")
		}
	}
}

// ValidateSLAPolicies checks a whole set: each policy, unique codes, and a
// catch-all so that every ticket gets deadlines.
func ValidateSLAPolicies(ps []SLAPolicy) error {
	var pr Problems
	if len(ps) == 0 {
		pr.Add("policies", "required", "at least one policy is needed", "至少需要一条时效策略")
	}
	seen := map[string]bool{}
	catchAll := false
	for i := range ps {
		p := &ps[i]
		prefix := fmt.Sprintf("policies[%d].", i)
		p.validate(&pr, prefix)
		if seen[p.Code] {
			pr.Add(prefix+"code", "duplicate", "appears twice", "重复")
		}
		seen[p.Code] = true
		if len(p.Channels)+len(p.Types)+len(p.Urgencies)+len(p.Tiers) == 0 && !p.VIPOnly {
			catchAll = true
		}
	}
	if len(ps) > 0 && !catchAll {
		pr.Add("policies", "catch_all", "one policy must match every ticket (no conditions)", "须有一条不设条件、适用于所有工单的策略")
	}
	return pr.Err()
}

// DefaultSLAPolicies are the seed's time standards: online enquiries
// answered within 2 hours; every email acknowledged within 2 hours and given
// a solution or progress within 24; emergencies within 30 minutes; the rest
// in working days.
var DefaultSLAPolicies = []SLAPolicy{
	{Code: "emergency", Name: "紧急事件", NameEN: "Emergencies", Position: 10,
		Types: []TicketType{TypeEmergency}, FirstResponse: SLATarget{Minutes: 30}, Resolution: SLATarget{Minutes: 24 * 60},
		WarnAtPercent: []int{80}, WarnBeforeMinutes: []int{10}},
	{Code: "urgent", Name: "特急请求", NameEN: "Urgent requests", Position: 20,
		Urgencies: []Urgency{UrgencyUrgent}, FirstResponse: SLATarget{Minutes: 60}, Resolution: SLATarget{WorkingDays: 1},
		PauseWhileWaiting: true, WarnAtPercent: []int{80}, WarnBeforeMinutes: []int{60}},
	{Code: "email", Name: "邮件", NameEN: "Email", Position: 30,
		Channels: []Channel{ChannelEmail}, FirstResponse: SLATarget{Minutes: 120}, Resolution: SLATarget{Minutes: 24 * 60},
		PauseWhileWaiting: true, WarnAtPercent: []int{80}, WarnBeforeMinutes: []int{60}},
	{Code: "online", Name: "在线咨询", NameEN: "Online enquiries", Position: 40,
		Channels:      []Channel{ChannelWebsite, ChannelApp, ChannelWeChat, ChannelSocial, ChannelSMS},
		FirstResponse: SLATarget{Minutes: 120}, Resolution: SLATarget{WorkingDays: 3},
		PauseWhileWaiting: true, WarnAtPercent: []int{80}, WarnBeforeMinutes: []int{60}},
	{Code: "complaint", Name: "投诉", NameEN: "Complaints", Position: 50,
		Types: []TicketType{TypeComplaint}, FirstResponse: SLATarget{WorkingDays: 1}, Resolution: SLATarget{Minutes: 15 * 24 * 60},
		WarnAtPercent: []int{80}, WarnBeforeMinutes: []int{24 * 60}},
	{Code: "standard", Name: "标准", NameEN: "Standard", Position: 100,
		FirstResponse: SLATarget{WorkingDays: 1}, Resolution: SLATarget{WorkingDays: 3},
		PauseWhileWaiting: true, WarnAtPercent: []int{80}, WarnBeforeMinutes: []int{60}},
}

// PhoneAnswerTarget is the seed's standard for picking up a call; every
// logged call records whether it was met.
const PhoneAnswerTarget = 30 * time.Second

// SLA targets a ticket has.
const (
	TargetResponse   = "response"
	TargetResolution = "resolution"
)

// SLAPoint is one moment a deadline's timer acts: a warning or the breach.
type SLAPoint struct {
	Target string    // response or resolution
	Name   string    // "warn80", "warn60m", "breach"
	At     time.Time // when it fires
	Due    time.Time // the deadline it belongs to
	// Escalate says the supervisor hears of it too: the last warning
	// before the deadline and the breach.
	Escalate bool
}

// SLAPoints lists every point of one target, in time order: the percentage
// warnings measured from start, the warnings before the deadline, and the
// breach. Points at or before start are dropped (a 30-minute target has no
// 60-minute warning).
func (p *SLAPolicy) SLAPoints(target string, start, due time.Time) []SLAPoint {
	var pts []SLAPoint
	span := due.Sub(start)
	for _, pc := range p.WarnAtPercent {
		at := start.Add(span * time.Duration(pc) / 100)
		pts = append(pts, SLAPoint{Target: target, Name: fmt.Sprintf("warn%d", pc), At: at, Due: due})
	}
	for _, m := range p.WarnBeforeMinutes {
		at := due.Add(-time.Duration(m) * time.Minute)
		if at.After(start) {
			pts = append(pts, SLAPoint{Target: target, Name: fmt.Sprintf("warn%dm", m), At: at, Due: due})
		}
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].At.Before(pts[j].At) })
	if n := len(pts); n > 1 {
		pts[n-1].Escalate = true
	}
	pts = append(pts, SLAPoint{Target: target, Name: "breach", At: due, Due: due, Escalate: true})
	return pts
}
