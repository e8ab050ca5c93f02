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
	"nav.audit":     {"审计日志", "Audit log"},
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
	"login.totp":     {"动态验证码（已启用双因素认证时填写）", "Authenticator code (if your account uses one)"},
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

	"audit.title":                   {"审计日志", "Audit log"},
	"audit.intro":                   {"谁在何时、从何处对哪项数据做了什么。日志只增不改，并以哈希链防篡改，可用 anxin audit verify 校验。", "Who did what to which record, when and from where. The log is append-only and hash-chained; anxin audit verify checks it."},
	"audit.actor":                   {"操作人", "Actor"},
	"audit.actor.placeholder":       {"账号编号或姓名片段", "Account ID or part of a name"},
	"audit.objecttype":              {"对象类型", "Object type"},
	"audit.objectid":                {"对象编号", "Object ID"},
	"audit.action":                  {"操作", "Action"},
	"audit.from":                    {"开始日期", "From"},
	"audit.to":                      {"结束日期（含）", "To (inclusive)"},
	"audit.dates":                   {"日期按北京时间，格式 2026-11-20。", "Dates are in Beijing time, as 2026-11-20."},
	"audit.submit":                  {"查询", "Search"},
	"audit.reset":                   {"清空条件", "Clear"},
	"audit.searching":               {"正在查询…", "Searching…"},
	"audit.shown":                   {"本页 %d 条记录，按时间倒序", "%d records on this page, newest first"},
	"audit.empty":                   {"没有符合条件的审计记录。", "No audit records match."},
	"audit.pages":                   {"翻页", "Pages"},
	"audit.first":                   {"第一页", "First page"},
	"audit.next":                    {"下一页", "Next page"},
	"audit.col.at":                  {"时间（北京时间）", "Time (Beijing)"},
	"audit.col.actor":               {"操作人", "Actor"},
	"audit.col.channel":             {"渠道", "Channel"},
	"audit.col.ip":                  {"IP 地址", "IP address"},
	"audit.col.action":              {"操作", "Action"},
	"audit.col.object":              {"对象", "Object"},
	"audit.col.changes":             {"变更内容", "Changes"},
	"audit.col.request":             {"请求编号", "Request ID"},
	"audit.bad.from":                {"开始日期无效，请按 2026-11-01 的格式输入。", "The start date is not valid; enter it as 2026-11-01."},
	"audit.bad.to":                  {"结束日期无效，请按 2026-11-30 的格式输入。", "The end date is not valid; enter it as 2026-11-30."},
	"audit.bad.range":               {"结束日期不能早于开始日期。", "The end date cannot be before the start date."},
	"auditkind.staff":               {"员工", "Staff"},
	"auditkind.customer":            {"客户", "Customer"},
	"auditkind.system":              {"系统", "System"},
	"auditkind.token":               {"API 令牌", "API token"},
	"auditobject.customer":          {"客户", "Customer"},
	"auditobject.policy":            {"保单", "Policy"},
	"auditobject.product":           {"产品", "Product"},
	"auditobject.staff":             {"员工账号", "Staff account"},
	"auditobject.session":           {"登录会话", "Session"},
	"auditobject.calendar":          {"工作日历", "Calendar"},
	"auditobject.export":            {"数据导出", "Export"},
	"auditobject.import":            {"数据导入", "Import"},
	"auditobject.api_token":         {"API 令牌", "API token"},
	"auditobject.keys":              {"加密密钥", "Encryption keys"},
	"auditobject.route":             {"功能入口", "Route"},
	"auditaction.create":            {"新建", "Create"},
	"auditaction.update":            {"修改", "Update"},
	"auditaction.delete":            {"删除", "Delete"},
	"auditaction.sign_in":           {"登录", "Sign in"},
	"auditaction.sign_in_failed":    {"登录失败", "Failed sign-in"},
	"auditaction.sign_out":          {"退出登录", "Sign out"},
	"auditaction.permission_denied": {"越权访问被拒绝", "Permission denied"},
	"auditaction.unmask":            {"查看完整敏感信息", "Unmask personal data"},
	"auditaction.export":            {"导出", "Export"},
	"auditaction.import":            {"导入", "Import"},
	"auditaction.load":              {"载入", "Load"},
	"auditaction.rotate_keys":       {"轮换密钥", "Rotate keys"},
	"auditaction.put":               {"保存", "Save"},
	"auditaction.revoke_sessions":   {"注销全部会话", "Revoke sessions"},

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

	// Customer self-service (/my), and the audit labels of what customers do there.
	"channel.self_service":             {"客户自助", "Self-service"},
	"auditobject.mobile":               {"手机号", "Mobile number"},
	"auditaction.lock":                 {"锁定", "Lock"},
	"auditaction.change_mobile":        {"更换手机号", "Change mobile"},
	"auditaction.change_mobile_failed": {"更换手机号验证失败", "Failed mobile change"},
	"auditaction.withdraw_consent":     {"撤回授权", "Withdraw consent"},

	"self.app":                    {"安心保险服务", "Anxin Insurance"},
	"self.nav":                    {"我的服务", "My services"},
	"self.nav.policies":           {"我的保单", "My policies"},
	"self.nav.profile":            {"我的资料", "My details"},
	"self.nav.logout":             {"退出登录", "Sign out"},
	"self.footer":                 {"安心保险 · 客户自助服务 · 我们依法保护您的个人信息", "Anxin Insurance · Customer self-service · Your personal information is protected by law"},
	"self.list.sep":               {"、", ", "},
	"self.back":                   {"‹ 返回我的保单", "‹ Back to my policies"},
	"self.login.title":            {"登录", "Sign in"},
	"self.login.heading":          {"手机号登录", "Sign in with your mobile"},
	"self.login.intro":            {"输入您在安心登记的手机号，我们将发送短信验证码。", "Enter the mobile number you registered with Anxin and we will text you a code."},
	"self.login.mobile":           {"手机号", "Mobile number"},
	"self.login.getcode":          {"获取验证码", "Get a code"},
	"self.login.sent":             {"如该手机号已在安心登记，验证码短信即将发送至 %s，%d 分钟内有效。", "If the number is registered with Anxin, a code is on its way to %s; it is valid for %d minutes."},
	"self.login.to":               {"验证码发送至", "Code sent to"},
	"self.login.code":             {"短信验证码", "Code from the text message"},
	"self.login.submit":           {"登录", "Sign in"},
	"self.login.resend":           {"重新获取验证码", "Send a new code"},
	"self.login.other":            {"使用其他手机号", "Use another number"},
	"self.login.note":             {"每个手机号 %d 秒内只能获取一次验证码；连续输错 %d 次将锁定 %d 分钟。", "A number can get one code every %d seconds; after %d wrong codes in a row it is locked for %d minutes."},
	"self.home.title":             {"我的保单", "My policies"},
	"self.home.hello":             {"您好，%s", "Hello, %s"},
	"self.home.intro":             {"以下是您作为投保人或被保险人的保单。", "These are the policies you hold or are insured under."},
	"self.home.empty":             {"暂未查询到您的保单。如有疑问，请联系客服。", "We found no policies for you. If that seems wrong, please contact customer service."},
	"self.policy.role":            {"您的身份", "You are"},
	"self.policy.holderonly":      {"缴费方式与账户信息仅向投保人展示。", "Payment method and account details are shown to the policyholder only."},
	"self.policy.help":            {"如需变更保单内容，请联系客服或前往柜面办理。", "To change the policy, please contact customer service or visit a branch."},
	"self.profile.title":          {"我的资料", "My details"},
	"self.profile.heading":        {"我的资料", "My details"},
	"self.profile.idnote":         {"为保护您的信息，证件号码仅显示部分内容。如需更正姓名或证件，请携带证件前往柜面办理。", "For your protection the ID number is partly hidden. To correct your name or ID, please visit a branch with your ID."},
	"self.profile.save":           {"保存联系方式", "Save contact details"},
	"self.profile.primary":        {"主要", "Primary"},
	"self.profile.mobile.new":     {"新手机号", "New mobile number"},
	"self.profile.mobile.note":    {"我们会向新手机号发送验证码，验证通过后替换您的主要手机号。", "We will text a code to the new number; once you enter it, it replaces your primary number."},
	"self.profile.mobile.sent":    {"验证码已发送至新手机号 %s，%d 分钟内有效。", "A code was sent to the new number %s; it is valid for %d minutes."},
	"self.profile.mobile.confirm": {"确认更换", "Change my number"},
	"self.profile.mobile.cancel":  {"取消", "Cancel"},
	"self.saved.contact":          {"联系方式已保存。", "Your contact details were saved."},
	"self.saved.mobile":           {"手机号已更换，今后请使用新手机号登录。", "Your mobile number was changed; sign in with the new number from now on."},
	"self.saved.consent":          {"已撤回该授权，撤回记录已保存。", "The consent was withdrawn and the withdrawal recorded."},
	"self.consent.intro":          {"您可以随时撤回以下授权。撤回不影响撤回前基于授权已进行的处理。", "You can withdraw any of these consents at any time. Withdrawal does not affect processing done before it."},
	"self.consent.withdraw":       {"撤回", "Withdraw"},
	"self.consent.never":          {"未授权", "Not given"},
	"self.consent.service":        {"撤回后我们将不再主动联系您提供服务，但仍会发送法律法规要求的通知及登录验证码。", "After withdrawal we will no longer contact you about our services, but we will still send notices the law requires and sign-in codes."},
	"self.consent.history":        {"查看全部授权记录", "Show every consent record"},
	"self.consent.regrant":        {"如需重新授权，请联系客服。", "To give a consent again, please contact customer service."},
	"self.error.title":            {"出错了", "Something went wrong"},
	"self.error.notfound.title":   {"未找到", "Not found"},
	"self.error.internal":         {"系统暂时出现问题，请稍后重试。如问题持续，请联系客服并提供请求编号。", "Something went wrong on our side. Please try again later; if it persists, contact customer service with the request ID."},
}
