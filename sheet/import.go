package sheet

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// Options control an import.
type Options struct {
	// OnWrite, when set, runs inside each write transaction after its rows,
	// with what that transaction created and updated: the audit record of
	// an import commits with the rows it describes.
	OnWrite func(ctx context.Context, tx *store.Tx, created, updated int) error
	// Partial writes the valid rows and reports the others. Without it an
	// import is all-or-nothing: one bad row and nothing is written.
	Partial bool
	// Now is the clock for validation (a birth date may not be in the
	// future); zero means db.Now(). Rows are stamped by the database's
	// clock, like every other write.
	Now time.Time
	// Actor is recorded as changed_by in policy history; empty means "import".
	Actor string
	// Progress, when set, is called as rows are validated and written.
	// total is -1 while unknown (a CSV has not been read to its end yet);
	// validating and writing each move done halfway, so done reaches total
	// when the import is over.
	Progress func(done, total int)
}

const (
	// chunkSize rows are validated together, so that the stored records
	// they refer to are fetched with one query per chunk, not per row.
	chunkSize = 1000
	// partialBatch bounds a transaction in Partial mode, where no single
	// transaction must cover the file; short transactions let other writers
	// in between on SQLite, which has one writer at a time.
	partialBatch = 5000
)

// parsed is a chunk of drafts.
type parsed interface{ len() int }

type rawRow struct {
	n     int
	cells []string
}

// importer is what differs between customers and policies.
type importer interface {
	bind(row int, header []string) []RowError
	// parse turns a chunk of rows into drafts; it runs on the goroutine
	// that reads the file, alongside check.
	parse(rows []rawRow) parsed
	// check looks up the stored records a chunk of drafts refers to,
	// validates the drafts and queues the writes the valid ones need.
	check(ctx context.Context, chunk parsed) error
	queued() int
	// write performs queued writes [from, to) inside tx, calling tick after
	// each, and returns how many records it created and updated.
	write(ctx context.Context, tx *store.Tx, from, to int, tick func()) (created, updated int, err error)
}

// job is the state both kinds of import share.
type job struct {
	db             *store.DB
	rd             reader
	opt            Options
	rep            *Report
	p              parser
	xlsx, date1904 bool
}

// keepWrites reports whether valid rows should still be queued: once an
// all-or-nothing import has a bad row nothing will be written, so the
// remaining rows are only validated, which keeps memory flat.
func (j *job) keepWrites() bool { return j.opt.Partial || j.rep.Failed == 0 }

type rowErrorer interface {
	rowError(row int, field, reason, en, zh string) RowError
}

// finish moves the current row's problems into the report and reports
// whether the row is valid.
func (j *job) finish(l rowErrorer) bool {
	bad := false
	for _, e := range j.p.errs {
		re := l.rowError(j.p.row, e.field, e.reason, e.en, e.zh)
		if e.warning {
			j.rep.Warnings = append(j.rep.Warnings, re)
		} else {
			j.rep.Errors = append(j.rep.Errors, re)
			bad = true
		}
	}
	if bad {
		j.rep.Failed++
	}
	return !bad
}

// ImportCustomers reads customers from r (format "csv" or "xlsx") and creates
// or updates them, matching stored customers by document type and number.
// A row equal to the stored customer is left alone, so importing the same
// file twice changes nothing.
//
// The error is non-nil when the file itself cannot be read (an *anxin.Error
// naming the row where that was found), when an all-or-nothing import has
// bad rows (the report lists every one), or when the database fails.
func ImportCustomers(ctx context.Context, db *store.DB, r io.Reader, format string, opt Options) (*Report, error) {
	return run(ctx, db, r, format, opt, func(j *job) importer { return &customerImport{job: j} })
}

// ImportPolicies reads policies from r and creates or updates them, matching
// stored policies by number; a changed policy gets a new version in its
// history with the reason "import". Policyholder and insured are named by
// document and must already exist: import the customers first. Coverages
// are the product's defaults for a new policy and stay as they are for an
// existing one whose product does not change.
func ImportPolicies(ctx context.Context, db *store.DB, r io.Reader, format string, opt Options) (*Report, error) {
	return run(ctx, db, r, format, opt, func(j *job) importer { return &policyImport{job: j} })
}

func run(ctx context.Context, db *store.DB, r io.Reader, format string, opt Options, newImporter func(*job) importer) (*Report, error) {
	if opt.Now.IsZero() {
		opt.Now = db.Now()
	}
	if opt.Actor == "" {
		opt.Actor = "import"
	}
	src, err := openSource(r, format)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	j := &job{db: db, rd: readerFor(db), opt: opt, rep: rep}
	j.xlsx, j.date1904 = src.xlsx()
	imp := newImporter(j)

	row, header, err := src.next()
	if err == io.EOF {
		src.close()
		return rep, fileError(0, "the file is empty; it needs a header row and data rows", "文件为空，需要表头行和数据行")
	}
	if err != nil {
		src.close()
		return rep, err
	}
	if errs := imp.bind(row, header); len(errs) > 0 {
		src.close()
		rep.Errors = errs
		return rep, fileError(row, "the header row is not valid: "+errs[0].Message, "表头行有误："+errs[0].MessageZH)
	}

	validated, written, readAll := 0, 0, false
	progress := func() {
		if opt.Progress == nil {
			return
		}
		total := rep.Rows
		if !readAll {
			if total = src.estimate(); total >= 0 && total < validated {
				total = validated
			}
		}
		opt.Progress((validated+written)/2, total)
	}

	// A second goroutine reads and parses the file while this one looks up
	// and validates, which is what two cores are for.
	chunks := make(chan parsed, 4)
	stop := make(chan struct{})
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(chunks)
		buf := make([]rawRow, 0, chunkSize)
		for {
			n, cells, err := src.next()
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				break
			}
			buf = append(buf, rawRow{n, cells})
			if len(buf) == chunkSize {
				select {
				case chunks <- imp.parse(buf):
				case <-stop:
					return
				}
				buf = buf[:0]
			}
		}
		if len(buf) > 0 {
			select {
			case chunks <- imp.parse(buf):
			case <-stop:
			}
		}
	}()
	// The reader must have stopped before the source is closed under it.
	finishReading := func() {
		close(stop)
		wg.Wait()
		src.close()
	}

	for chunk := range chunks {
		if err := ctx.Err(); err != nil {
			finishReading()
			return rep, err
		}
		rep.Rows += chunk.len()
		if err := imp.check(ctx, chunk); err != nil {
			finishReading()
			return rep, err
		}
		validated += chunk.len()
		progress()
	}
	finishReading()
	readAll = true
	if readErr != nil {
		return rep, readErr
	}
	if rep.Rows == 0 {
		return rep, fileError(0, "the file has a header row but no data rows", "文件只有表头，没有数据行")
	}
	if rep.Failed > 0 && !opt.Partial {
		rep.Unchanged = 0
		return rep, anxin.Errorz(anxin.EInvalid,
			fmt.Sprintf("%d of %d rows have errors; nothing was imported (first: %s)", rep.Failed, rep.Rows, rep.Errors[0].Message),
			fmt.Sprintf("%d 行（共 %d 行）有错误，未导入任何数据（第一个错误：%s）", rep.Failed, rep.Rows, rep.Errors[0].MessageZH))
	}

	n := imp.queued()
	written = rep.Rows - n
	progress()
	batch := n
	if opt.Partial {
		batch = partialBatch
	}
	for from := 0; from < n; from += batch {
		to := min(from+batch, n)
		var created, updated int
		err := db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			created, updated, err = imp.write(ctx, tx, from, to, func() {
				if written++; written%chunkSize == 0 {
					progress()
				}
			})
			if err == nil && opt.OnWrite != nil {
				err = opt.OnWrite(ctx, tx, created, updated)
			}
			return err
		})
		if err != nil {
			if from > 0 {
				return rep, fmt.Errorf("sheet: import stopped after %d of %d writes were committed: %w", from, n, err)
			}
			return rep, err
		}
		rep.Created += created
		rep.Updated += updated
	}
	written = rep.Rows
	progress()
	return rep, nil
}
