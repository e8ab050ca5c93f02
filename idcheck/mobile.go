package idcheck

import (
	"regexp"
	"strings"
)

// mobilePattern is the rule exactly as the domain document states it; the
// code below only prepares input for it and chooses a helpful reason.
var mobilePattern = regexp.MustCompile(`^(?:\+?86)?1[3-9]\d{9}$`)

// Mobile validates a mainland China mobile number and returns its 11-digit
// form. A "+86" or "86" prefix is removed, and spaces and hyphens between
// digits are accepted ("+86 138-0013-8000") because that is how people copy
// numbers from contact cards; a separator anywhere else is a format error.
//
// Errors have reason "empty", "format" or "length".
func Mobile(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", newError(ReasonEmpty, "手机号码不能为空", "mobile number is empty")
	}
	compact, ok := stripDigitSeparators(s)
	if !ok {
		return "", mobileFormatErr()
	}
	if !mobilePattern.MatchString(compact) {
		national := compact
		if strings.HasPrefix(national, "+86") {
			national = national[3:]
		} else if len(national) == 13 && strings.HasPrefix(national, "86") {
			national = national[2:]
		}
		if isDigits(national) && len(national) != 11 {
			return "", newError(ReasonLength, "手机号码应为11位数字", "mobile number must have 11 digits")
		}
		return "", mobileFormatErr()
	}
	return compact[len(compact)-11:], nil
}

func mobileFormatErr() *Error {
	return newError(ReasonFormat, "手机号码格式不正确", "mobile number is not a valid mainland China mobile number")
}

// stripDigitSeparators removes runs of spaces and hyphens that sit between
// two ASCII digits. It reports false if a separator is found anywhere else.
func stripDigitSeparators(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != ' ' && c != '-' {
			b = append(b, c)
			continue
		}
		j := i
		for j < len(s) && (s[j] == ' ' || s[j] == '-') {
			j++
		}
		if i == 0 || j == len(s) || !isDigits(s[i-1:i]) || !isDigits(s[j:j+1]) {
			return "", false
		}
		i = j - 1
	}
	return string(b), true
}
