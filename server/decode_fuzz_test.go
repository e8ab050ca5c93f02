package server

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/rules"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
)

// Every JSON body the API accepts goes through decode. Whatever a client
// sends, decoding never panics and never produces an error that would be
// answered 500: each failure is an *anxin.Error whose code the status table
// knows and that is not internal.
func FuzzDecodeBodies(f *testing.F) {
	for _, seed := range []string{
		`{"username":"csr","password":"x","totp":"123456"}`,
		`{"kind":"individual","name":"李","id_number":"11010519491231002X","mobiles":["13812345678"],"consents":[{"purpose":"marketing","granted":true}]}`,
		`{"number":"P1","premium":100,"beneficiaries":[{"name":"张三","share":10000}],"effective_date":"2026-01-01","reason":"x"}`,
		`{"code":"H","line":"health","coverages":[{"kind":"medical","sum_insured":1}]}`,
		`{"field":"id_number","reason":"核实"}`,
		`{"type":"enquiry","channel":"phone","subject":"问","customer_id":"x","verification":{"method":"id_document","result":"passed"},"assign_to_me":true}`,
		`{"stage":"resolved","message":"已处理"}`, `{"policies":[{"code":"a","first_response":{"minutes":5},"warn_at_percent":[80]}]}`,
		`{"rules":[{"code":"r","when":"ticket.type == \"x\"","team":"t","active":true}]}`, `{"number":"GD20261125000001","phone_last4":"1234"}`,
		`{"birth_date":"2026-02-30"}`, `{"premium":1e400}`, `[]`, `null`, `{"name":"\ud800"}`, `{} {}`, "",
	} {
		f.Add(seed)
	}
	targets := []func() any{
		func() any { return &loginRequest{} },
		func() any { return &tokenRequest{} },
		func() any { return &anxin.Customer{} },
		func() any { return &anxin.Policy{} },
		func() any { return &policyUpdate{} },
		func() any { return &anxin.Product{} },
		func() any { return &unmaskRequest{} },
		func() any { return &totpConfirm{} },
		func() any { return &ticketRequest{} },
		func() any { return &moveRequest{} },
		func() any { return &transferRequest{} },
		func() any { return &messageRequest{} },
		func() any { return &checklistRequest{} },
		func() any { return &trackRequest{} },
		func() any { return &rateRequest{} },
		func() any { return &service.TicketPatch{} },
		func() any { return &service.CallLog{} },
		func() any { return &store.Agent{} },
		func() any { return &claimRequest{} },
		func() any { return &service.DecisionInput{} },
		func() any { return &service.ClaimTaskInput{} },
		func() any { return &service.ClaimSettings{} },
		func() any { return &approvalRequest{} },
		func() any { return &disputeRequest{} },
		func() any { return &surveyRequest{} },
		func() any { return &anxin.Payout{} },
		func() any {
			return &struct {
				Policies []anxin.SLAPolicy `json:"policies"`
			}{}
		},
		func() any {
			return &struct {
				Rules []rules.Rule `json:"rules"`
			}{}
		},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, target := range targets {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			err := decode(r, target())
			if err == nil {
				continue
			}
			var e *anxin.Error
			if !errors.As(err, &e) {
				t.Fatalf("%T: a non-application error %v would be a 500", target(), err)
			}
			if _, ok := statusOf[e.Code]; !ok || e.Code == anxin.EInternal {
				t.Fatalf("%T: code %q would be a 500", target(), e.Code)
			}
		}
	})
}
