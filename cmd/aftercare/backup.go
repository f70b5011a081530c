package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aftercare/aftercare/server/store"
)

// backupCmd writes a consistent snapshot: from the file when the server is
// stopped, or from a running server's /api/admin/backup with an owner token.
func backupCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	data := dataFlag(fs)
	out := fs.String("out", "", "file to write (default aftercare-YYYYMMDD-HHMMSS.db)")
	url := fs.String("url", "", "a running server's base URL; with -token, back up over HTTP instead of from -data")
	token := fs.String("token", envDefault("AFTERCARE_TOKEN", ""), "the studio owner's API token, with -url [AFTERCARE_TOKEN]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		*out = "aftercare-" + time.Now().UTC().Format("20060102-150405") + ".db"
	}
	tmp := *out + ".partial"
	var err error
	if *url != "" {
		err = backupOverHTTPTo(strings.TrimRight(*url, "/"), *token, tmp)
	} else {
		err = backupFromFile(*data, tmp)
	}
	if err == nil && *url != "" { // the file copy verified itself
		err = store.VerifyBackup(tmp)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	abs, _ := filepath.Abs(*out)
	var n int64
	if fi, err := os.Stat(*out); err == nil {
		n = fi.Size()
	}
	fmt.Fprintf(stdout, "backup written: %s (%d bytes)\n", abs, n)
	return nil
}

// backupFromFile writes a compacted snapshot of dir's database (live records only) to path.
func backupFromFile(dir, path string) error {
	db, err := store.Open(dir)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("%w; while it runs, use: aftercare backup -url http://host:port -token <owner API token>", err)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	return db.BackupFile(path)
}

func backupOverHTTPTo(base, token, path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = backupOverHTTP(base, token, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func backupOverHTTP(base, token string, w io.Writer) (int64, error) {
	if token == "" {
		return 0, errors.New("-token (AFTERCARE_TOKEN) is required with -url")
	}
	req, err := http.NewRequest(http.MethodGet, base+"/api/admin/backup", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 10 * time.Minute}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return 0, fmt.Errorf("server answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	n, err := io.Copy(w, resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("backup truncated: got %d of %d bytes", n, resp.ContentLength)
	}
	return n, err
}

func restoreCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	data := dataFlag(fs)
	from := fs.String("from", "", "backup file to restore")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("-from is required")
	}
	if err := store.Restore(*data, *from); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into %s (previous database kept as %s.before-restore)\n", *from, *data, store.FileName)
	return nil
}
