package payment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// ErrInjected is the temporary failure TestGateway returns for the first
// calls of each ID, standing in for a timeout or a bank that is down, so
// claim-service tests can drive their retry path.
var ErrInjected = errors.New("payment test gateway: injected temporary failure")

// TestGateway pays in memory, for tests of the claim service. It behaves as
// a real gateway must (validates, is idempotent by ID) and records what it
// was asked, so a test can check the caller's side of the contract: that it
// retries temporary errors, stops on permanent ones, and pays each approved
// amount once.
type TestGateway struct {
	// Now stamps Results; nil means time.Now. Set it before the first Pay.
	Now func() time.Time

	mu        sync.Mutex
	failFirst int
	calls     map[string]int
	results   map[string]Result
	paid      []Instruction
	double    []string
}

// NewTestGateway returns a gateway that fails the first failFirst calls of
// each ID with ErrInjected and accepts the next.
func NewTestGateway(failFirst int) *TestGateway {
	return &TestGateway{failFirst: failFirst, calls: map[string]int{}, results: map[string]Result{}}
}

// Pay records the call, then fails it (permanently if the instruction is
// invalid, temporarily while the ID has had at most failFirst calls) or
// accepts it, returning the first Result again for an ID already paid.
func (g *TestGateway) Pay(ctx context.Context, in Instruction) (Result, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.calls == nil {
		g.calls, g.results = map[string]int{}, map[string]Result{}
	}
	g.calls[in.ID]++
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if err := Validate(in); err != nil {
		return Result{}, err
	}
	if r, ok := g.results[in.ID]; ok {
		return r, nil
	}
	if g.calls[in.ID] <= g.failFirst {
		return Result{}, fmt.Errorf("payment test %s: %w", in.ID, ErrInjected)
	}
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	r := Result{Reference: fmt.Sprintf("TEST-%d", len(g.paid)+1), At: now().Round(0)}
	g.markPaid(in, r)
	return r, nil
}

// markPaid is the single place an ID becomes paid. It is a tripwire: with
// the lookup above under the same lock it cannot see an ID twice, and
// DoublePaid exists so tests can assert that it never did.
func (g *TestGateway) markPaid(in Instruction, r Result) {
	if _, ok := g.results[in.ID]; ok {
		g.double = append(g.double, in.ID)
		return
	}
	g.results[in.ID] = r
	g.paid = append(g.paid, in)
}

// Paid returns the instructions paid, each ID once, in the order paid.
func (g *TestGateway) Paid() []Instruction {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.paid)
}

// Calls returns how many times Pay was called with id, failed calls
// included.
func (g *TestGateway) Calls(id string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[id]
}

// DoublePaid returns the IDs that reached "paid" a second time; it should
// always be empty.
func (g *TestGateway) DoublePaid() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.double)
}
