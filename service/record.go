package service

import (
	"context"
	"strings"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// record audits a change in tx, with the request's address and id. The
// record is appended when the transaction's work is done, with any others
// it makes (see store.Tx.QueueAudit).
func record(ctx context.Context, tx *store.Tx, r *store.AuditRecord) error {
	tx.QueueAudit(RequestMetaFrom(ctx).Apply(r))
	return nil
}

// customerChanges lists what differs between two versions of a customer,
// personal values masked as an auditor may see them.
func customerChanges(before, after *anxin.Customer) map[string][2]any {
	if before == nil {
		before = &anxin.Customer{}
	}
	ch := map[string][2]any{}
	diff := func(field string, f anxin.PersonalField, b, a string) {
		if b == a {
			return
		}
		if f != "" {
			b, a = anxin.Mask(f, b), anxin.Mask(f, a)
			if f == anxin.FieldName {
				b, a = anxin.MaskName(b), anxin.MaskName(a)
			}
		}
		ch[field] = Change(b, a)
	}
	diff("kind", "", string(before.Kind), string(after.Kind))
	diff("name", anxin.FieldName, before.Name, after.Name)
	diff("id_type", "", string(before.IDType), string(after.IDType))
	diff("id_number", anxin.FieldIDNumber, before.IDNumber, after.IDNumber)
	diff("gender", "", string(before.Gender), string(after.Gender))
	if before.BirthDate != after.BirthDate {
		ch["birth_date"] = Change("****", "****")
	}
	diff("email", anxin.FieldEmail, before.Email, after.Email)
	diff("address", anxin.FieldAddress, before.Address, after.Address)
	diff("tier", "", string(before.Tier), string(after.Tier))
	if before.VIP != after.VIP {
		ch["vip"] = Change(before.VIP, after.VIP)
	}
	bm, am := maskedList(anxin.FieldMobile, before.Mobiles), maskedList(anxin.FieldMobile, after.Mobiles)
	if strings.Join(before.Mobiles, ",") != strings.Join(after.Mobiles, ",") {
		ch["mobiles"] = Change(bm, am)
	}
	return ch
}

func maskedList(f anxin.PersonalField, vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = anxin.Mask(f, v)
	}
	return strings.Join(out, ", ")
}

// policyChanges lists the top-level fields that differ between versions;
// the bank account is masked, beneficiaries are summarised.
func policyChanges(before, after *anxin.Policy) map[string][2]any {
	ch := map[string][2]any{}
	if before == nil {
		ch["number"] = Change(nil, after.Number)
		ch["status"] = Change(nil, string(after.Status))
		return ch
	}
	add := func(field string, b, a any) {
		if b != a {
			ch[field] = Change(b, a)
		}
	}
	add("product_code", before.ProductCode, after.ProductCode)
	add("policyholder_id", before.PolicyholderID, after.PolicyholderID)
	add("insured_id", before.InsuredID, after.InsuredID)
	add("status", string(before.Status), string(after.Status))
	add("premium", int64(before.Premium), int64(after.Premium))
	add("payment_method", string(before.PaymentMethod), string(after.PaymentMethod))
	add("payment_frequency", string(before.PaymentFrequency), string(after.PaymentFrequency))
	add("bank_account", anxin.Mask(anxin.FieldBankAccount, before.BankAccount), anxin.Mask(anxin.FieldBankAccount, after.BankAccount))
	add("next_payment_date", before.NextPaymentDate.String(), after.NextPaymentDate.String())
	add("effective_date", before.EffectiveDate.String(), after.EffectiveDate.String())
	add("expiry_date", before.ExpiryDate.String(), after.ExpiryDate.String())
	add("sales_channel", before.SalesChannel, after.SalesChannel)
	add("agent_code", before.AgentCode, after.AgentCode)
	add("statutory_heirs", before.StatutoryHeirs, after.StatutoryHeirs)
	if len(before.Beneficiaries) != len(after.Beneficiaries) || beneficiariesDiffer(before.Beneficiaries, after.Beneficiaries) {
		ch["beneficiaries"] = Change(len(before.Beneficiaries), len(after.Beneficiaries))
	}
	if len(before.Coverages) != len(after.Coverages) {
		ch["coverages"] = Change(len(before.Coverages), len(after.Coverages))
	}
	return ch
}

func beneficiariesDiffer(a, b []anxin.Beneficiary) bool {
	for i := range a {
		if a[i] != b[i] {
			return true
		}
	}
	return false
}
