package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/notify"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

func decodeJSON[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// A partner's whole conversation with the ticket API: set up a team and an
// agent, open a ticket twice with one Idempotency-Key, watch it route, move
// it by the state machine with If-Match, receive the signed webhook, and
// let the customer look up progress without signing in.
func TestTicketAPIScenario(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			env := newAPIEnv(t, engine)
			admin, csr := env.signIn(anxin.RoleAdmin), env.signIn(anxin.RoleCSR)
			_, meBody := csr.do("GET", "/api/v1/me", nil, nil)
			me := decodeJSON[struct {
				ID string `json:"id"`
			}](t, meBody)
			sup := env.signIn(anxin.RoleSupervisor)
			if res, b := sup.do("PUT", "/api/v1/teams/service", map[string]any{"name": "客服组"}, nil); res.StatusCode != 200 {
				t.Fatalf("team: %d %s", res.StatusCode, b)
			}
			agent := map[string]any{"team": "service", "skills": []string{"english"}, "capacity": 5, "availability": "available",
				"shift_days": "every_day", "shift_start": "00:00", "shift_end": "00:00"}
			if res, b := sup.do("PUT", "/api/v1/agents/"+me.ID, agent, nil); res.StatusCode != 200 {
				t.Fatalf("agent: %d %s", res.StatusCode, b)
			}
			if res, _ := csr.do("PUT", "/api/v1/agents/"+me.ID, agent, nil); res.StatusCode != 403 {
				t.Fatalf("a CSR edited an agent: %d", res.StatusCode)
			}

			// A partner subscribes to ticket events.
			var mu sync.Mutex
			var got []*http.Request
			var bodies [][]byte
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				got, bodies = append(got, r), append(bodies, b)
				mu.Unlock()
			}))
			defer hook.Close()
			env.svc.Notify.Webhook = &notify.Webhook{}
			const secret = "partner-secret-0123456789"
			if res, b := admin.do("POST", "/api/v1/webhooks", map[string]any{"name": "银行", "url": hook.URL, "secret": secret, "events": []string{"ticket.created"}}, nil); res.StatusCode != 201 || strings.Contains(string(b), secret) {
				t.Fatalf("webhook: %d %s", res.StatusCode, b)
			}

			res, b := csr.do("POST", "/api/v1/customers", validCustomer("李雷", "110101199003074258", "13912340001"), nil)
			if res.StatusCode != 201 {
				t.Fatalf("customer: %d %s", res.StatusCode, b)
			}
			cust := decodeJSON[anxin.Customer](t, b)
			req := map[string]any{"type": "enquiry", "channel": "bank", "subject": "代客户查询保单现金价值", "customer_id": cust.ID,
				"verification": map[string]string{"method": "id_document", "result": "passed"}}
			key := map[string]string{"Idempotency-Key": "bank-req-1"}
			r1, b1 := csr.do("POST", "/api/v1/tickets", req, key)
			r2, b2 := csr.do("POST", "/api/v1/tickets", req, key)
			if r1.StatusCode != 201 || r2.StatusCode != 201 || string(b1) != string(b2) {
				t.Fatalf("create twice: %d %s / %d %s", r1.StatusCode, b1, r2.StatusCode, b2)
			}
			tk := decodeJSON[anxin.Ticket](t, b1)
			if tk.OwnerID != me.ID || tk.RoutingRule != "default" || tk.Verification.By == "" {
				t.Fatalf("routing: %+v", tk)
			}
			list := decodeJSON[struct{ Items []anxin.Ticket }](t, must(csr.do("GET", "/api/v1/tickets?queue=mine", nil, nil)))
			if len(list.Items) != 1 || list.Items[0].Number != tk.Number {
				t.Fatalf("mine: %+v", list.Items)
			}

			// The state machine, over HTTP.
			res, b = csr.do("POST", "/api/v1/tickets/"+tk.Number+"/stage", map[string]string{"stage": "closed"}, map[string]string{"Accept-Language": "en"})
			if res.StatusCode != 409 || !strings.Contains(string(b), "cannot move") {
				t.Fatalf("received → closed: %d %s", res.StatusCode, b)
			}
			if res, _ := csr.do("POST", "/api/v1/tickets/"+tk.Number+"/stage", map[string]string{"stage": "acknowledged"}, map[string]string{"If-Match": `"v1"`}); res.StatusCode != 200 {
				t.Fatalf("acknowledge: %d", res.StatusCode)
			}
			if res, _ := csr.do("PUT", "/api/v1/tickets/"+tk.Number, map[string]string{"urgency": "high"}, nil); res.StatusCode != 428 {
				t.Fatalf("update without If-Match: %d", res.StatusCode)
			}
			if res, _ := csr.do("PUT", "/api/v1/tickets/"+tk.Number, map[string]string{"urgency": "high"}, map[string]string{"If-Match": `"v1"`}); res.StatusCode != 412 {
				t.Fatalf("update with a stale version: %d", res.StatusCode)
			}
			res, b = csr.do("POST", "/api/v1/tickets", map[string]any{"type": "enquiry", "channel": "fax", "subject": "x", "customer_id": cust.ID}, nil)
			if res.StatusCode != 422 || !strings.Contains(string(b), `"channel"`) {
				t.Fatalf("bad channel: %d %s", res.StatusCode, b)
			}

			// The partner's webhook: delivered by the notice job, signed.
			ns, err := env.svc.DB.TicketNotices(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			sent := 0
			for _, n := range ns {
				if n.Channel == "webhook" {
					if err := env.svc.SendNotice(context.Background(), n.ID, false); err != nil {
						t.Fatal(err)
					}
					sent++
				}
			}
			if sent != 1 || len(got) != 1 {
				t.Fatalf("webhook notices %d, deliveries %d", sent, len(got))
			}
			if err := notify.VerifySignature(secret, got[0].Header.Get(notify.HeaderSignature), bodies[0], time.Now(), time.Minute); err != nil {
				t.Fatalf("signature: %v", err)
			}
			if !strings.Contains(string(bodies[0]), tk.Number) || strings.Contains(string(bodies[0]), "李雷") {
				t.Fatalf("webhook body %s", bodies[0])
			}

			// Progress lookup, signed out.
			anon := env.anonymous()
			res, b = anon.do("POST", "/api/v1/track", map[string]string{"number": tk.Number, "phone_last4": "0001"}, nil)
			if res.StatusCode != 200 || !strings.Contains(string(b), `"acknowledged"`) || strings.Contains(string(b), "李雷") {
				t.Fatalf("track: %d %s", res.StatusCode, b)
			}
			if res, _ := anon.do("POST", "/api/v1/track", map[string]string{"number": tk.Number, "phone_last4": "9999"}, nil); res.StatusCode != 404 {
				t.Fatalf("track with a wrong phone: %d", res.StatusCode)
			}

			timeline := decodeJSON[struct{ Items []anxin.TicketEvent }](t, must(csr.do("GET", "/api/v1/customers/"+cust.ID+"/timeline", nil, nil)))
			if len(timeline.Items) < 3 || timeline.Items[0].Number != tk.Number {
				t.Fatalf("customer timeline: %+v", timeline.Items)
			}
			if engine == store.Postgres {
				return
			}
			auditor := env.signIn(anxin.RoleAuditor)
			if res, _ := auditor.do("POST", "/api/v1/tickets", req, nil); res.StatusCode != 403 {
				t.Fatalf("auditor created a ticket: %d", res.StatusCode)
			}
		})
	}
}

func must(_ *http.Response, b []byte) []byte { return b }
