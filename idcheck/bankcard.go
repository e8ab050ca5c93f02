package idcheck

import "strings"

// BankCard validates a bank card number: 12 to 19 digits once spaces are
// removed. It returns the digits and whether they pass the Luhn check.
//
// A Luhn failure is deliberately not an error: not every card number issued
// in China satisfies Luhn, so the caller should warn and ask the customer to
// confirm with the bank rather than reject the number. err is set only for an empty value, non-digits or a wrong length,
// with reason "empty", "format" or "length".
func BankCard(s string) (normalized string, luhnOK bool, err error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if s == "" {
		return "", false, newError(ReasonEmpty, "银行卡号不能为空", "bank card number is empty")
	}
	if !isDigits(s) {
		return "", false, newError(ReasonFormat, "银行卡号只能包含数字", "bank card number may contain only digits")
	}
	if len(s) < 12 || len(s) > 19 {
		return "", false, newError(ReasonLength, "银行卡号应为12至19位数字", "bank card number must have 12 to 19 digits")
	}
	return s, Luhn(s), nil
}

// Luhn reports whether digits passes the Luhn (mod 10) check. It is false for
// an empty string or one containing anything but ASCII digits, so that a
// caller can never mistake unvalidated input for a checked number.
func Luhn(digits string) bool {
	if !isDigits(digits) {
		return false
	}
	return luhnSum(digits, false)%10 == 0
}

// luhnSum sums digits the Luhn way. The rightmost digit is doubled when
// doubleLast is set, which is how a check digit still to be appended is
// computed.
func luhnSum(digits string, doubleLast bool) int {
	sum := 0
	double := doubleLast
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum
}
