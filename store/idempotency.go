package store

import (
	"context"
	"time"

	"github.com/anxin-insure/anxin"
)

// IdempotentResponse is the first answer to a POST with an Idempotency-Key.
// Status 0 means the effect committed but the answer was not yet recorded.
type IdempotentResponse struct {
	RequestHash string
	Status      int
	ContentType string
	Body        []byte
}

// IdempotencyClaim travels in a request's context. The first transaction of
// the request inserts it, so the claim commits together with the effect: a
// retry either finds it (and acts no more) or finds nothing because nothing
// was committed. A concurrent duplicate fails on the primary key and rolls
// its own effect back.
type IdempotencyClaim struct {
	Principal, Key, RequestHash string
	claimed                     bool
}

type claimKey struct{}

// WithIdempotencyClaim attaches a claim to ctx.
func WithIdempotencyClaim(ctx context.Context, c *IdempotencyClaim) context.Context {
	return context.WithValue(ctx, claimKey{}, c)
}

// claim inserts the request's claim, once, inside tx, and returns it so
// that InTx can mark it claimed when the transaction commits.
func (tx *Tx) claim(ctx context.Context) (*IdempotencyClaim, error) {
	c, _ := ctx.Value(claimKey{}).(*IdempotencyClaim)
	if c == nil || c.claimed {
		return nil, nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (principal, idem_key, request_hash, status, content_type, body, created_at) VALUES ($1, $2, $3, 0, '', '', $4)`,
		c.Principal, c.Key, c.RequestHash, tx.Now)
	if err != nil {
		if err = translate(err); anxin.ErrorCode(err) == anxin.EConflict {
			return nil, anxin.Errorz(anxin.EConflict, "a request with this Idempotency-Key is already being processed", "相同幂等键的请求正在处理中")
		}
		return nil, err
	}
	return c, nil
}

// Claimed reports whether the claim was committed by some transaction.
func (c *IdempotencyClaim) Claimed() bool { return c.claimed }

// LookupIdempotent returns the stored answer for (principal, key), or nil.
func (db *DB) LookupIdempotent(ctx context.Context, principal, key string) (*IdempotentResponse, error) {
	var r IdempotentResponse
	var body string
	err := db.w.QueryRowContext(ctx, `SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE principal = $1 AND idem_key = $2`,
		principal, key).Scan(&r.RequestHash, &r.Status, &r.ContentType, &body)
	if err != nil {
		if err = translate(err); isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	r.Body = []byte(body)
	return &r, nil
}

// CompleteIdempotent records the answer of a claimed request.
func (db *DB) CompleteIdempotent(ctx context.Context, c *IdempotencyClaim, r IdempotentResponse) error {
	return db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, content_type = $2, body = $3 WHERE principal = $4 AND idem_key = $5`,
			r.Status, r.ContentType, string(r.Body), c.Principal, c.Key)
		return err
	})
}

// DeleteIdempotentBefore forgets keys older than t.
func (tx *Tx) DeleteIdempotentBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, t.UTC())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
