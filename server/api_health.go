package server

import (
	_ "embed"
	"net/http"

	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status   string              `json:"status"` // "ok", "degraded" (serving, with an alarm) or "unavailable"
	Database bool                `json:"database"`
	Jobs     bool                `json:"jobs"`
	Calendar calendarReadiness   `json:"calendar"`
	Checks   []store.SystemCheck `json:"checks"`
}

type calendarReadiness struct {
	OK           bool  `json:"ok"`
	MissingYears []int `json:"missing_years,omitempty"`
}

// readyz answers 503 only when the node cannot serve (no database, no job
// runner). A missing calendar year is an alarm, not an outage: the node
// serves, and the status says "degraded".
func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	dbOK, missing := s.svc.Ready(r.Context())
	res := readiness{Database: dbOK, Jobs: s.JobsHealthy(), Calendar: calendarReadiness{OK: dbOK && len(missing) == 0, MissingYears: missing}, Checks: []store.SystemCheck{}}
	if dbOK {
		if checks, err := s.svc.DB.SystemChecks(r.Context()); err == nil && checks != nil {
			res.Checks = checks
		}
	}
	status := http.StatusOK
	switch {
	case !res.Database || !res.Jobs:
		res.Status, status = "unavailable", http.StatusServiceUnavailable
	case !res.Calendar.OK:
		res.Status = "degraded"
	default:
		res.Status = "ok"
	}
	return writeJSON(w, status, res)
}

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDoc)
	return err
}
