package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/sheet"
)

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f dbFlags
	fs := newFlagSet("import", stderr)
	f.register(fs)
	partial := fs.Bool("partial", false, "keep the valid rows when some rows are bad (default: all or nothing)")
	errorsFile := fs.String("errors", "", "write the row-level error report (CSV) here; default FILE.errors.csv when there are errors")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New("usage: anxin import customers|policies FILE [--partial] [--errors FILE]")
	}
	what, file := pos[0], pos[1]
	format, err := fileFormat(file)
	if err != nil {
		return err
	}
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	svc, err := openService(ctx, &f, newLogger(stderr))
	if err != nil {
		return err
	}
	defer svc.DB.Close()
	bar := newBar(stderr, "导入 importing")
	if what != "customers" && what != "policies" {
		return fmt.Errorf("import what? %q: use customers or policies", what)
	}
	opt := sheet.Options{Partial: *partial, Now: time.Now(), Progress: bar.update}
	rep, err := svc.Import(ctx, anxin.SystemActor("cli"), what, in, format, opt)
	bar.finish()
	if rep != nil {
		fmt.Fprintf(stdout, "rows %d: created %d, updated %d, unchanged %d, failed %d\n", rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Failed)
		if len(rep.Errors) > 0 {
			path := *errorsFile
			if path == "" {
				path = strings.TrimSuffix(file, filepath.Ext(file)) + ".errors.csv"
			}
			if werr := writeFile(path, rep.WriteErrors); werr != nil {
				return werr
			}
			fmt.Fprintf(stdout, "error report: %s\n", path)
			if !*partial {
				fmt.Fprintln(stdout, "nothing was written (all or nothing); fix the rows or use --partial")
			}
		}
	}
	if err != nil {
		return err
	}
	if rep != nil && rep.Failed > 0 && !*partial {
		return fmt.Errorf("%d rows failed", rep.Failed)
	}
	return nil
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f dbFlags
	fs := newFlagSet("export", stderr)
	f.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New("usage: anxin export customers|policies FILE.xlsx")
	}
	what, file := pos[0], pos[1]
	if !strings.EqualFold(filepath.Ext(file), ".xlsx") {
		return errors.New("export writes .xlsx files")
	}
	svc, err := openService(ctx, &f, newLogger(stderr))
	if err != nil {
		return err
	}
	defer svc.DB.Close()
	// The command line acts as the system: full data, audited like any
	// export. Staff export through the API, masked by role.
	var n int
	err = writeFile(file, func(w io.Writer) error {
		var err error
		n, err = svc.Export(ctx, anxin.SystemActor("cli"), what, w)
		return err
	})
	if err != nil {
		os.Remove(file)
		return err
	}
	fmt.Fprintf(stdout, "exported %d %s to %s\n", n, what, file)
	return nil
}

func fileFormat(file string) (string, error) {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv":
		return "csv", nil
	case ".xlsx":
		return "xlsx", nil
	}
	return "", fmt.Errorf("%s: only .csv and .xlsx files can be imported", file)
}

func writeFile(path string, fn func(io.Writer) error) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// bar shows progress on a terminal and stays silent elsewhere (CI, pipes).
type bar struct {
	pb *progressbar.ProgressBar
	w  io.Writer
}

func newBar(w io.Writer, label string) *bar {
	if f, ok := w.(*os.File); !ok || !isTerminal(f) {
		return &bar{}
	}
	return &bar{w: w, pb: progressbar.NewOptions(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionThrottle(100*time.Millisecond))}
}

func (b *bar) update(done, total int) {
	if b.pb == nil {
		return
	}
	if total > 0 && b.pb.GetMax() != total {
		b.pb.ChangeMax(total)
	}
	b.pb.Set(done)
}

func (b *bar) finish() {
	if b.pb != nil {
		b.pb.Finish()
		fmt.Fprintln(b.w)
	}
}

func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
