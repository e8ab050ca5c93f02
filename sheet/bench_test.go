package sheet

import (
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anxin-insure/anxin/storetest"
)

// heapSampler records the largest HeapInuse seen while it runs. Sampling
// every 25 ms is enough to catch a peak that lasts as long as a validation
// pass; it stops the world for microseconds each time.
type heapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func startHeapSampler() *heapSampler {
	s := &heapSampler{stop: make(chan struct{})}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		var m runtime.MemStats
		tick := time.NewTicker(25 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			s.peak = max(s.peak, m.HeapInuse)
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *heapSampler) finish() uint64 {
	close(s.stop)
	s.done.Wait()
	return s.peak
}

// cpuTime is the processor time the process has used, user and system.
// On a shared machine wall time varies with the neighbours' load; this
// does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkImportPolicies100k imports 100,000 policies from XLSX into an
// empty database that already holds their customers, on SQLite and, when
// ANXIN_TEST_POSTGRES is set, on PostgreSQL. ANXIN_BENCH_ROWS changes the
// number of rows. It reports rows/s and the peak heap in use; the customers
// import that sets the stage is reported as customer-rows/s.
func BenchmarkImportPolicies100k(b *testing.B) {
	n := 100_000
	if s := os.Getenv("ANXIN_BENCH_ROWS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("ANXIN_BENCH_ROWS=%q is not a positive number", s)
		}
		n = v
	}
	cust, pol, err := GenerateBenchmarkFiles(b.TempDir(), n, 1)
	if err != nil {
		b.Fatal(err)
	}
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			var elapsed, custElapsed, cpu time.Duration
			var peak uint64
			for range b.N {
				b.StopTimer()
				db := storetest.Open(b, engine)
				setup(b, db, BenchmarkProduct())
				start := time.Now()
				rep := mustImport(b, db, ImportCustomers, cust, Options{})
				custElapsed += time.Since(start)
				if rep.Created != n {
					b.Fatalf("customers: %s", describe(rep))
				}
				runtime.GC()
				sampler := startHeapSampler()
				cpu0 := cpuTime()
				b.StartTimer()
				start = time.Now()
				rep = mustImport(b, db, ImportPolicies, pol, Options{})
				elapsed += time.Since(start)
				b.StopTimer()
				cpu += cpuTime() - cpu0
				peak = max(peak, sampler.finish())
				if rep.Created != n {
					b.Fatalf("policies: %s", describe(rep))
				}
				if c := count(b, db, "policy_versions"); c != n {
					b.Fatalf("%d policy versions, want %d", c, n)
				}
				db.Close()
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(float64(n*b.N)/custElapsed.Seconds(), "customer-rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
