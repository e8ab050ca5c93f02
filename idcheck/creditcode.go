package idcheck

import "strings"

// creditAlphabet is the GB 32100-2015 character set; a character's value is
// its index. I, O, Z, S and V are left out because they are easily mistaken
// for 1, 0, 2, 5 and U.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditCheck returns the check character for the first 17 characters of a
// credit code; every character must be in creditAlphabet.
func creditCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(creditAlphabet, first17[i]) * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31]
}

// CreditCode validates an 18-character unified social credit code (GB
// 32100-2015) and returns it trimmed and upper-cased.
//
// Only the alphabet and the check character are verified. The registration
// authority, category and area fields are not: new categories are added by
// decree, and a code we cannot classify is still the code on the business
// licence.
//
// Errors have reason "empty", "format", "length" or "checksum".
func CreditCode(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", newError(ReasonEmpty, "统一社会信用代码不能为空", "unified social credit code is empty")
	}
	s = asciiUpper(s)
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(creditAlphabet, s[i]) < 0 {
			return "", newError(ReasonFormat,
				"统一社会信用代码只能包含数字和大写字母（不含I、O、Z、S、V）",
				"unified social credit code may contain only digits and capital letters other than I, O, Z, S and V")
		}
	}
	if len(s) != 18 {
		return "", newError(ReasonLength, "统一社会信用代码应为18位", "unified social credit code must be 18 characters long")
	}
	if creditCheck(s[:17]) != s[17] {
		return "", newError(ReasonChecksum, "统一社会信用代码校验位不正确", "unified social credit code check character is incorrect")
	}
	return s, nil
}
