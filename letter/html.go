package letter

import (
	"bytes"
	_ "embed"
	"html/template"
)

// The page carries its own CSS and names only locally installed fonts: the
// letter is archived and printed long after it was sent, and a CDN or web
// font that has gone away must not change what it shows.
//
//go:embed letter.html.tmpl
var htmlSource string

var page = template.Must(template.New("letter").Funcs(template.FuncMap{
	"right": func(t *table, i int) bool { return i < len(t.Right) && t.Right[i] },
}).Parse(htmlSource))

// HTML renders the letter as a complete, self-contained HTML5 page laid out
// for A4 printing.
func HTML(d Data) ([]byte, error) {
	v, err := build(d)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := page.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
