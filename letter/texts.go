package letter

import "strconv"

// texts holds one language's wording. Format verbs take user data as
// arguments only, so a "%" typed by a claimant is never read as a verb.
type texts struct {
	htmlLang, title, reviewTitle, reviewNote string
	letterNo, claimNo, issuedOn              string
	greeting, intro                          string

	hCase, hDecision, hCalc, hPayees, hNotes, hReject, hPartial string
	hPayment, hAutomated, hDispute                              string

	claimant, policyNo, product, claimType, incident string
	result, payable, advanceAmount, claimed          string
	outcome                                          map[string]string

	payText, partialText, rejectText, advanceText string
	rejectReasons, partialReasons                 string

	item, amount string
	payeeHead    []string

	payDue, payNoDue, advanceDue, advanceNoDue string

	automated string

	dispute, disputeHow, disputeDefault, regulator string

	decidedBy, system, seal, footer, colon string
	numbers                                func(int) string
}

var zhNumerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"}

var zh = texts{
	htmlLang:    "zh-CN",
	title:       "理赔决定书",
	reviewTitle: "理赔决定书（复核）",
	reviewNote:  "本决定书为复核决定，取代本公司此前就本案出具的理赔决定书。",
	letterNo:    "决定书编号",
	claimNo:     "案件号",
	issuedOn:    "出具日期",
	greeting:    "尊敬的%s：",
	intro:       "%s（以下简称“本公司”）已完成对您的理赔申请的审核，现将理赔决定通知如下。",

	hCase:      "案件信息",
	hDecision:  "理赔决定",
	hCalc:      "赔付计算",
	hPayees:    "领款人",
	hNotes:     "说明",
	hReject:    "拒赔理由",
	hPartial:   "不予赔付部分的理由",
	hPayment:   "赔款支付",
	hAutomated: "自动化决策说明",
	hDispute:   "异议与救济途径",

	claimant:      "申请人",
	policyNo:      "保单号",
	product:       "保险产品",
	claimType:     "理赔类型",
	incident:      "出险日期",
	result:        "理赔结论",
	payable:       "赔付金额",
	advanceAmount: "先行赔付金额",
	claimed:       "申请金额",
	outcome:       map[string]string{Pay: "赔付", Partial: "部分赔付", Reject: "拒赔", Advance: "先行赔付"},

	payText:     "经审核，本案属于保险责任，本公司决定赔付保险金%s。",
	partialText: "经审核，本案部分属于保险责任，本公司决定部分赔付保险金%s；其余部分不予赔付，理由见下文。",
	rejectText:  "经审核，本案不属于保险责任，本公司决定拒赔，不予赔付保险金。本决定书即为拒绝赔付通知书。",
	advanceText: "本案的赔付金额目前尚不能最终确定。根据《中华人民共和国保险法》第二十五条，本公司根据已有证明和资料，" +
		"对可以确定的数额先行赔付%s；最终确定赔付金额后，本公司将支付相应的差额并另行通知您。",
	rejectReasons:  "根据《中华人民共和国保险法》第二十四条，现向您发出拒绝赔付通知并说明理由如下：",
	partialReasons: "申请中以下部分不予赔付，理由如下：",

	item:      "项目",
	amount:    "金额",
	payeeHead: []string{"领款人", "关系", "份额", "金额"},

	payDue: "本公司将于%s前将上述款项支付至领款人账户。根据《中华人民共和国保险法》第二十三条，" +
		"本公司应在与被保险人或者受益人达成赔付协议后十日内履行赔付义务。",
	payNoDue: "根据《中华人民共和国保险法》第二十三条，本公司将在与被保险人或者受益人达成赔付协议后十日内，" +
		"将上述款项支付至领款人账户。",
	advanceDue:   "本公司将于%s前先行支付上述款项。",
	advanceNoDue: "本公司将及时先行支付上述款项。",

	automated: "本决定由本公司理赔系统通过快速理赔通道自动作出，未经人工审核。根据《中华人民共和国个人信息保护法》第二十四条，" +
		"您有权要求本公司对本决定予以说明，并有权拒绝本公司仅通过自动化决策的方式作出决定；" +
		"您可以通过下文所列方式要求由理赔人员进行人工复核。",

	dispute:        "如对本决定有异议，您可以自收到本决定书之日起向本公司申请复核。复核由未参与原决定的其他人员办理。",
	disputeHow:     "申请方式：%s",
	disputeDefault: "通过本公司自助服务页面或客服热线提出。",
	regulator:      "您也可以向国家金融监督管理总局或其派出机构投诉，或依法申请仲裁（双方订有仲裁协议的）、向人民法院提起诉讼。",

	decidedBy: "审核人",
	system:    "系统自动审核",
	seal:      "（盖章）",
	colon:     "：",
	footer:    "%s　第 %d 页 / 共 %d 页",
	numbers: func(i int) string {
		if i <= len(zhNumerals) {
			return zhNumerals[i-1] + "、"
		}
		return strconv.Itoa(i) + "、"
	},
}

var en = texts{
	htmlLang:    "en",
	title:       "Claim decision letter",
	reviewTitle: "Claim decision letter (re-review)",
	reviewNote:  "This letter is the decision on re-review and replaces the decision letter we issued earlier on this claim.",
	letterNo:    "Letter No.",
	claimNo:     "Claim No.",
	issuedOn:    "Date of issue",
	greeting:    "Dear %s,",
	intro:       "%s (\"we\") has completed the assessment of your claim and gives you notice of its decision below.",

	hCase:      "Claim details",
	hDecision:  "Decision",
	hCalc:      "Calculation",
	hPayees:    "Payees",
	hNotes:     "Notes",
	hReject:    "Reasons for rejection",
	hPartial:   "Reasons for the unpaid part",
	hPayment:   "Payment",
	hAutomated: "Automated decision",
	hDispute:   "If you disagree",

	claimant:      "Claimant",
	policyNo:      "Policy No.",
	product:       "Product",
	claimType:     "Claim type",
	incident:      "Date of incident",
	result:        "Decision",
	payable:       "Amount payable",
	advanceAmount: "Advance payment",
	claimed:       "Amount claimed",
	outcome:       map[string]string{Pay: "Paid", Partial: "Partially paid", Reject: "Rejected", Advance: "Advance payment"},

	payText:     "We have found that the claim is covered and will pay %s.",
	partialText: "We have found that the claim is covered in part and will pay %s; the rest is not payable, for the reasons set out below.",
	rejectText:  "We have found that the claim is not covered and reject it; no benefit is payable. This letter is our notice of rejection.",
	advanceText: "The amount payable on this claim cannot yet be finally determined. Under Article 25 of the Insurance Law of the " +
		"People's Republic of China we will pay in advance %s, the amount that can be determined from the evidence and documents " +
		"provided; once the final amount is determined we will pay the difference and notify you.",
	rejectReasons:  "Under Article 24 of the Insurance Law of the People's Republic of China, we give you notice of the rejection and its reasons:",
	partialReasons: "The following part of the claim is not payable, for these reasons:",

	item:      "Item",
	amount:    "Amount",
	payeeHead: []string{"Payee", "Relationship", "Share", "Amount"},

	payDue: "We will pay the amount above to the payee's account by %s. Under Article 23 of the Insurance Law of the " +
		"People's Republic of China, we must pay within ten days of reaching agreement with the insured or the beneficiary on the payment.",
	payNoDue: "Under Article 23 of the Insurance Law of the People's Republic of China, we will pay the amount above to the " +
		"payee's account within ten days of reaching agreement with the insured or the beneficiary on the payment.",
	advanceDue:   "We will make the advance payment by %s.",
	advanceNoDue: "We will make the advance payment promptly.",

	automated: "This decision was made automatically by our claims system on the fast track, without review by a person. " +
		"Under Article 24 of the Personal Information Protection Law of the People's Republic of China, you may ask us to " +
		"explain it and may refuse to have it made solely by automated means; you can ask for a review by a member of our " +
		"claims staff through the channels below.",

	dispute: "If you disagree with this decision, you may apply to us for a re-review from the date you receive this letter. " +
		"The re-review is handled by a person who took no part in the original decision.",
	disputeHow:     "How to apply: %s",
	disputeDefault: "through our self-service page or our customer service hotline.",
	regulator: "You may also complain to the National Financial Regulatory Administration or its local office, or, as the law " +
		"provides, apply for arbitration (where an arbitration agreement exists) or bring proceedings in a people's court.",

	decidedBy: "Decided by",
	system:    "Automated system",
	seal:      " (seal)",
	colon:     ": ",
	footer:    "%s    Page %d of %d",
	numbers:   func(i int) string { return strconv.Itoa(i) + ". " },
}
