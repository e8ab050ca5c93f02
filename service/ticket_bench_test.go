package service_test

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// BenchmarkCreateTicket measures the whole intake transaction (number,
// SLA, routing with a capacity take, ticket and checklist, timeline,
// audit, receipt notices with their jobs, the timer job) without HTTP, on
// SQLite and, when ANXIN_TEST_POSTGRES is set, PostgreSQL; serially and
// with 8 concurrent callers:
//
//	go test -run '^$' -bench BenchmarkCreateTicket -benchtime 3000x ./service
//
// Agents fill up after the first tickets, as on a busy day, so most
// tickets wait in their team's queue; creates/s is reported beside ns/op.
func BenchmarkCreateTicket(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			svc, actor, customers := benchTicketService(b, storetest.Open(b, engine))
			ctx := context.Background()
			kinds := []struct {
				typ     anxin.TicketType
				channel anxin.Channel
				urgency anxin.Urgency
			}{
				{anxin.TypeEnquiry, anxin.ChannelPhone, anxin.UrgencyNormal},
				{anxin.TypeClaimAssistance, anxin.ChannelApp, anxin.UrgencyHigh},
				{anxin.TypePolicyChange, anxin.ChannelCounter, anxin.UrgencyNormal},
				{anxin.TypeComplaint, anxin.ChannelPhone, anxin.UrgencyHigh},
				{anxin.TypeEnquiry, anxin.ChannelEmail, anxin.UrgencyNormal},
				{anxin.TypeEmergency, anxin.ChannelApp, anxin.UrgencyUrgent},
			}
			var seq atomic.Int64
			create := func(b *testing.B) {
				i := seq.Add(1)
				k := kinds[int(i)%len(kinds)]
				t := &anxin.Ticket{Type: k.typ, Channel: k.channel, Urgency: k.urgency, Subject: "压力测试",
					Description: fmt.Sprintf("压力测试工单 %d", i), CustomerID: customers[int(i)%len(customers)].ID,
					Verification: anxin.Verification{Method: "security_questions", Result: "passed"}}
				if err := svc.CreateTicket(ctx, actor, t, service.CreateOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("serial", func(b *testing.B) {
				cpu := processCPU()
				for b.Loop() {
					create(b)
				}
				reportCreates(b, cpu)
			})
			b.Run("clients=8", func(b *testing.B) {
				// RunParallel starts parallelism × GOMAXPROCS goroutines.
				b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
				cpu := processCPU()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						create(b)
					}
				})
				reportCreates(b, cpu)
			})
		})
	}
}

// benchTicketService is a service over db with the shipped configuration,
// five teams, six agents working around the clock and 200 customers.
func benchTicketService(b *testing.B, db *store.DB) (*service.Service, anxin.Actor, []*anxin.Customer) {
	b.Helper()
	ctx := context.Background()
	svc := service.New(db, slog.New(slog.DiscardHandler), nil)
	svc.Files = b.TempDir()
	if err := svc.SeedCalendar(ctx, 2025, 2026); err != nil {
		b.Fatal(err)
	}
	admin := anxin.SystemActor("bench")
	staff := func(name string, role anxin.Role) *anxin.Staff {
		st := &anxin.Staff{Username: name, DisplayName: "员工" + name, Role: role, Active: true}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateStaff(ctx, st, "x") }); err != nil {
			b.Fatal(err)
		}
		return st
	}
	sup := staff("sup", anxin.RoleSupervisor)
	for _, team := range []string{"service", "claims", "complaints", "policy_change", "supervisors"} {
		if err := svc.PutTeam(ctx, admin, store.Team{Code: team, Name: team, SupervisorID: sup.ID}); err != nil {
			b.Fatal(err)
		}
	}
	var csr *anxin.Staff
	for i, team := range []string{"service", "service", "claims", "complaints", "policy_change", "supervisors"} {
		st := staff(fmt.Sprintf("agent%d", i), anxin.RoleCSR)
		if csr == nil {
			csr = st
		}
		if err := svc.PutAgent(ctx, admin, store.Agent{StaffID: st.ID, Team: team, Capacity: 10, Availability: "available",
			ShiftDays: "every_day", ShiftStart: "00:00", ShiftEnd: "00:00"}); err != nil {
			b.Fatal(err)
		}
	}
	var customers []*anxin.Customer
	for i := range 200 {
		c := &anxin.Customer{Name: "张三", IDNumber: idNumber(int64(i)), Mobiles: []string{fmt.Sprintf("1390013%04d", i)}, Email: fmt.Sprintf("b%d@example.cn", i)}
		if err := svc.CreateCustomer(ctx, admin, c); err != nil {
			b.Fatal(err)
		}
		customers = append(customers, c)
	}
	actor := anxin.Actor{Kind: "staff", ID: csr.ID, Name: csr.DisplayName, Role: anxin.RoleCSR, Channel: "api"}
	return svc, actor, customers
}

// reportCreates adds creates/s and the process's CPU time per create: on
// a shared machine the second is the steadier figure.
func reportCreates(b *testing.B, cpuBefore time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
	b.ReportMetric(float64((processCPU()-cpuBefore).Microseconds())/float64(b.N), "cpu-µs/op")
}

// processCPU is the user and system time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
