package payment

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// BatchFile is the default driver: it appends each instruction to the
// day's bank-transfer batch file (银行代付批量文件),
// <Dir>/payouts-YYYYMMDD.csv, which operations send to the bank. The day is
// the Beijing-time day, because that is the day the bank books the batch
// under, whatever zone the server runs in.
//
// # Files
//
// payouts-YYYYMMDD.csv is UTF-8 CSV, one header row and then one row per
// instruction: 序号 (sequence within the day), 指令号 (instruction ID),
// 收款人, 开户行, 账号 (the full account: the bank cannot pay a masked one),
// 金额(元) (yuan with two decimals, formatted from fen without floating
// point), 用途 and 时间 (Beijing time of acceptance, to the second). The
// reference of a row is BATCH-YYYYMMDD-<序号>. The file is created readable
// by its owner only because it holds account numbers.
//
// paid.idx is the index that makes Pay idempotent across days and restarts.
// It is append-only, one CSV line per event:
//
//	pending,<id>,<reference>,<YYYYMMDD>,<unix seconds>   before the row is written
//	paid,<id>,<reference>,<YYYYMMDD>,<unix seconds>      after the row is written and synced
//	void,<id>,<reference>,<YYYYMMDD>,<unix seconds>      the row was never written
//	hold,<id>,<reference>,<YYYYMMDD>,<unix seconds>      cannot tell; a person decides
//
// paid.lock is only ever locked (flock), never written.
//
// # Why the pending line
//
// A crash between appending a row and recording it in the index would
// otherwise leave a row the index does not know about; if the retry came
// after midnight it would look only in the new day's file and pay again.
// The pending line, synced before the row is written, names the one file
// that can hold the row, so the next Pay in any process (under the lock)
// settles every unfinished instruction by reading that file: a row there
// means paid, none means void and the instruction is paid afresh. If the
// file itself is gone (sent to the bank and moved away too early) nothing
// can be concluded, so the instruction is put on hold and Pay returns a
// permanent error until a person appends a paid or void line for it.
//
// A row cut short by a crash (no final newline) is cut off at the next Pay,
// before anything else is appended, so the bank never receives a partial
// row — a truncated amount column would still parse as a number.
//
// # Operations
//
// Take a day's file away only after that day is over and another payment
// has been made since (which settles any interrupted one); never edit or
// delete paid.idx, which is what still stops a retry from paying twice
// once the day's file is gone.
//
// # Concurrency
//
// A mutex orders the calls of one BatchFile; an flock on paid.lock orders
// processes, and BatchFile values, sharing the directory. Under the lock
// every Pay first reads what the others appended since, so each sees the
// whole index before deciding. Local file systems only: flock over NFS is
// not to be trusted with money.
//
// A BatchFile must not be copied after first use.
type BatchFile struct {
	Dir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	paid    map[string]Result   // once an ID is here it stays: paid is for good
	pending map[string]idxEntry // pending lines with no outcome yet
	held    map[string]idxEntry
	maxSeq  map[string]int // YYYYMMDD -> highest 序号 the index has handed out
	idx     tail
	day     dayFile // the current day's file as read so far
}

const (
	idxName  = "paid.idx"
	lockName = "paid.lock"
	// timeLayout is the 时间 column; Results carry the same second.
	timeLayout = "2006-01-02 15:04:05"
)

var header = []string{"序号", "指令号", "收款人", "开户行", "账号", "金额(元)", "用途", "时间"}

func dayFileName(date string) string { return "payouts-" + date + ".csv" }

func reference(date string, seq int) string { return "BATCH-" + date + "-" + strconv.Itoa(seq) }

// canonical is the form At takes everywhere, so that a Result rebuilt from
// the index or a row compares == to the one first returned: whole seconds
// (what the file records), Beijing zone, no monotonic reading.
func canonical(t time.Time) time.Time { return time.Unix(t.Unix(), 0).In(beijing) }

type idxEntry struct {
	state, id, ref, date string
	at                   time.Time
}

func (e idxEntry) result() Result { return Result{Reference: e.ref, At: e.at} }

// Pay appends the instruction to the day's batch file unless its ID was
// accepted before, in which case it returns the recorded Result.
func (b *BatchFile) Pay(ctx context.Context, in Instruction) (Result, error) {
	if err := Validate(in); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if r, ok := b.paid[in.ID]; ok {
		return r, nil
	}
	if b.Dir == "" {
		return Result{}, errors.New("payment: BatchFile has no directory")
	}
	if b.paid == nil {
		b.paid = map[string]Result{}
		b.pending = map[string]idxEntry{}
		b.held = map[string]idxEntry{}
		b.maxSeq = map[string]int{}
	}
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return Result{}, fmt.Errorf("payment batch: %w", err)
	}
	unlock, err := lockFile(ctx, filepath.Join(b.Dir, lockName))
	if err != nil {
		return Result{}, fmt.Errorf("payment batch: lock: %w", err)
	}
	defer unlock()
	r, err := b.payLocked(in)
	if err != nil && !IsPermanent(err) {
		err = fmt.Errorf("payment batch %s: %w", in.ID, err)
	}
	return r, err
}

// payLocked runs under both the mutex and the flock.
func (b *BatchFile) payLocked(in Instruction) (Result, error) {
	if err := b.readIndex(); err != nil {
		return Result{}, err
	}
	if err := b.settle(); err != nil {
		return Result{}, err
	}
	if r, ok := b.paid[in.ID]; ok {
		return r, nil
	}
	if e, ok := b.held[in.ID]; ok {
		return Result{}, Permanent(fmt.Errorf("payment batch %s: on hold: an earlier attempt (%s) was interrupted and %s, the only file that would show whether it was written, is missing; find out from the bank whether it was paid, then append \"paid,%s,%s,%s,%d\" or \"void,%s,%s,%s,%d\" to %s",
			in.ID, e.ref, dayFileName(e.date), e.id, e.ref, e.date, e.at.Unix(), e.id, e.ref, e.date, e.at.Unix(), filepath.Join(b.Dir, idxName)))
	}

	at := canonical(b.now())
	date := at.Format("20060102")
	if err := b.readDay(date); err != nil {
		return Result{}, err
	}
	dayPath := filepath.Join(b.Dir, dayFileName(date))
	if r, ok := b.day.rows[in.ID]; ok {
		// In today's file but not in the index: the index was lost or
		// restored from an old copy. Put the row back into it.
		b.paid[in.ID] = r
		_ = b.appendIndex(idxEntry{state: "paid", id: in.ID, ref: r.Reference, date: date, at: r.At})
		return r, nil
	}
	if b.day.off == 0 {
		// The file exists (with its header, synced) before the pending line
		// names it, so a missing file always means someone removed it.
		if err := appendSync(dayPath, encodeCSV(header), true); err != nil {
			return Result{}, err
		}
	}

	seq := max(b.day.maxSeq, b.maxSeq[date]) + 1
	e := idxEntry{state: "pending", id: in.ID, ref: reference(date, seq), date: date, at: at}
	if err := b.appendIndex(e); err != nil {
		return Result{}, err
	}
	row := encodeCSV([]string{strconv.Itoa(seq), in.ID, in.PayeeName, in.BankName, in.Account,
		in.Amount.String(), in.Memo, at.Format(timeLayout)})
	if err := appendSync(dayPath, row, false); err != nil {
		// The pending line stays; the next Pay finds no row and voids it
		// (or, if the file was taken away meanwhile, holds it).
		return Result{}, err
	}
	r := e.result()
	b.paid[in.ID] = r
	// The row is the payment; if recording it fails, the pending line lets
	// the next Pay find the row. Either way it has been accepted.
	e.state = "paid"
	_ = b.appendIndex(e)
	return r, nil
}

func (b *BatchFile) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// apply folds one index line into memory; lines are facts, so applying one
// twice (our own appends are read back later) changes nothing.
func (b *BatchFile) apply(e idxEntry) {
	if seq, err := seqOf(e.ref, e.date); err == nil && seq > b.maxSeq[e.date] {
		b.maxSeq[e.date] = seq
	}
	switch e.state {
	case "pending":
		if _, ok := b.paid[e.id]; !ok {
			b.pending[e.id] = e
		}
	case "paid":
		if _, ok := b.paid[e.id]; !ok {
			b.paid[e.id] = e.result()
		}
		delete(b.pending, e.id)
		delete(b.held, e.id)
	case "void":
		if p, ok := b.pending[e.id]; ok && p.ref == e.ref {
			delete(b.pending, e.id)
		}
		if h, ok := b.held[e.id]; ok && h.ref == e.ref {
			delete(b.held, e.id)
		}
	case "hold":
		if p, ok := b.pending[e.id]; ok && p.ref == e.ref {
			delete(b.pending, e.id)
			b.held[e.id] = e
		}
	}
}

func (b *BatchFile) appendIndex(e idxEntry) error {
	line := encodeCSV([]string{e.state, e.id, e.ref, e.date, strconv.FormatInt(e.at.Unix(), 10)})
	if err := appendSync(filepath.Join(b.Dir, idxName), line, true); err != nil {
		return err
	}
	b.apply(e)
	return nil
}

func (b *BatchFile) readIndex() error {
	path := filepath.Join(b.Dir, idxName)
	// A replaced or shortened index is read again from the start; what
	// memory already knows is kept, since forgetting a payment is the one
	// thing that must not happen.
	return b.idx.read(path, nil, func(line []byte, _ bool) error {
		e, err := parseIndexLine(line)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		b.apply(e)
		return nil
	})
}

// settle decides every pending line left by an interrupted Pay, in any
// process, from the file its row would be in.
func (b *BatchFile) settle() error {
	for id, e := range b.pending {
		var d dayFile
		err := d.load(filepath.Join(b.Dir, dayFileName(e.date)), e.date)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			e.state = "hold"
		case err != nil:
			return err
		default:
			if r, ok := d.rows[id]; ok {
				e.state, e.ref, e.at = "paid", r.Reference, r.At
			} else {
				e.state = "void"
			}
		}
		if err := b.appendIndex(e); err != nil {
			return err
		}
	}
	return nil
}

// dayFile is one day's batch file as read so far.
type dayFile struct {
	date string
	tail
	rows   map[string]Result
	maxSeq int
}

func (b *BatchFile) readDay(date string) error {
	if b.day.date != date {
		b.day = dayFile{date: date}
	}
	return b.day.refresh(filepath.Join(b.Dir, dayFileName(date)))
}

// load reads a whole day's file; unlike refresh it reports a missing file.
func (d *dayFile) load(path, date string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	*d = dayFile{date: date}
	return d.refresh(path)
}

func (d *dayFile) refresh(path string) error {
	reset := func() { d.rows, d.maxSeq = map[string]Result{}, 0 }
	if d.rows == nil {
		reset()
	}
	return d.tail.read(path, reset, func(line []byte, first bool) error {
		rec, err := decodeCSV(line)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if first {
			if strings.Join(rec, ",") != strings.Join(header, ",") {
				return fmt.Errorf("%s does not start with the batch file header; refusing to append to it", path)
			}
			return nil
		}
		if len(rec) != len(header) {
			return fmt.Errorf("%s: row with %d columns, want %d", path, len(rec), len(header))
		}
		seq, err := strconv.Atoi(rec[0])
		if err != nil || seq <= 0 {
			return fmt.Errorf("%s: row with 序号 %q", path, rec[0])
		}
		at, err := time.ParseInLocation(timeLayout, rec[7], beijing)
		if err != nil {
			return fmt.Errorf("%s: row %d: 时间 %q", path, seq, rec[7])
		}
		d.rows[rec[1]] = Result{Reference: reference(d.date, seq), At: canonical(at)}
		d.maxSeq = max(d.maxSeq, seq)
		return nil
	})
}

// tail remembers how much of an append-only file has been read, so each
// Pay reads only what was appended since, by this process or another.
type tail struct {
	fi  os.FileInfo
	off int64
}

// read applies each complete line after the offset. A file that was
// replaced or shortened is read from the start after calling reset. An
// incomplete last line is a write cut short by a crash and is cut off;
// read is only called under the flock, when nobody can be writing it.
func (t *tail) read(path string, reset func(), apply func(line []byte, first bool) error) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		if t.fi != nil || t.off != 0 {
			t.fi, t.off = nil, 0
			if reset != nil {
				reset()
			}
		}
		return nil
	} else if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if (t.fi != nil && !os.SameFile(t.fi, fi)) || fi.Size() < t.off {
		t.off = 0
		if reset != nil {
			reset()
		}
	}
	t.fi = fi
	r := bufio.NewReader(io.NewSectionReader(f, t.off, fi.Size()-t.off))
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			if len(line) > 0 {
				return os.Truncate(path, t.off)
			}
			return nil
		} else if err != nil {
			return err
		}
		if err := apply(line, t.off == 0); err != nil {
			return err
		}
		t.off += int64(len(line))
	}
}

// appendSync appends data with one write and syncs it; on failure it cuts
// the file back so no partial line is left for the next writer to extend.
// Rows are appended without create: a day's file that vanished between its
// header and a row was taken away, and a headerless new file would only
// hide that.
func appendSync(path string, data []byte, create bool) error {
	flag := os.O_WRONLY | os.O_APPEND
	if create {
		flag |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return err
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = f.Write(data)
		if err == nil {
			err = f.Sync()
		}
		if err != nil {
			_ = f.Truncate(size)
			_ = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && size == 0 {
		// A new file's directory entry must be durable too, or a crash can
		// take the file, and the payments in it, with it.
		err = syncDir(filepath.Dir(path))
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// lockFile takes an exclusive flock, polling so the wait ends with ctx. The
// lock goes with the descriptor, so it is released even if the process
// dies holding it.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	delay := time.Millisecond
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(fd, syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

func encodeCSV(rec []string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(rec) // a bytes.Buffer does not fail
	w.Flush()
	return buf.Bytes()
}

func decodeCSV(line []byte) ([]string, error) {
	r := csv.NewReader(bytes.NewReader(line))
	r.FieldsPerRecord = -1
	return r.Read()
}

func parseIndexLine(line []byte) (idxEntry, error) {
	rec, err := decodeCSV(line)
	if err != nil {
		return idxEntry{}, err
	}
	if len(rec) != 5 {
		return idxEntry{}, fmt.Errorf("line %q: want state,id,reference,date,unix", line)
	}
	e := idxEntry{state: rec[0], id: rec[1], ref: rec[2], date: rec[3]}
	switch e.state {
	case "pending", "paid", "void", "hold":
	default:
		return idxEntry{}, fmt.Errorf("line %q: unknown state %q", line, e.state)
	}
	if _, err := seqOf(e.ref, e.date); err != nil || e.id == "" {
		return idxEntry{}, fmt.Errorf("line %q: bad id or reference", line)
	}
	sec, err := strconv.ParseInt(rec[4], 10, 64)
	if err != nil {
		return idxEntry{}, fmt.Errorf("line %q: bad time", line)
	}
	e.at = canonical(time.Unix(sec, 0))
	return e, nil
}

// seqOf is the 序号 in a reference of the given day.
func seqOf(ref, date string) (int, error) {
	s, ok := strings.CutPrefix(ref, "BATCH-"+date+"-")
	if !ok {
		return 0, fmt.Errorf("reference %q is not of %s", ref, date)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("reference %q has no sequence number", ref)
	}
	return n, nil
}
