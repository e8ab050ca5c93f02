// Package web is the staff console's face: html/template pages, the static
// files they load (CSS, a few lines of JS, the vendored htmx) and every UI
// string in Chinese and English, all embedded into the binary so that a node
// serves the console with nothing beside it on disk and no CDN.
//
// The console runs under a Content-Security-Policy that allows scripts and
// styles only from /static/: templates hold no inline <script>, no <style>
// and no style="" attributes.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Languages are the console's languages; the first is the default.
var Languages = []string{"zh", "en"}

// Pages are the page templates. Each is parsed together with the layout
// into its own set, so that every page can define "content" and its own
// fragments without clashing with the others.
var Pages = []string{"login", "customers", "customer", "policy", "calendar", "error", "audit", "self_pages", "self_tickets", "self_claims", "tickets", "ticket", "agents", "claims", "claim", "claim_approvals"}

// pageBases are pages whose templates a page's set parses before its own:
// the customers' ticket pages use the self-service layout of self_pages
// and define their own "content" (a later definition replaces an earlier).
var pageBases = map[string][]string{"self_tickets": {"self_pages"}, "self_claims": {"self_pages"}}

// Views holds every page parsed once per language. The language is bound
// into the template functions at parse time, so rendering needs no clone
// and no per-request function map. A Views is safe for concurrent use.
type Views struct {
	sets   map[string]map[string]*template.Template // language → page → set
	static map[string]string                        // file under static/ → URL with a content hash
}

// Load parses the embedded templates and fingerprints the static files.
// An error here is a bug in a template, so callers fail at start-up.
func Load() (*Views, error) {
	v := &Views{sets: map[string]map[string]*template.Template{}, static: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		// The hash in the query lets the files be cached for a year and
		// still change the moment a release changes them.
		v.static[name] = "/static/" + name + "?v=" + hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, lang := range Languages {
		v.sets[lang] = map[string]*template.Template{}
		for _, page := range Pages {
			files := []string{"templates/layout.html"}
			for _, base := range pageBases[page] {
				files = append(files, "templates/"+base+".html")
			}
			t, err := template.New(page).Funcs(funcs(lang, v.staticURL)).
				ParseFS(templateFS, append(files, "templates/"+page+".html")...)
			if err != nil {
				return nil, fmt.Errorf("web: parse %s: %w", page, err)
			}
			v.sets[lang][page] = t
		}
	}
	return v, nil
}

// staticURL returns the fingerprinted URL of a file under static/. It
// panics on an unknown name: templates are executed in tests, so a typo
// fails there rather than as a broken link in production.
func (v *Views) staticURL(name string) string {
	u, ok := v.static[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return u
}

// Render executes block ("layout" for a whole page, or a fragment the page
// defines) of page in lang. It returns the bytes rather than writing them so
// that a failing template never sends half a page under a 200 status.
func (v *Views) Render(lang, page, block string, data any) ([]byte, error) {
	set, ok := v.sets[lang]
	if !ok {
		set = v.sets[Languages[0]]
	}
	t, ok := set[page]
	if !ok {
		return nil, fmt.Errorf("web: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		return nil, fmt.Errorf("web: render %s/%s: %w", page, block, err)
	}
	return buf.Bytes(), nil
}

// Static serves the embedded static files under /static/. URLs carry a
// content hash (see Load), so responses may be cached for a year. It lists
// no directories and serves no documentation files.
func Static() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if name == "" || strings.HasSuffix(name, "/") || path.Ext(name) == ".md" {
			http.NotFound(w, r)
			return
		}
		if _, err := fs.Stat(sub, name); err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})
}
