package server

import (
	"net/http"
	"strings"
)

// language picks zh (the default) or en from ?lang=, the lang cookie, or
// Accept-Language, in that order.
func language(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "zh" || l == "en" {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && (c.Value == "zh" || c.Value == "en") {
		return c.Value
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		first := strings.ToLower(strings.TrimSpace(strings.SplitN(strings.SplitN(al, ",", 2)[0], ";", 2)[0]))
		if strings.HasPrefix(first, "en") {
			return "en"
		}
	}
	return "zh"
}

func isZH(lang string) bool { return lang != "en" }
