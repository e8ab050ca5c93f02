package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/anxin-insure/anxin"
)

// runStaff creates staff accounts from the command line: outside demo mode
// there is no default password, so the first administrator is made here.
func runStaff(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	const use = "usage: anxin staff add USERNAME --role ROLE --name DISPLAY_NAME   (password from ANXIN_PASSWORD or standard input)"
	var f dbFlags
	fs := newFlagSet("staff add", stderr)
	f.register(fs)
	role := fs.String("role", "", "role: "+roleList())
	name := fs.String("name", "", "display name")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "add" {
		return errors.New(use)
	}
	username := pos[1]
	password := os.Getenv("ANXIN_PASSWORD")
	if password == "" {
		fmt.Fprint(stderr, "password: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password given")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	svc, err := openService(ctx, &f, newLogger(stderr))
	if err != nil {
		return err
	}
	defer svc.DB.Close()
	st := &anxin.Staff{Username: username, DisplayName: *name, Role: anxin.Role(*role)}
	if st.DisplayName == "" {
		st.DisplayName = username
	}
	if err := svc.CreateStaff(ctx, anxin.SystemActor("cli"), st, password); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s (%s)\n", st.Username, roleName(st.Role))
	return nil
}

func roleList() string {
	var names []string
	for _, r := range anxin.Roles {
		names = append(names, string(r.Role))
	}
	return strings.Join(names, ", ")
}
