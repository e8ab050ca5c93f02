package sheet

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/idcheck"
)

// BenchmarkProductCode is the product every generated policy belongs to;
// the caller puts BenchmarkProduct() into the catalogue before importing.
const BenchmarkProductCode = "BENCH-MED"

// BenchmarkProduct returns the product GenerateBenchmarkFiles' policies
// refer to: a one-year medical product with a critical-illness benefit.
func BenchmarkProduct() *anxin.Product {
	return &anxin.Product{Code: BenchmarkProductCode, Line: anxin.LineHealth, Name: "安心百万医疗（压测）", NameEN: "Anxin Medical (benchmark)",
		CoolingOffDays: 15, TermYears: 1, Active: true,
		Coverages: []anxin.Coverage{
			{Kind: anxin.CovMedical, SumInsured: 300_000_000, Deductible: 1_000_000, ReimbursementRatio: 10000, WaitingPeriodDays: 30},
			{Kind: anxin.CovCriticalIllness, SumInsured: 10_000_000, WaitingPeriodDays: 90},
		}}
}

var (
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	givenChars = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣怡佳琪晨曦梓涵子轩雨泽思远嘉怡博文")
	cities     = []string{"北京市朝阳区建国路", "上海市浦东新区世纪大道", "广州市天河区天河路", "深圳市南山区科技园路", "杭州市西湖区文三路", "成都市武侯区人民南路", "武汉市洪山区珞喻路", "南京市鼓楼区中山路"}
	banks      = []string{"中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "招商银行", "交通银行"}
)

// GenerateBenchmarkFiles writes n valid customers and n valid policies (one
// per customer, of BenchmarkProductCode) to customers.xlsx and policies.xlsx
// in dir, with Chinese headers and labels as staff would fill them in. The
// same seed gives the same files, so runs can be compared.
func GenerateBenchmarkFiles(dir string, n int, seed uint64) (customersXLSX, policiesXLSX string, err error) {
	if n < 1 {
		return "", "", fmt.Errorf("sheet: GenerateBenchmarkFiles: n must be positive, got %d", n)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	customersXLSX = filepath.Join(dir, "customers.xlsx")
	policiesXLSX = filepath.Join(dir, "policies.xlsx")
	cw, err := newWorkbook("客户", customerLayout)
	if err != nil {
		return "", "", err
	}
	pw, err := newWorkbook("保单", policyLayout)
	if err != nil {
		cw.f.Close()
		return "", "", err
	}
	defer cw.f.Close()
	defer pw.f.Close()

	// Dates are fixed rather than taken from the clock so that a file made
	// today validates the same way next year.
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var c anxin.Customer
	var p policyRow
	var name strings.Builder
	// Random IDs collide now and then (a birthday problem over area, date
	// and sequence); a duplicate would make the customers file invalid.
	used := make(map[string]bool, n)
	for i := range n {
		male := r.IntN(2) == 0
		birth := time.Date(1950+r.IntN(55), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		name.Reset()
		name.WriteRune(surnames[r.IntN(len(surnames))])
		for range 1 + r.IntN(2) {
			name.WriteRune(givenChars[r.IntN(len(givenChars))])
		}
		id := idcheck.GenerateResidentID(r, "", birth, male)
		for used[id] {
			id = idcheck.GenerateResidentID(r, "", birth, male)
		}
		used[id] = true
		c = anxin.Customer{Kind: anxin.Individual, Name: name.String(), IDType: anxin.ResidentID,
			IDNumber: id,
			Mobiles:  []string{idcheck.GenerateMobile(r)},
			Address:  cities[r.IntN(len(cities))] + strconv.Itoa(1+r.IntN(999)) + "号",
			Tier:     []anxin.Tier{anxin.TierOrdinary, anxin.TierOrdinary, anxin.TierSilver, anxin.TierGold, anxin.TierDiamond}[r.IntN(5)]}
		if r.IntN(4) == 0 {
			c.Mobiles = append(c.Mobiles, idcheck.GenerateMobile(r))
		}
		if r.IntN(3) == 0 {
			c.Email = fmt.Sprintf("user%d@example.com", i+1)
		}
		c.VIP = c.Tier == anxin.TierDiamond
		c.Normalize(base)
		customerLayout.formatRow(&c, cw.buf)
		if err := cw.add(); err != nil {
			return "", "", err
		}

		underwriting := base.AddDate(0, 0, r.IntN(365))
		effective := underwriting.AddDate(0, 0, 1+r.IntN(5))
		p = policyRow{Policy: anxin.Policy{Number: fmt.Sprintf("BP%010d", i+1), ProductCode: BenchmarkProductCode,
			Premium:          anxin.Fen(20_000 + r.IntN(500_000)),
			PaymentFrequency: anxin.PayAnnual, PaymentMethod: anxin.PayBankDebit,
			BankName: banks[r.IntN(len(banks))], BankAccount: idcheck.GenerateBankCard(r),
			EffectiveDate: anxin.DateOf(effective), ExpiryDate: anxin.DateOf(effective.AddDate(1, 0, 0)),
			NextPaymentDate: anxin.DateOf(effective.AddDate(1, 0, 0)), Status: anxin.PolicyInForce,
			SalesChannel:     anxin.SalesChannels[r.IntN(len(anxin.SalesChannels))],
			UnderwritingDate: anxin.DateOf(underwriting)},
			holderType: anxin.ResidentID, holderNumber: c.IDNumber, insuredType: anxin.ResidentID, insuredNumber: c.IDNumber}
		if p.SalesChannel == "agent" {
			p.AgentCode = fmt.Sprintf("A%06d", r.IntN(1_000_000))
		}
		if r.IntN(2) == 0 {
			p.StatutoryHeirs = true
		} else {
			share := anxin.BasisPoints(1000 * (1 + r.IntN(9)))
			p.Beneficiaries = []anxin.Beneficiary{
				{Name: string(surnames[r.IntN(len(surnames))]) + string(givenChars[r.IntN(len(givenChars))]), Relation: "spouse", Share: share},
				{Name: string(surnames[r.IntN(len(surnames))]) + string(givenChars[r.IntN(len(givenChars))]), Relation: "child", Share: 10000 - share},
			}
		}
		policyLayout.formatRow(&p, pw.buf)
		if err := pw.add(); err != nil {
			return "", "", err
		}
	}
	if err := writeFile(customersXLSX, cw); err != nil {
		return "", "", err
	}
	if err := writeFile(policiesXLSX, pw); err != nil {
		return "", "", err
	}
	return customersXLSX, policiesXLSX, nil
}

func writeFile(path string, w *workbook) error {
	if err := w.sw.Flush(); err != nil {
		return err
	}
	return w.f.SaveAs(path)
}
