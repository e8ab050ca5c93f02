package server_test

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/anxin-insure/anxin/server"
	"github.com/anxin-insure/anxin/store"
)

// The OpenAPI document and the route table must list the same endpoints,
// and each documented operation must say whether it needs credentials the
// way the route does.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Summary  string           `json:"summary"`
			Security *[]any           `json:"security"`
			Params   []map[string]any `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	env := newAPIEnv(t, store.SQLite)
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	var missing, extra []string
	routed := map[string]bool{}
	for _, rt := range env.srv.Routes() {
		if !rt.API {
			continue
		}
		key := rt.Method + " " + rt.Path
		routed[key] = true
		op, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			missing = append(missing, key)
			continue
		}
		public := op.Security != nil && len(*op.Security) == 0
		if public != (rt.Access == server.Public) {
			t.Errorf("%s: the document says public=%v, the route says %v", key, public, rt.Access == server.Public)
		}
		if op.Summary != rt.Summary {
			t.Errorf("%s: summary %q in the document, %q in the route", key, op.Summary, rt.Summary)
		}
	}
	for key := range documented {
		if !routed[key] {
			extra = append(extra, key)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("openapi.json documents routes that do not exist: %v", extra)
	}
}
