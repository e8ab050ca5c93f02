package server

import (
	"net/http"
	"strconv"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
)

// maxClaimBody bounds a claim report sent as JSON with its documents
// inline (base64): up to four documents at the attachment limit.
const maxClaimBody = 4*service.MaxAttachmentBytes*4/3 + 1<<20

// claimRoutes is the claims API: staff and partners (a bank or a car
// dealer reporting for a customer) under /api/v1/claims, the signed-in
// customer's own claims under /api/v1/self/claims.
func (s *Server) claimRoutes() []Route {
	api := func(method, path string, access Access, perm anxin.Permission, summary string, h handlerFunc) Route {
		return Route{Method: method, Path: path, Access: access, Permission: perm, Summary: summary, API: true, handle: h}
	}
	big := func(rt Route, n int64) Route { rt.MaxBody = n; return rt }
	return []Route{
		big(api("POST", "/api/v1/claims", Staff, anxin.PermClaimWrite, "Report a claim with its documents: coverage checks, checklist, risk flags and the fast track in one step", s.createClaim), maxClaimBody),
		api("GET", "/api/v1/claims", Staff, anxin.PermClaimRead, "List claims: by stage, open, flagged, disputed, claimant or policy", s.listClaims),
		api("GET", "/api/v1/claims/{number}", Staff, anxin.PermClaimRead, "A claim with its checklist, documents, decisions, tasks, payments, disputes and deadlines", s.getClaim),
		api("PUT", "/api/v1/claims/{number}/checklist/{code}", Staff, anxin.PermClaimWrite, "Accept or reject one document of a claim (rejection needs a reason)", s.reviewClaimDocument),
		big(api("POST", "/api/v1/claims/{number}/documents", Staff, anxin.PermClaimWrite, "Add a document to a claim (multipart field file; optional item_code)", s.addClaimDocument), maxUploadBytes),
		api("POST", "/api/v1/claims/{number}/notify-missing", Staff, anxin.PermClaimWrite, "Tell the claimant every missing document in one notice (Insurance Law art. 22)", s.claimNotifyMissing),
		api("POST", "/api/v1/claims/{number}/tasks", Staff, anxin.PermClaimWrite, "Assign a survey, investigation or assessment task", s.addClaimTask),
		api("POST", "/api/v1/claims/{number}/tasks/{id}/report", Staff, anxin.PermClaimWrite, "Report on a task and close it", s.reportClaimTask),
		api("POST", "/api/v1/claims/{number}/decisions", Staff, anxin.PermClaimDecide, "Decide a claim: pay, partial, reject or advance, calculated by the product terms", s.decideClaim),
		api("POST", "/api/v1/claims/{number}/decisions/{id}/approval", Staff, anxin.PermClaimApprove, "Approve a decision above the decider's limit, or return it", s.approveClaimDecision),
		api("PUT", "/api/v1/claims/{number}/payout", Staff, anxin.PermClaimWrite, "Change where a claim is paid; a refused payment goes out again to the new account", s.updateClaimPayout),
		api("POST", "/api/v1/claims/{number}/disputes", Staff, anxin.PermClaimWrite, "Record a claimant's dispute; the claim goes to re-review by someone else", s.disputeClaim),
		api("GET", "/api/v1/claims/{number}/letter", Staff, anxin.PermClaimRead, "The claim decision letter as HTML or PDF (format=pdf)", s.claimLetter),
		api("GET", "/api/v1/claim-approvals", Staff, anxin.PermClaimRead, "Decisions waiting for a second approver", s.pendingApprovals),
		api("GET", "/api/v1/claim-config", Staff, anxin.PermClaimRead, "Risk, complexity and fast-track rules, approval limits, checklists and traffic limits", s.getClaimConfig),
		api("PUT", "/api/v1/claim-config", Staff, anxin.PermClaimConfig, "Replace the claim configuration (every rule compiled first; rule sets versioned)", s.putClaimConfig),
		api("PUT", "/api/v1/customers/{id}/risk", Staff, anxin.PermClaimDecide, "Mark a customer high-risk for the claim rules, or clear the mark", s.setCustomerRisk),

		api("GET", "/api/v1/self/claims", Customer, "", "The signed-in customer's claims", s.selfClaims),
		big(api("POST", "/api/v1/self/claims", Customer, "", "Report a claim as the signed-in customer, with photos of the documents", s.selfCreateClaim), maxClaimBody),
		api("GET", "/api/v1/self/claims/{number}", Customer, "", "One of the customer's claims", s.selfClaim),
		big(api("POST", "/api/v1/self/claims/{number}/documents", Customer, "", "Add a document to one of the customer's claims (multipart field file, item_code)", s.selfClaimDocument), maxUploadBytes),
		api("POST", "/api/v1/self/claims/{number}/disputes", Customer, "", "Dispute a decision or ask for a person to review an automated one", s.selfDisputeClaim),
		api("GET", "/api/v1/self/claims/{number}/letter", Customer, "", "The decision letter of one of the customer's claims (format=pdf for PDF)", s.selfClaimLetter),
		api("PUT", "/api/v1/self/claims/{number}/payout", Customer, "", "Correct the bank account of one of the customer's claims", s.selfUpdateClaimPayout),
		api("POST", "/api/v1/self/claims/{number}/survey", Customer, "", "Answer the satisfaction survey of a closed claim: score 1–5, NPS 0–10, comment", s.selfClaimSurvey),
	}
}

// claimRequest is a claim report as JSON; documents carry their content
// in base64.
type claimRequest struct {
	PolicyID      string             `json:"policy_id"`
	ClaimantID    string             `json:"claimant_id"`
	InsuredName   string             `json:"insured_name"`
	Type          anxin.ClaimType    `json:"type"`
	Channel       anxin.Channel      `json:"channel"`
	IncidentDate  anxin.Date         `json:"incident_date"`
	IncidentPlace string             `json:"incident_place"`
	Description   string             `json:"description"`
	Claimed       anxin.Fen          `json:"claimed"`
	Loss          anxin.ClaimLoss    `json:"loss"`
	Payout        anxin.Payout       `json:"payout"`
	Documents     []claimDocument    `json:"documents"`
	Verification  anxin.Verification `json:"verification"`
	Contact       anxin.Contact      `json:"contact"`
	Language      string             `json:"language"`
	AssignToMe    bool               `json:"assign_to_me"`
}

type claimDocument struct {
	ItemCode string `json:"item_code"`
	Filename string `json:"filename"`
	Content  []byte `json:"content"` // base64
}

func (req *claimRequest) report() *service.ClaimReport {
	r := &service.ClaimReport{Claim: anxin.Claim{PolicyID: req.PolicyID, ClaimantID: req.ClaimantID, InsuredName: req.InsuredName, Type: req.Type,
		Channel: req.Channel, IncidentDate: req.IncidentDate, IncidentPlace: req.IncidentPlace, Description: req.Description, Claimed: req.Claimed,
		Loss: req.Loss, Payout: req.Payout},
		Verification: anxin.Verification{Method: req.Verification.Method, Result: req.Verification.Result},
		Contact:      req.Contact, Language: req.Language, AssignToMe: req.AssignToMe}
	for _, d := range req.Documents {
		r.Documents = append(r.Documents, service.ClaimDocument{ItemCode: d.ItemCode, Filename: d.Filename, Data: d.Content})
	}
	return r
}

func (s *Server) createClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req claimRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Channel == "" && p.Actor.Kind == "token" {
		req.Channel = anxin.ChannelAPI
	}
	if req.Channel == "" {
		req.Channel = anxin.ChannelPhone
	}
	return s.reportClaim(w, r, p, &req)
}

func (s *Server) reportClaim(w http.ResponseWriter, r *http.Request, p *service.Principal, req *claimRequest) error {
	c, err := s.svc.ReportClaim(r.Context(), p.Actor, req.report())
	if err != nil {
		return err
	}
	f, err := s.svc.ClaimFileOf(r.Context(), p.Actor, c.Number)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/claims/"+c.Number)
	return writeJSON(w, http.StatusCreated, f)
}

func (s *Server) listClaims(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	q := r.URL.Query()
	f := store.ClaimFilter{Stage: anxin.ClaimStage(q.Get("stage")), Open: q.Get("open") == "true", Flagged: q.Get("flagged") == "true",
		Disputed: q.Get("disputed") == "true", ClaimantID: q.Get("claimant_id"), PolicyID: q.Get("policy_id")}
	if f.Stage != "" && !validStage(f.Stage) {
		return &anxin.Error{Code: anxin.EInvalid, Message: "stage is not a claim stage", MessageZH: "不是有效的理赔阶段",
			Fields: []anxin.FieldError{{Field: "stage", Reason: "enum", Message: "is not a claim stage", MessageZH: "不是有效的理赔阶段"}}}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return &anxin.Error{Code: anxin.EInvalid, Message: "limit is 1 to 500", MessageZH: "limit 应为 1 至 500",
				Fields: []anxin.FieldError{{Field: "limit", Reason: "range", Message: "is 1 to 500", MessageZH: "应为 1 至 500"}}}
		}
		f.Limit = n
	}
	cs, err := s.svc.FindClaims(r.Context(), p.Actor, f)
	if err != nil {
		return err
	}
	return writeItems(w, cs)
}

func validStage(st anxin.ClaimStage) bool {
	for _, x := range anxin.ClaimStages {
		if x == st {
			return true
		}
	}
	return false
}

func (s *Server) getClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	f, err := s.svc.ClaimFileOf(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(f.Claim.Version))
	return writeJSON(w, http.StatusOK, f)
}

// writeClaimFile answers a change with the claim as it now stands.
func (s *Server) writeClaimFile(w http.ResponseWriter, r *http.Request, p *service.Principal, status int, key string, err error) error {
	if err != nil {
		return err
	}
	f, err := s.svc.ClaimFileOf(r.Context(), p.Actor, key)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(f.Claim.Version))
	return writeJSON(w, status, f)
}

type documentReview struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

func (s *Server) reviewClaimDocument(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req documentReview
	if err := decode(r, &req); err != nil {
		return err
	}
	_, err := s.svc.ReviewClaimDocument(r.Context(), p.Actor, r.PathValue("number"), r.PathValue("code"), req.Status, req.Reason)
	return s.writeClaimFile(w, r, p, http.StatusOK, r.PathValue("number"), err)
}

func (s *Server) addClaimDocument(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	name, item, data, err := readUpload(r)
	if err != nil {
		return err
	}
	_, err = s.svc.AddClaimDocument(r.Context(), p.Actor, r.PathValue("number"), item, name, data)
	return s.writeClaimFile(w, r, p, http.StatusCreated, r.PathValue("number"), err)
}

func (s *Server) claimNotifyMissing(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	f, err := s.svc.ClaimFileOf(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	missing, err := s.svc.NotifyMissing(r.Context(), p.Actor, f.Claim.TicketNumber)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"missing": missing})
}

func (s *Server) addClaimTask(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req service.ClaimTaskInput
	if err := decode(r, &req); err != nil {
		return err
	}
	task, err := s.svc.AddClaimTask(r.Context(), p.Actor, r.PathValue("number"), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, task)
}

type taskReport struct {
	Report     string `json:"report"`
	Conclusion string `json:"conclusion"`
}

func (s *Server) reportClaimTask(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req taskReport
	if err := decode(r, &req); err != nil {
		return err
	}
	_, err := s.svc.CompleteClaimTask(r.Context(), p.Actor, r.PathValue("number"), r.PathValue("id"), req.Report, req.Conclusion)
	return s.writeClaimFile(w, r, p, http.StatusOK, r.PathValue("number"), err)
}

func (s *Server) decideClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req service.DecisionInput
	if err := decode(r, &req); err != nil {
		return err
	}
	if r.Header.Get("If-Match") != "" {
		v, err := ifMatch(r)
		if err != nil {
			return err
		}
		req.Version = v
	}
	d, err := s.svc.DecideClaim(r.Context(), p.Actor, r.PathValue("number"), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

type approvalRequest struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
}

func (s *Server) approveClaimDecision(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req approvalRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	_, err := s.svc.ApproveDecision(r.Context(), p.Actor, r.PathValue("number"), r.PathValue("id"), req.Approve, req.Note)
	return s.writeClaimFile(w, r, p, http.StatusOK, r.PathValue("number"), err)
}

type disputeRequest struct {
	Reason      string `json:"reason"`
	HumanReview bool   `json:"human_review"`
}

func (s *Server) disputeClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req disputeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	_, err := s.svc.DisputeClaim(r.Context(), p.Actor, r.PathValue("number"), req.Reason, req.HumanReview)
	return s.writeClaimFile(w, r, p, http.StatusCreated, r.PathValue("number"), err)
}

func (s *Server) claimLetter(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	q := r.URL.Query()
	seq := 0
	if v := q.Get("seq"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return &anxin.Error{Code: anxin.EInvalid, Message: "seq is a decision number from 1", MessageZH: "seq 应为从 1 开始的决定序号",
				Fields: []anxin.FieldError{{Field: "seq", Reason: "range", Message: "is a decision number from 1", MessageZH: "应为从 1 开始的决定序号"}}}
		}
		seq = n
	}
	lang := q.Get("lang")
	if lang == "" {
		lang = language(r)
	}
	body, ct, name, err := s.svc.ClaimLetter(r.Context(), p.Actor, r.PathValue("number"), seq, q.Get("format"), lang)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	if ct == "application/pdf" {
		w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	} else {
		// The letter is our own page: printable, no scripts.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	}
	w.Write(body)
	return nil
}

func (s *Server) pendingApprovals(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ds, err := s.svc.PendingApprovals(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	return writeItems(w, ds)
}

func (s *Server) getClaimConfig(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	set, err := s.svc.ClaimSettings(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, set)
}

func (s *Server) putClaimConfig(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var set service.ClaimSettings
	if err := decode(r, &set); err != nil {
		return err
	}
	out, err := s.svc.PutClaimSettings(r.Context(), p.Actor, set)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

type riskRequest struct {
	HighRisk bool   `json:"high_risk"`
	Reason   string `json:"reason"`
}

func (s *Server) setCustomerRisk(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req riskRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.svc.SetCustomerRisk(r.Context(), p.Actor, r.PathValue("id"), req.HighRisk, req.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) selfClaims(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	cs, err := s.svc.FindClaims(r.Context(), p.Actor, store.ClaimFilter{})
	if err != nil {
		return err
	}
	return writeItems(w, cs)
}

func (s *Server) selfCreateClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req claimRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	req.ClaimantID, req.AssignToMe = "", false
	if req.Channel != anxin.ChannelApp {
		req.Channel = anxin.ChannelWebsite
	}
	return s.reportClaim(w, r, p, &req)
}

func (s *Server) selfClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	return s.getClaim(w, r, p)
}

func (s *Server) selfClaimDocument(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := s.svc.OwnClaim(r.Context(), p.Actor, r.PathValue("number")); err != nil {
		return err
	}
	return s.addClaimDocument(w, r, p)
}

func (s *Server) selfDisputeClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	return s.disputeClaim(w, r, p)
}

type surveyRequest struct {
	Score   int    `json:"score"`
	NPS     int    `json:"nps"`
	Comment string `json:"comment"`
}

func (s *Server) selfClaimSurvey(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req surveyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	_, err := s.svc.AnswerClaimSurvey(r.Context(), p.Actor, r.PathValue("number"), req.Score, req.NPS, req.Comment)
	return s.writeClaimFile(w, r, p, http.StatusOK, r.PathValue("number"), err)
}

func (s *Server) updateClaimPayout(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := s.svc.OwnClaim(r.Context(), p.Actor, r.PathValue("number")); err != nil {
		return err
	}
	var req anxin.Payout
	if err := decode(r, &req); err != nil {
		return err
	}
	_, err := s.svc.UpdateClaimPayout(r.Context(), p.Actor, r.PathValue("number"), req)
	return s.writeClaimFile(w, r, p, http.StatusOK, r.PathValue("number"), err)
}

func (s *Server) selfUpdateClaimPayout(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	return s.updateClaimPayout(w, r, p)
}

func (s *Server) selfClaimLetter(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	return s.claimLetter(w, r, p)
}
