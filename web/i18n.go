package web

import (
	"fmt"
	"strings"
)

// msg is one UI string in both languages.
type msg struct{ zh, en string }

// T returns key's text in lang (Chinese unless lang is "en"), formatted with
// args when there are any. An unknown key comes back as itself, so a missing
// string shows up on the page instead of silently vanishing; a test checks
// that every key the templates use exists.
func T(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m.zh
	if lang == "en" {
		s = m.en
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Enum labels a domain value such as a tier or a policy status: the string
// under group.value, or the value itself when there is none (a sales
// channel added later still shows, if untranslated).
func Enum(lang, group, value string) string {
	if value == "" {
		return "—"
	}
	if _, ok := messages[group+"."+value]; ok {
		return T(lang, group+"."+value)
	}
	return value
}

// JoinYears lists years the way each language does: 2026、2027 or 2026 and 2027.
func JoinYears(lang string, years []int) string {
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = fmt.Sprint(y)
	}
	if lang == "en" {
		if len(parts) <= 2 {
			return strings.Join(parts, " and ")
		}
		return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	return strings.Join(parts, "、")
}

// messages is every string the console shows. Coverage and role names come
// from the domain catalogues (anxin.CoverageKinds, anxin.Roles) instead, so
// that they are defined once.
var messages = map[string]msg{
	"app.name":      {"安心", "Anxin"},
	"app.subtitle":  {"售后服务平台", "After-sales service"},
	"app.footer":    {"安心售后服务平台 · 员工控制台 · 客户信息仅限工作需要使用", "Anxin after-sales service platform · Staff console · Customer data is for work use only"},
	"nav.main":      {"主导航", "Main navigation"},
	"nav.home":      {"安心首页", "Anxin home"},
	"nav.customers": {"客户", "Customers"},
	"nav.calendar":  {"工作日历", "Working calendar"},
	"nav.logout":    {"退出", "Sign out"},
	"nav.lang":      {"语言", "Language"},
	"nav.user":      {"当前用户", "Signed in as"},

	"alarm.calendar": {"尚未导入 %s 年节假日安排：涉及该年的期限为临时估算，请尽快通过 anxin calendar load 导入。",
		"The holiday schedule for %s has not been loaded: deadlines that fall in it are provisional estimates. Load it soon with anxin calendar load."},
	"alarm.database": {"数据库暂时无法访问，部分信息可能无法显示。", "The database cannot be reached; some information may be missing."},

	"login.title":    {"登录", "Sign in"},
	"login.heading":  {"员工登录", "Staff sign-in"},
	"login.intro":    {"请使用您的员工账号登录安心售后服务平台。", "Sign in to the Anxin after-sales service platform with your staff account."},
	"login.username": {"用户名", "Username"},
	"login.password": {"密码", "Password"},
	"login.submit":   {"登录", "Sign in"},
	"login.note":     {"连续 %d 次输入错误，账户将被锁定 %d 分钟。", "After %d failed attempts the account is locked for %d minutes."},

	"customers.title":              {"客户", "Customers"},
	"customers.intro":              {"按姓名、手机号或证件号码查找客户。", "Find a customer by name, mobile number or ID number."},
	"customers.search.label":       {"查找客户", "Search customers"},
	"customers.search.placeholder": {"输入姓名、手机号或证件号码", "Name, mobile number or ID number"},
	"customers.search.submit":      {"查询", "Search"},
	"customers.searching":          {"正在查询…", "Searching…"},
	"customers.col.name":           {"姓名 / 名称", "Name"},
	"customers.col.kind":           {"类型", "Type"},
	"customers.col.tier":           {"等级", "Tier"},
	"customers.col.id":             {"证件", "ID document"},
	"customers.col.mobile":         {"手机号", "Mobile"},
	"customers.empty":              {"未找到匹配“%s”的客户。请检查姓名、手机号或证件号码是否完整。", "No customer matches “%s”. Mobile and ID numbers must be complete."},
	"customers.none":               {"暂无客户。", "No customers yet."},
	"customers.next":               {"下一页", "Next page"},
	"customers.first":              {"第一页", "First page"},
	"customers.shown":              {"本页 %d 位客户", "%d customers on this page"},
	"customers.results":            {"“%s”的查询结果：本页 %d 位客户", "Results for “%s”: %d on this page"},

	"badge.vip": {"VIP", "VIP"},

	"customer.basic":    {"基本信息", "Details"},
	"customer.contact":  {"联系方式", "Contact"},
	"customer.consents": {"授权记录", "Consents"},
	"customer.policies": {"保单", "Policies"},
	"customer.record":   {"记录", "Record"},

	"field.id":           {"客户编号", "Customer ID"},
	"field.kind":         {"客户类型", "Customer type"},
	"field.name":         {"姓名 / 名称", "Name"},
	"field.gender":       {"性别", "Gender"},
	"field.birth":        {"出生日期", "Date of birth"},
	"field.idtype":       {"证件类型", "ID type"},
	"field.idnumber":     {"证件号码", "ID number"},
	"field.tier":         {"客户等级", "Tier"},
	"field.vip":          {"VIP 客户", "VIP"},
	"field.mobiles":      {"手机号", "Mobile numbers"},
	"field.email":        {"电子邮箱", "Email"},
	"field.address":      {"地址", "Address"},
	"field.version":      {"版本", "Version"},
	"field.created":      {"创建时间", "Created"},
	"field.updated":      {"更新时间", "Updated"},
	"field.product":      {"产品", "Product"},
	"field.line":         {"险种", "Line"},
	"field.status":       {"状态", "Status"},
	"field.channel":      {"销售渠道", "Sales channel"},
	"field.agent":        {"代理人工号", "Agent code"},
	"field.underwriting": {"承保日期", "Underwriting date"},
	"field.effective":    {"生效日期", "Effective date"},
	"field.expiry":       {"满期日期", "Expiry date"},
	"field.premium":      {"保费", "Premium"},
	"field.frequency":    {"缴费频率", "Payment frequency"},
	"field.method":       {"缴费方式", "Payment method"},
	"field.bank":         {"开户银行", "Bank"},
	"field.account":      {"银行账号", "Bank account"},
	"field.nextpay":      {"下次缴费日期", "Next payment date"},
	"field.cooling":      {"犹豫期", "Cooling-off period"},

	"value.yes":  {"是", "Yes"},
	"value.no":   {"否", "No"},
	"value.none": {"—", "—"},

	"consent.col.purpose": {"授权事项", "Purpose"},
	"consent.col.status":  {"状态", "Status"},
	"consent.col.channel": {"渠道", "Channel"},
	"consent.col.at":      {"时间", "Time"},
	"consent.granted":     {"已同意", "Granted"},
	"consent.withdrawn":   {"已撤回", "Withdrawn"},
	"consent.empty":       {"暂无授权记录。", "No consents recorded."},

	"policies.col.number":  {"保单号", "Policy number"},
	"policies.col.product": {"产品", "Product"},
	"policies.col.role":    {"客户身份", "Customer's role"},
	"policies.col.status":  {"状态", "Status"},
	"policies.col.period":  {"保险期间", "Period"},
	"policies.col.premium": {"保费", "Premium"},
	"policies.empty":       {"该客户暂无保单。", "This customer has no policies."},
	"policies.hidden":      {"您没有查看保单的权限。", "You do not have permission to view policies."},

	"party.policyholder": {"投保人", "Policyholder"},
	"party.insured":      {"被保险人", "Insured"},
	"period.wholelife":   {"终身", "Whole life"},
	"period.range":       {"%s 至 %s", "%s to %s"},

	"policy.title":         {"保单 %s", "Policy %s"},
	"policy.info":          {"保单信息", "Policy"},
	"policy.parties":       {"投保人与被保险人", "Policyholder and insured"},
	"policy.payment":       {"缴费信息", "Premium and payment"},
	"policy.coverages":     {"保障责任", "Coverages"},
	"policy.beneficiaries": {"受益人", "Beneficiaries"},
	"policy.history":       {"版本历史", "Version history"},
	"policy.unknown":       {"（未找到该客户）", "(customer not found)"},
	"policy.cooling.days":  {"%d 天", "%d days"},

	"cov.col.name":       {"保障项目", "Coverage"},
	"cov.col.sum":        {"保额", "Sum insured"},
	"cov.col.deductible": {"免赔额", "Deductible"},
	"cov.col.ratio":      {"赔付比例", "Reimbursement ratio"},
	"cov.col.limit":      {"年度限额", "Annual limit"},
	"cov.col.waiting":    {"等待期", "Waiting period"},
	"cov.nolimit":        {"不限", "No limit"},
	"cov.none":           {"无", "None"},
	"cov.days":           {"%d 天", "%d days"},

	"ben.col.name":     {"姓名", "Name"},
	"ben.col.relation": {"与被保险人关系", "Relation to the insured"},
	"ben.col.id":       {"证件", "ID document"},
	"ben.col.share":    {"受益份额", "Share"},
	"ben.heirs":        {"法定继承人", "Statutory heirs"},
	"ben.heirs.note":   {"未指定受益人，保险金由被保险人的法定继承人继承。", "No beneficiaries are named: the benefit goes to the insured's statutory heirs."},
	"ben.none":         {"本保单不设受益人。", "This policy has no beneficiaries."},

	"hist.col.version": {"版本", "Version"},
	"hist.col.at":      {"时间（北京时间）", "Time (Beijing)"},
	"hist.col.by":      {"操作人", "By"},
	"hist.col.reason":  {"原因", "Reason"},
	"hist.current":     {"当前", "current"},
	"reason.issued":    {"承保出单", "Issued"},

	"calendar.title":           {"%d 年工作日历", "Working calendar %d"},
	"calendar.intro":           {"工作日按国务院办公厅公布的节假日安排计算，含调休上班日。", "Working days follow the State Council's holiday schedule, including makeup working days."},
	"calendar.prev":            {"上一年", "Previous year"},
	"calendar.next":            {"下一年", "Next year"},
	"calendar.provisional":     {"%d 年的节假日安排尚未导入：下面的日历仅按周一至周五临时估算，不含法定节假日和调休，涉及该年的期限均为临时估算。请通过 anxin calendar load 导入国务院办公厅公布的安排。", "The %d holiday schedule has not been loaded: the calendar below is a provisional Monday–Friday guess without public holidays or makeup working days, and every deadline in that year is provisional. Load the State Council's schedule with anxin calendar load."},
	"calendar.legend":          {"图例", "Legend"},
	"calendar.legend.work":     {"工作日", "Working day"},
	"calendar.legend.weekend":  {"周末", "Weekend"},
	"calendar.legend.off":      {"节假日（休）", "Holiday (off)"},
	"calendar.legend.makeup":   {"调休上班", "Makeup working day"},
	"calendar.legend.today":    {"今天", "Today"},
	"calendar.tag.off":         {"休", "off"},
	"calendar.tag.makeup":      {"班", "work"},
	"calendar.day.work":        {"工作日", "working day"},
	"calendar.day.weekend":     {"周末休息", "weekend"},
	"calendar.day.off":         {"%s（放假）", "%s (day off)"},
	"calendar.day.makeup":      {"调休上班（%s）", "makeup working day (%s)"},
	"calendar.day.guess":       {"临时估算", "provisional guess"},
	"calendar.holidays":        {"节假日安排", "Holidays and makeup working days"},
	"calendar.holidays.off":    {"放假", "Days off"},
	"calendar.holidays.makeup": {"调休上班", "Makeup working days"},
	"calendar.holidays.count":  {"共 %d 天", "%d days"},
	"calendar.holidays.empty":  {"该年没有登记节假日。", "No holidays are listed for this year."},

	"deadline.title":       {"期限计算", "Deadline calculator"},
	"deadline.intro":       {"受理当日不计，从次日起数满 N 个工作日，期限为第 N 个工作日的 23:59:59（北京时间）。", "The day of receipt does not count; the deadline is 23:59:59 (Beijing time) on the Nth working day after it."},
	"deadline.from":        {"受理时间", "Received at"},
	"deadline.days":        {"工作日数", "Working days"},
	"deadline.submit":      {"计算", "Calculate"},
	"deadline.result":      {"截止时间", "Due"},
	"deadline.summary":     {"%s 受理，%d 个工作日后", "Received %s, %d working days later"},
	"deadline.span":        {"共 %d 个自然日", "%d calendar days"},
	"deadline.provisional": {"该期限涉及尚未导入节假日安排的年份，结果为按周一至周五的临时估算。", "This deadline falls in a year without a loaded holiday schedule: it is a provisional Monday–Friday estimate."},
	"deadline.bad.from":    {"请输入有效的受理时间，例如 2026-09-30 10:00。", "Enter a valid time of receipt, e.g. 2026-09-30 10:00."},
	"deadline.bad.days":    {"工作日数须为 0 到 3650 之间的整数。", "Working days must be a whole number from 0 to 3650."},

	"error.title":          {"出错了", "Something went wrong"},
	"error.status":         {"错误 %d", "Error %d"},
	"error.notfound.title": {"页面不存在", "Page not found"},
	"error.notfound":       {"您访问的页面不存在，可能链接有误或内容已被移除。", "The page you asked for does not exist; the link may be wrong or the content removed."},
	"error.internal":       {"服务器内部错误，已记录日志。请稍后重试；如问题持续，请联系系统管理员并提供请求编号。", "An internal error occurred and has been logged. Try again later; if it persists, give the request ID to your administrator."},
	"error.back":           {"返回客户列表", "Back to customers"},
	"error.signin":         {"前往登录", "Go to sign-in"},
	"error.request":        {"请求编号", "Request ID"},
	"error.fields":         {"需要更正的内容", "What needs correcting"},

	"weekday.0":    {"日", "Sun"},
	"weekday.1":    {"一", "Mon"},
	"weekday.2":    {"二", "Tue"},
	"weekday.3":    {"三", "Wed"},
	"weekday.4":    {"四", "Thu"},
	"weekday.5":    {"五", "Fri"},
	"weekday.6":    {"六", "Sat"},
	"weekday.long": {"星期%s", "%s"},

	"kind.individual": {"个人", "Individual"},
	"kind.enterprise": {"企业", "Enterprise"},

	"tier.diamond":  {"钻石", "Diamond"},
	"tier.gold":     {"黄金", "Gold"},
	"tier.silver":   {"白银", "Silver"},
	"tier.ordinary": {"普通", "Ordinary"},

	"idtype.resident_id":     {"居民身份证", "Resident ID card"},
	"idtype.passport":        {"护照", "Passport"},
	"idtype.hk_macau_permit": {"港澳居民来往内地通行证", "Mainland travel permit (Hong Kong/Macau)"},
	"idtype.taiwan_permit":   {"台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)"},
	"idtype.credit_code":     {"统一社会信用代码", "Unified social credit code"},

	"gender.male":   {"男", "Male"},
	"gender.female": {"女", "Female"},

	"status.in_force":   {"有效", "In force"},
	"status.lapsed":     {"失效", "Lapsed"},
	"status.terminated": {"终止", "Terminated"},
	"status.expired":    {"满期", "Expired"},

	"method.bank_debit": {"银行代扣", "Bank debit"},
	"method.online":     {"网上支付", "Online payment"},
	"method.cash":       {"柜面现金", "Cash at the counter"},

	"frequency.single":    {"趸交", "Single premium"},
	"frequency.annual":    {"年交", "Annual"},
	"frequency.quarterly": {"季交", "Quarterly"},
	"frequency.monthly":   {"月交", "Monthly"},

	"channel.agent":         {"个人代理", "Agent"},
	"channel.bancassurance": {"银行代理", "Bancassurance"},
	"channel.car_dealer":    {"4S 店", "Car dealer"},
	"channel.online":        {"网络销售", "Online"},
	"channel.telesales":     {"电话销售", "Telesales"},
	"channel.counter":       {"柜面", "Counter"},
	"channel.broker":        {"保险经纪", "Broker"},
	"channel.console":       {"员工控制台", "Staff console"},
	"channel.api":           {"开放接口", "API"},
	"channel.cli":           {"命令行", "Command line"},
	"channel.job":           {"后台任务", "Background job"},
	"channel.import":        {"批量导入", "Bulk import"},
	"channel.phone":         {"电话", "Phone"},
	"channel.app":           {"手机 App", "Mobile app"},
	"channel.wechat":        {"微信", "WeChat"},
	"channel.web":           {"官网", "Website"},
	"channel.paper":         {"纸质文件", "Paper form"},

	"relation.spouse":  {"配偶", "Spouse"},
	"relation.child":   {"子女", "Child"},
	"relation.parent":  {"父母", "Parent"},
	"relation.sibling": {"兄弟姐妹", "Sibling"},
	"relation.other":   {"其他", "Other"},

	"purpose.service_contact":     {"服务联系", "Service contact"},
	"purpose.marketing":           {"营销推广", "Marketing"},
	"purpose.health_data":         {"处理健康信息", "Processing health data"},
	"purpose.financial_account":   {"处理金融账户信息", "Processing financial account data"},
	"purpose.third_party_sharing": {"向第三方提供个人信息", "Sharing with third parties"},

	"line.auto":   {"车险", "Auto"},
	"line.life":   {"人寿保险", "Life"},
	"line.health": {"健康保险", "Health"},
}
