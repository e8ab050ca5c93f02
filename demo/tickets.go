package demo

import "github.com/anxin-insure/anxin"

// Team is a demo team and the username of its supervisor.
type Team struct {
	Code, Name, NameEN string
	Supervisor         string
}

// Teams are the demo's teams, matching the shipped routing rules.
var Teams = []Team{
	{"service", "客服组", "Customer service", "supervisor"},
	{"claims", "理赔组", "Claims", "supervisor"},
	{"policy_change", "保全组", "Policy changes", "supervisor"},
	{"complaints", "投诉组", "Complaints", "supervisor"},
	{"supervisors", "服务主管组", "Supervisors", "director"},
}

// Agent is a demo account that takes tickets. Demo shifts run all day
// every day, so routing shows its work whenever someone tries the demo;
// a real roster has 09:00–18:00 on working days and the like.
type Agent struct {
	Username string
	Team     string
	Skills   []string
	Capacity int
}

// Agents are the demo's agents.
var Agents = []Agent{
	{"csr", "service", []string{"english", "auto"}, 10},
	{"csr2", "service", []string{"auto"}, 10},
	{"claims", "claims", nil, 10},
	{"policychange", "policy_change", nil, 10},
	{"complaints", "complaints", nil, 10},
	{"supervisor", "supervisors", []string{"english"}, 20},
}

// TicketSample is one demo request: which customer (by index into the
// dataset), how it came in, and how far it has got.
type TicketSample struct {
	Customer    int
	Channel     anxin.Channel
	Type        anxin.TicketType
	Urgency     anxin.Urgency
	Subject     string
	Description string
	// Stages it is moved through after intake, in order.
	Stages []anxin.Stage
}

// Tickets are the demo's requests, on every kind of channel.
var Tickets = []TicketSample{
	{0, anxin.ChannelPhone, anxin.TypeEnquiry, anxin.UrgencyNormal, "询问保单生效日期", "客户来电询问新投保的保单何时生效、犹豫期多久。", []anxin.Stage{anxin.StageAcknowledged, anxin.StageResolved}},
	{1, anxin.ChannelWeChat, anxin.TypeEnquiry, anxin.UrgencyNormal, "续期缴费方式咨询", "想把续期缴费从银行转账改为自动扣款。", []anxin.Stage{anxin.StageAcknowledged}},
	{2, anxin.ChannelApp, anxin.TypeClaimAssistance, anxin.UrgencyHigh, "住院医疗理赔材料咨询", "上周住院，想了解理赔需要哪些材料。", []anxin.Stage{anxin.StageAcknowledged, anxin.StageInProgress}},
	{3, anxin.ChannelEmail, anxin.TypeEnquiry, anxin.UrgencyNormal, "Policy document copy", "Please send me an electronic copy of my policy document.", nil},
	{4, anxin.ChannelCounter, anxin.TypePolicyChange, anxin.UrgencyNormal, "变更受益人", "客户到柜面申请将受益人由父母变更为配偶。", []anxin.Stage{anxin.StageAcknowledged, anxin.StageWaiting}},
	{5, anxin.ChannelPhone, anxin.TypeComplaint, anxin.UrgencyHigh, "理赔进度慢，要求说明", "客户投诉车险理赔已两周未结案。", []anxin.Stage{anxin.StageAcknowledged, anxin.StageInProgress}},
	{6, anxin.ChannelWebsite, anxin.TypeServicePlan, anxin.UrgencyLow, "尊享服务计划续费", "服务期即将到期，咨询尊享计划续费价格。", nil},
	{7, anxin.ChannelBank, anxin.TypeEnquiry, anxin.UrgencyNormal, "银行网点代客户查询保单", "银行理财经理代客户查询保单现金价值。", []anxin.Stage{anxin.StageAcknowledged, anxin.StageResolved, anxin.StageClosed}},
	{8, anxin.ChannelDealer, anxin.TypeClaimAssistance, anxin.UrgencyUrgent, "4S 店报案：追尾事故", "客户车辆追尾，4S 店代为报案并送修。", []anxin.Stage{anxin.StageAcknowledged}},
	{9, anxin.ChannelSMS, anxin.TypeEnquiry, anxin.UrgencyNormal, "短信询问缴费是否成功", "回复短信询问本月保费是否扣款成功。", nil},
	{10, anxin.ChannelLetter, anxin.TypeOther, anxin.UrgencyLow, "来信更正通讯地址", "客户来信告知新的通讯地址。", []anxin.Stage{anxin.StageAcknowledged, anxin.StageInProgress, anxin.StageResolved}},
	{11, anxin.ChannelSocial, anxin.TypeComplaint, anxin.UrgencyUrgent, "微博反映客服电话难打通", "客户在微博发帖称客服热线长时间无人接听。", nil},
	{12, anxin.ChannelAgent, anxin.TypeEnquiry, anxin.UrgencyNormal, "代理人代客户咨询重疾险保障范围", "代理人代客户咨询甲状腺癌是否在保障范围内。", []anxin.Stage{anxin.StageAcknowledged}},
	{13, anxin.ChannelApp, anxin.TypeEmergency, anxin.UrgencyUrgent, "高速事故需要紧急救援", "客户在高速发生事故，需要拖车和医疗救援。", []anxin.Stage{anxin.StageAcknowledged, anxin.StageInProgress}},
	{14, anxin.ChannelPhone, anxin.TypeEnquiry, anxin.UrgencyNormal, "咨询退保流程", "客户来电咨询退保手续和可退金额。", nil},
}
