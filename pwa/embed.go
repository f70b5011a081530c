// Package pwa holds the client web app: static HTML, CSS, ES modules, the
// service worker and icons, embedded into the binary. The server renders the
// per-plan manifest itself.
package pwa

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
)

//go:embed static
var static embed.FS

// Static returns the app's files rooted at the static folder, so "index.html",
// "sw.js" and "app/app.js" are top-level paths.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// fs.Sub only fails for an invalid path; "static" is a constant.
		panic(err)
	}
	return sub
}

// versionLine is the service worker's cache version as written in sw.js.
const versionLine = "const VERSION = 'dev';"

// ServiceWorker returns sw.js with VERSION set to a hash of every other file of
// the app, so any change to the shell installs a new worker and a fresh cache.
func ServiceWorker(files fs.FS) ([]byte, error) {
	sw, err := fs.ReadFile(files, "sw.js")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	err = fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == "sw.js" {
			return err
		}
		data, err := fs.ReadFile(files, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(data)
		return nil
	})
	if err != nil {
		return nil, err
	}
	h.Write(sw)
	version := hex.EncodeToString(h.Sum(nil))[:12]
	if !bytes.Contains(sw, []byte(versionLine)) {
		return nil, errors.New("sw.js lacks " + versionLine)
	}
	return bytes.Replace(sw, []byte(versionLine), []byte("const VERSION = '"+version+"';"), 1), nil
}
