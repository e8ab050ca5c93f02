package demo

import (
	"encoding/hex"
	"math/rand/v2"
	"time"
)

// idSource makes UUIDv7 strings like anxin.NewID, but from a seeded RNG so
// that the same seed gives the same IDs: a demo can then be reloaded and its
// links (a customer's URL in a walkthrough) still work.
//
// Every ID carries the millisecond of now; the 12-bit rand_a field holds a
// counter (RFC 9562 §6.2, method 1), so IDs sort in the order they were
// made, as IDs made one after another by anxin.NewID would.
type idSource struct {
	r   *rand.Rand
	ms  uint64
	seq uint64
}

func newIDSource(r *rand.Rand, now time.Time) *idSource {
	return &idSource{r: r, ms: uint64(now.UnixMilli())}
}

func (s *idSource) next() string {
	if s.seq == 1<<12 {
		// The counter is spent: move to the next millisecond, as a real
		// generator would have by the time it made 4096 IDs.
		s.ms++
		s.seq = 0
	}
	var b [16]byte
	ms, seq, tail := s.ms, s.seq, s.r.Uint64()
	s.seq++
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = 0x70 | byte(seq>>8)&0x0f
	b[7] = byte(seq)
	for i := range 8 {
		b[8+i] = byte(tail >> (56 - 8*i))
	}
	b[8] = 0x80 | b[8]&0x3f

	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
