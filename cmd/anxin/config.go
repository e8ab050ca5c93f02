package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/vault"
)

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	data string
	db   string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./anxin-data", "data directory (SQLite file, attachments, keys)")
	fs.StringVar(&f.db, "db", os.Getenv("ANXIN_DB"), "database: a postgres:// URL, or empty for the SQLite file under --data")
}

func (f *dbFlags) dsn() string {
	if f.db != "" {
		return f.db
	}
	return filepath.Join(f.data, "anxin.db")
}

// openService opens and migrates the database, checks the encryption keys
// against it, seals anything still in plaintext, and wires the service.
func openService(ctx context.Context, f *dbFlags, log *slog.Logger) (*service.Service, error) {
	keys, err := vault.FromEnv(os.Getenv, filepath.Join(f.data, "keys.json"))
	if err != nil {
		return nil, fmt.Errorf("encryption keys: %w", err)
	}
	db, err := store.Open(ctx, f.dsn())
	if err != nil {
		return nil, err
	}
	db.Vault = keys
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	first, err := db.CheckKeys(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if first {
		// The database had never been opened with keys: any rows it holds
		// were written before encryption and are sealed now.
		n, err := db.Reseal(ctx, nil)
		if err != nil {
			db.Close()
			return nil, err
		}
		if n > 0 {
			log.Info("sealed personal data written before encryption", "rows", n)
		}
	}
	svc := service.New(db, log, nil)
	svc.Keys = keys
	return svc, nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("anxin "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f dbFlags
	fs := newFlagSet("migrate", stderr)
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	svc, err := openService(ctx, &f, newLogger(stderr))
	if err != nil {
		return err
	}
	defer svc.DB.Close()
	io.WriteString(stdout, "migrated "+store.RedactDSN(f.dsn())+"\n")
	return nil
}

// parseArgs parses flags wherever they stand among the positional
// arguments (`anxin calendar load FILE --data DIR` as well as the other
// order) and returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
