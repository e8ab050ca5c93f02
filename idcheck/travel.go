package idcheck

import "strings"

// These travel documents have no public check-digit rule, so they are checked
// by shape only; a number that passes may still not exist.

// Passport validates a passport number and returns it trimmed and
// upper-cased. A Chinese ordinary passport is E or G followed by eight
// digits, but policyholders of foreign nationality carry any of hundreds of
// national formats, so anything of 5 to 17 letters and digits is accepted.
//
// Errors have reason "empty", "format" or "length".
func Passport(s string) (string, error) {
	s = asciiUpper(strings.TrimSpace(s))
	if s == "" {
		return "", newError(ReasonEmpty, "护照号码不能为空", "passport number is empty")
	}
	if !isAlnum(s) {
		return "", newError(ReasonFormat, "护照号码只能包含字母和数字", "passport number may contain only letters and digits")
	}
	if len(s) < 5 || len(s) > 17 {
		return "", newError(ReasonLength, "护照号码应为5至17位", "passport number must be 5 to 17 characters long")
	}
	return s, nil
}

// HKMacauPermit validates the number of a Mainland Travel Permit for Hong
// Kong and Macau Residents (港澳居民来往内地通行证, "回乡证"): H (Hong Kong)
// or M (Macau) followed by the holder's 8-digit number, optionally followed by
// the 2-digit issue count that some forms and systems record with it. It
// returns the number trimmed and upper-cased.
//
// Errors have reason "empty", "format" or "length".
func HKMacauPermit(s string) (string, error) {
	s = asciiUpper(strings.TrimSpace(s))
	if s == "" {
		return "", newError(ReasonEmpty, "港澳居民来往内地通行证号码不能为空", "Hong Kong/Macau travel permit number is empty")
	}
	format := newError(ReasonFormat,
		"港澳居民来往内地通行证号码格式不正确，应为H或M加8位或10位数字",
		"Hong Kong/Macau travel permit number must be H or M followed by 8 or 10 digits")
	if !isAlnum(s) {
		return "", format
	}
	if len(s) != 9 && len(s) != 11 {
		return "", newError(ReasonLength, "港澳居民来往内地通行证号码应为9位或11位", "Hong Kong/Macau travel permit number must be 9 or 11 characters long")
	}
	if (s[0] != 'H' && s[0] != 'M') || !isDigits(s[1:]) {
		return "", format
	}
	return s, nil
}

// TaiwanPermit validates the number of a Mainland Travel Permit for Taiwan
// Residents (台湾居民来往大陆通行证, "台胞证"): the holder's 8-digit number,
// optionally followed by the 2-digit issue count. It returns the number
// trimmed.
//
// Errors have reason "empty", "format" or "length".
func TaiwanPermit(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", newError(ReasonEmpty, "台湾居民来往大陆通行证号码不能为空", "Taiwan travel permit number is empty")
	}
	if !isDigits(s) {
		return "", newError(ReasonFormat, "台湾居民来往大陆通行证号码只能包含数字", "Taiwan travel permit number may contain only digits")
	}
	if len(s) != 8 && len(s) != 10 {
		return "", newError(ReasonLength, "台湾居民来往大陆通行证号码应为8位或10位数字", "Taiwan travel permit number must have 8 or 10 digits")
	}
	return s, nil
}

// isAlnum reports whether s consists of ASCII digits and upper-case letters.
func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}
