package anxin

import (
	"fmt"
	"strconv"
	"strings"
)

// Fen is an amount of money in fen (分, 1/100 yuan). Money is never a float.
type Fen int64

// String formats as yuan with two decimals, e.g. "1234.50".
func (f Fen) String() string {
	sign := ""
	v := int64(f)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// yuanNoise strips what spreadsheets put around amounts; built once because
// imports call ParseYuan for every row.
var yuanNoise = strings.NewReplacer(",", "", "¥", "", "￥", "", " ", "")

// ParseYuan parses a decimal yuan amount ("1234.5", "1,234.50", "¥12") into fen
// without going through floating point.
func ParseYuan(s string) (Fen, error) {
	s = strings.TrimSpace(yuanNoise.Replace(s))
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("amount %q has more than two decimals", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseUint(whole, 10, 62)
	if err != nil {
		return 0, fmt.Errorf("amount %q is not a number", s)
	}
	fr, err := strconv.ParseUint(frac, 10, 8)
	if err != nil {
		return 0, fmt.Errorf("amount %q is not a number", s)
	}
	if w > (1<<62)/100 {
		return 0, fmt.Errorf("amount %q is too large", s)
	}
	v := Fen(w*100 + fr)
	if neg {
		v = -v
	}
	return v, nil
}

// BasisPoints is a ratio in 1/10000 (10000 = 100%).
type BasisPoints int64

// Of applies the ratio to an amount, rounding half up to the fen.
func (b BasisPoints) Of(f Fen) Fen {
	return Fen((int64(f)*int64(b) + 5000) / 10000)
}
