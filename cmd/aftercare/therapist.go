package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/aftercare/aftercare/server/account"
	"github.com/aftercare/aftercare/server/store"
)

func therapistCmd(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: aftercare therapist add|token [flags]")
	}
	switch args[0] {
	case "add":
		return therapistAdd(args[1:], stdin, stdout)
	case "token":
		return therapistToken(args[1:], stdout)
	}
	return fmt.Errorf("unknown therapist command %q (add or token)", args[0])
}

func therapistAdd(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("therapist add", flag.ContinueOnError)
	data := dataFlag(fs)
	email := fs.String("email", "", "e-mail address (login)")
	name := fs.String("name", "", "name shown to clients")
	tz := fs.String("tz", "Europe/London", "default client time zone")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := mail.ParseAddress(*email); err != nil || !strings.Contains(*email, "@") {
		return fmt.Errorf("-email: %q is not an e-mail address", *email)
	}
	if strings.TrimSpace(*name) == "" {
		return errors.New("-name is required")
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	password = strings.TrimRight(password, "\r\n")
	db, err := store.Open(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := (&account.Service{DB: db}).Create(*email, *name, password, *tz)
	if err != nil {
		return err
	}
	role := "therapist"
	if t.Owner {
		role = "studio owner"
	}
	fmt.Fprintf(stdout, "created %s %s (%s)\n", role, t.Email, t.Name)
	return nil
}

func therapistToken(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("therapist token", flag.ContinueOnError)
	data := dataFlag(fs)
	email := fs.String("email", "", "the therapist's e-mail address")
	name := fs.String("name", "cli", "a label for the token, e.g. booking-system")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := db.TherapistByEmail(*email)
	if err != nil {
		return fmt.Errorf("no therapist with e-mail %q", *email)
	}
	secret, _, err := (&account.Service{DB: db}).NewAPIToken(t, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "API token for %s (shown once; send as Authorization: Bearer <token>):\n%s\n", t.Email, secret)
	return nil
}
