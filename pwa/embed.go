// Package pwa holds the client web app and the therapist workspace: static HTML,
// CSS, ES modules, the service worker and icons, embedded into the binary, and
// the table that serves them (assets.go). The server renders the per-plan
// manifest itself.
package pwa

import (
	"embed"
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
