package idcheck

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// GenerateResidentID returns a resident ID number for the given six-digit
// area code, birth date (its calendar date in its own location) and sex, with
// a random sequence number and a correct check character. An empty area picks
// one from AreaCodes.
//
// The area and date are not validated beyond their shape, so tests can build
// IDs that fail only on area or only on birth date; pass values that
// ParseResidentID accepts to get an ID that validates. It panics if area is
// neither empty nor six digits, or if the year is outside 0–9999, because
// both are programming errors in a fixture.
func GenerateResidentID(r *rand.Rand, area string, birth time.Time, male bool) string {
	if area == "" {
		codes := AreaCodes()
		area = codes[r.IntN(len(codes))]
	}
	if len(area) != 6 || !isDigits(area) {
		panic(fmt.Sprintf("idcheck: GenerateResidentID: area %q is not six digits", area))
	}
	y, m, d := birth.Date()
	if y < 0 || y > 9999 {
		panic(fmt.Sprintf("idcheck: GenerateResidentID: year %d does not fit in four digits", y))
	}
	// Sequence 000 is never issued; odd numbers are for men, even for women.
	var seq int
	if male {
		seq = 2*r.IntN(500) + 1 // 001–999
	} else {
		seq = 2*r.IntN(499) + 2 // 002–998
	}
	first17 := fmt.Sprintf("%s%04d%02d%02d%03d", area, y, int(m), d, seq)
	return first17 + string(residentCheck(first17))
}

// GenerateCreditCode returns a valid unified social credit code shaped like
// one issued to a company by a market regulator: registration authority 9
// (industry and commerce), category 1 (enterprise), a real county code from
// AreaCodes, a nine-character organisation code with its GB 11714 check
// digit, and the GB 32100 check character.
func GenerateCreditCode(r *rand.Rand) string {
	codes := AreaCodes()
	var b strings.Builder
	b.WriteString("91")
	b.WriteString(codes[r.IntN(len(codes))])

	// Since 2015 newly registered businesses get organisation codes starting
	// with "MA"; older ones are usually all digits. Letters come from the
	// credit code alphabet so the whole code stays valid.
	var org strings.Builder
	if r.IntN(2) == 0 {
		org.WriteString("MA")
		for range 6 {
			org.WriteByte(creditAlphabet[r.IntN(len(creditAlphabet))])
		}
	} else {
		for range 8 {
			org.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	b.WriteString(org.String())
	b.WriteByte(orgCodeCheck(org.String()))

	first17 := b.String()
	return first17 + string(creditCheck(first17))
}

var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// orgCodeCheck returns the GB 11714 check digit of an eight-character
// organisation code body of digits and upper-case letters (A=10 … Z=35).
func orgCodeCheck(body string) byte {
	sum := 0
	for i := 0; i < 8; i++ {
		c := body[i]
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * orgCodeWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// mobilePrefixes are number segments that the three carriers actually
// allocate, so demo numbers look plausible to people who know them.
var mobilePrefixes = []string{
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"147", "150", "151", "152", "153", "155", "156", "157", "158", "159",
	"166", "173", "175", "176", "177", "178",
	"180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
	"191", "198", "199",
}

// GenerateMobile returns a valid 11-digit mobile number on a real segment.
func GenerateMobile(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString(mobilePrefixes[r.IntN(len(mobilePrefixes))])
	for range 8 {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

// GenerateBankCard returns a UnionPay-style card number: 16 or 19 digits
// starting with 62 and ending with a Luhn check digit.
func GenerateBankCard(r *rand.Rand) string {
	n := 16
	if r.IntN(2) == 0 {
		n = 19
	}
	var b strings.Builder
	b.WriteString("62")
	for b.Len() < n-1 {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	body := b.String()
	check := (10 - luhnSum(body, true)%10) % 10
	return body + string(byte('0'+check))
}
