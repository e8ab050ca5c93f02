package service

import (
	"context"
	"fmt"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/vault"
)

// RotateKeys moves every sealed value to a new data key: a new key becomes
// active (new writes use it at once), every value under an old key is
// re-encrypted in small transactions while the system keeps serving, and
// the old keys are dropped when nothing uses them. Interrupted, it can be
// run again and continues with what is left. With keys from the
// environment (read-only), it re-encrypts under whatever key ANXIN_KEYS
// marks active and leaves dropping the old key to the operator.
func (s *Service) RotateKeys(ctx context.Context, actor anxin.Actor, progress func(store.ResealProgress)) (newKey string, resealed int, err error) {
	if s.Keys == nil {
		return "", 0, fmt.Errorf("no key ring")
	}
	newKey = s.Keys.ActiveKeyID()
	if s.Keys.Persisted() {
		// A rotation that stopped half way left its new key active: finish
		// that one instead of starting another.
		if len(s.Keys.KeyIDs()) == 1 {
			if newKey, err = s.Keys.BeginRotation(); err != nil {
				return "", 0, err
			}
			// Other processes sharing the key file notice the new key
			// within RefreshInterval; re-encrypting before then could miss
			// values they are still sealing under the old one.
			select {
			case <-ctx.Done():
				return newKey, 0, ctx.Err()
			case <-time.After(vault.RefreshInterval + 500*time.Millisecond):
			}
		}
	}
	resealed, err = s.DB.Reseal(ctx, progress)
	if err != nil {
		return newKey, resealed, err
	}
	// A last pass must find nothing left before the old keys go: anything
	// sealed under them while the first pass ran is moved now.
	clean := false
	for range 5 {
		n, err := s.DB.Reseal(ctx, progress)
		if err != nil {
			return newKey, resealed, err
		}
		resealed += n
		if n == 0 {
			clean = true
			break
		}
	}
	if !clean {
		return newKey, resealed, fmt.Errorf("values are still being sealed under an old key; the old keys are kept, run the rotation again")
	}
	if s.Keys.Persisted() {
		if err := s.Keys.FinishRotation(); err != nil {
			return newKey, resealed, err
		}
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		r := AuditFor(actor, "keys", newKey, "rotate_keys")
		r.Detail = fmt.Sprintf("%d values re-encrypted", resealed)
		return record(ctx, tx, r)
	})
	return newKey, resealed, err
}
