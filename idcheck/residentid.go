package idcheck

import (
	"strings"
	"time"
)

// ResidentID is a resident identity card number (GB 11643-1999) with the facts
// it encodes.
type ResidentID struct {
	Number string    // 18 characters, check character upper-case
	Birth  time.Time // date of birth at 00:00 UTC
	Male   bool      // odd sequence number
	Area   string    // six-digit administrative division code at registration
}

var residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const residentCheckChars = "10X98765432"

// residentCheck returns the check character for the first 17 digits of a
// resident ID; first17 must be 17 ASCII digits.
func residentCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * residentWeights[i]
	}
	return residentCheckChars[sum%11]
}

// earliestBirth is the floor for birth dates: nobody born earlier is a living
// customer, and such a date is far more likely a typo.
var earliestBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// ParseResidentID validates an 18-character resident ID number and returns it
// normalised (trimmed, check character 'X' upper-case) with the birth date, sex
// and area it encodes.
//
// The birth date must be a real calendar date, not before 1900-01-01 and not
// after today, where today is the calendar date of now in now's own location:
// the caller's clock decides what "today" is, so a child born this morning in
// Beijing is accepted even while it is still yesterday in UTC.
//
// Only the province part of the area code (the first two digits) is checked;
// county codes are renamed and merged too often for a fixed table to be right,
// and an ID keeps the code in force when it was issued.
//
// Errors have reason "empty", "format", "length", "area", "birth_date" or
// "checksum".
func ParseResidentID(s string, now time.Time) (ResidentID, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return ResidentID{}, newError(ReasonEmpty, "身份证号码不能为空", "resident ID number is empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != 'X' && c != 'x' {
			return ResidentID{}, newError(ReasonFormat,
				"身份证号码只能包含数字和字母X",
				"resident ID number may contain only digits and the letter X")
		}
	}
	if len(s) != 18 {
		return ResidentID{}, newError(ReasonLength, "身份证号码应为18位", "resident ID number must be 18 characters long")
	}
	s = asciiUpper(s)
	if !isDigits(s[:17]) {
		return ResidentID{}, newError(ReasonFormat,
			"身份证号码格式不正确，只有最后一位可以是X",
			"resident ID number is malformed: only the last character may be X")
	}
	if !validProvince(s[:2]) {
		return ResidentID{}, newError(ReasonArea, "身份证号码的地区代码无效", "resident ID number has an invalid area code")
	}
	birth, err := residentBirth(s[6:14], now)
	if err != nil {
		return ResidentID{}, err
	}
	if residentCheck(s[:17]) != s[17] {
		return ResidentID{}, newError(ReasonChecksum, "身份证号码校验位不正确", "resident ID number check character is incorrect")
	}
	return ResidentID{
		Number: s,
		Birth:  birth,
		Male:   (s[16]-'0')%2 == 1,
		Area:   s[:6],
	}, nil
}

// residentBirth parses the YYYYMMDD digits of a resident ID and applies the
// date rules documented on ParseResidentID.
func residentBirth(yyyymmdd string, now time.Time) (time.Time, error) {
	y := atoi(yyyymmdd[:4])
	m := atoi(yyyymmdd[4:6])
	d := atoi(yyyymmdd[6:8])
	birth := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 1999-02-29 to 1999-03-01; a round trip that
	// changes the fields means the date does not exist.
	if birth.Year() != y || int(birth.Month()) != m || birth.Day() != d {
		return time.Time{}, newError(ReasonBirthDate, "身份证号码中的出生日期无效", "resident ID number contains an invalid birth date")
	}
	if birth.Before(earliestBirth) {
		return time.Time{}, newError(ReasonBirthDate, "身份证号码中的出生日期早于1900年", "resident ID number has a birth date before 1900")
	}
	ny, nm, nd := now.Date()
	if birth.After(time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)) {
		return time.Time{}, newError(ReasonBirthDate, "身份证号码中的出生日期晚于今天", "resident ID number has a birth date in the future")
	}
	return birth, nil
}

// atoi converts a short string of ASCII digits already checked by the caller.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// validProvince reports whether code is one of the first-level division codes
// that the project's domain rules accept at the start of a resident ID: the
// mainland provinces, Taiwan (71), Hong Kong (81), Macau (82), the residence
// permits of Taiwan residents (83) and 91.
func validProvince(code string) bool {
	if len(code) != 2 || !isDigits(code) {
		return false
	}
	n := atoi(code)
	switch {
	case n >= 11 && n <= 15, n >= 21 && n <= 23, n >= 31 && n <= 37,
		n >= 41 && n <= 46, n >= 50 && n <= 54, n >= 61 && n <= 65:
		return true
	case n == 71, n == 81, n == 82, n == 83, n == 91:
		return true
	}
	return false
}
