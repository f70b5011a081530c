// Command aftercare runs the aftercare server and its operator commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	_ "time/tzdata" // client time zones must resolve on slim hosts too
)

const usage = `aftercare — guided aftercare and stretching companion

Usage:
  aftercare [serve] [flags]                        run the server (default)
  aftercare therapist add -email E -name N         create a therapist (password on stdin; the first is the studio owner)
  aftercare therapist token -email E               print a new API token (last line)
  aftercare backup [-data D] [-out F]              write a consistent snapshot (server stopped)
  aftercare backup -url U -token T [-out F]        snapshot from a running server (owner token)
  aftercare restore -data D -from F                replace the database with a snapshot (server stopped)
  aftercare healthcheck [-url U]                   exit 0 if a running server's /healthz is ok (container HEALTHCHECK)
  aftercare help                                   this text

Run "aftercare serve -h" for the server's flags.
`

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "aftercare:", err)
		}
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-') {
		return serve(args, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stderr)
	case "therapist":
		return therapistCmd(args[1:], stdin, stdout)
	case "backup":
		return backupCmd(args[1:], stdout)
	case "restore":
		return restoreCmd(args[1:], stdout)
	case "healthcheck":
		return healthcheckCmd(args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
