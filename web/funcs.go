package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
)

// funcs are the template functions of one language. Times reach templates
// already in the calendar's location (the handlers convert them), so the
// formatting functions need no zone of their own.
func funcs(lang string, static func(string) string) template.FuncMap {
	return template.FuncMap{
		"t":        func(key string, args ...any) string { return T(lang, key, args...) },
		"enum":     func(group string, v any) string { return Enum(lang, group, fmt.Sprint(v)) },
		"coverage": func(kind string) string { return CoverageName(lang, kind) },
		"role":     func(r anxin.Role) string { return RoleName(lang, r) },
		"month":    func(m time.Month) string { return MonthName(lang, m) },
		"weekday":  func(d time.Weekday) string { return T(lang, "weekday."+strconv.Itoa(int(d))) },
		"yuan":     Yuan,
		"percent":  Percent,
		"date":     DateText,
		"datetime": func(t time.Time) string { return DateTime(t) },
		"static":   static,
	}
}

// Yuan formats fen as yuan with thousands separators: ¥1,234.50.
func Yuan(f anxin.Fen) string {
	s := f.String() // "-1234.50"
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + "¥" + b.String() + "." + frac
}

// Percent formats basis points as a percentage without trailing zeros:
// 8000 → 80%, 3333 → 33.33%, 5050 → 50.5%.
func Percent(b anxin.BasisPoints) string {
	v := int64(b)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	s := strconv.FormatInt(v/100, 10)
	if frac := v % 100; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", frac), "0")
	}
	return sign + s + "%"
}

// DateText is a civil date as 2006-01-02, or a dash for none.
func DateText(d anxin.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.String()
}

// DateTime is an instant as 2006-01-02 15:04 in the time's own location,
// or a dash for the zero time.
func DateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2006-01-02 15:04")
}

// WeekdayLong is a weekday as a date is followed by it: 星期六, or Sat.
func WeekdayLong(lang string, d time.Weekday) string {
	return T(lang, "weekday.long", T(lang, "weekday."+strconv.Itoa(int(d))))
}

// MonthName is "10 月" or "October".
func MonthName(lang string, m time.Month) string {
	if lang == "en" {
		return m.String()
	}
	return strconv.Itoa(int(m)) + " 月"
}

// CoverageName is a coverage kind's name from the domain catalogue, or the
// kind itself when the catalogue does not know it.
func CoverageName(lang, kind string) string {
	for _, k := range anxin.CoverageKinds {
		if k.Kind == kind {
			if lang == "en" {
				return k.NameEN
			}
			return k.Name
		}
	}
	return kind
}

// RoleName is a role's name from the domain catalogue.
func RoleName(lang string, r anxin.Role) string {
	for _, x := range anxin.Roles {
		if x.Role == r {
			if lang == "en" {
				return x.NameEN
			}
			return x.Name
		}
	}
	return string(r)
}
