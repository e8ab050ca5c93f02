package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/idcheck"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
	"github.com/anxin-insure/anxin/vault"
)

// plainSealer stores values as they are: the baseline that shows what
// encryption and blind indexes cost. It exists only in this benchmark.
type plainSealer struct{}

func (plainSealer) Seal(s string) string {
	if s == "" {
		return ""
	}
	return "enc:plain:" + s
}
func (plainSealer) Open(s string) (string, error) { return strings.TrimPrefix(s, "enc:plain:"), nil }
func (plainSealer) Index(kind, v string) string   { return kind + ":" + v }
func (plainSealer) NeedsRotation(string) bool     { return false }

// BenchmarkCustomer measures create and search (by mobile, through the
// blind index) with real encryption and with the plaintext baseline, on
// each engine: go test -run '^$' -bench BenchmarkCustomer ./store
func BenchmarkCustomer(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		for _, mode := range []struct {
			name   string
			sealer store.Sealer
		}{{"encrypted", vault.NewForTest()}, {"plaintext", plainSealer{}}} {
			b.Run(engine+"/"+mode.name, func(b *testing.B) {
				db := storetest.Open(b, engine)
				db.Vault = mode.sealer
				ctx := context.Background()
				r := rand.New(rand.NewPCG(1, 2))
				birth := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
				var mobiles []string
				b.Run("create", func(b *testing.B) {
					for i := 0; b.Loop(); i++ {
						c := &anxin.Customer{Kind: anxin.Individual, Name: "张伟", IDType: anxin.ResidentID,
							IDNumber: idcheck.GenerateResidentID(r, "", birth.AddDate(0, 0, i%20000), i%2 == 0),
							Mobiles:  []string{idcheck.GenerateMobile(r)}, Email: fmt.Sprintf("u%d@example.com", i), Address: "北京市朝阳区建国路88号", Tier: anxin.TierOrdinary}
						if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateCustomer(ctx, c) }); err != nil {
							if anxin.ErrorCode(err) == anxin.EConflict {
								continue
							}
							b.Fatal(err)
						}
						mobiles = append(mobiles, c.Mobiles[0])
					}
				})
				b.Run("search", func(b *testing.B) {
					for i := 0; b.Loop(); i++ {
						found, err := db.FindCustomers(ctx, anxin.CustomerFilter{Query: mobiles[i%len(mobiles)], Limit: 10})
						if err != nil || len(found) == 0 {
							b.Fatalf("%v %v", found, err)
						}
					}
				})
			})
		}
	}
}
