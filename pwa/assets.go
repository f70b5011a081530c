package pwa

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"regexp"
	"sort"
	"strings"
)

// File is one file as the server sends it.
type File struct {
	Data        []byte
	ContentType string
	// Hash is a hash of Data (12 hex digits): the content-hashed name's middle part, and the ETag.
	Hash string
	// Immutable is true under the content-hashed name: those bytes never change.
	Immutable bool
}

// Assets is the app as served, computed once at start-up from the embedded files.
//
// Every file under app/, shared/ and therapist/ except HTML pages is also served
// under a content-hashed name ("app/app.js" → "app/app.3f2a1c9b0d4e.js") that can
// be cached for good. References between files are rewritten to those names:
// import specifiers and absolute string literals in JS, url() in CSS, src and href
// in HTML. A file's hash covers its rewritten bytes, so a change to any file it
// imports, however deep, gives it a new name too. The plain names keep working
// (the printed plan's template, the manifest's icons, notification icons).
type Assets struct {
	files  map[string]*File  // by path without the leading slash: plain and hashed names
	hashed map[string]string // plain path → hashed path
	worker []byte
}

// hashLen is how many hex digits of a file's SHA-256 go into its name (48 bits).
const hashLen = 12

// versionLine and shellLine are what sw.js holds before the server stamps it.
const (
	versionLine = "const VERSION = 'dev';"
	shellLine   = "const SHELL = {};"
)

// shellDirs are the client app's folders: every file in them is precached by the service worker.
var shellDirs = []string{"app/", "shared/"}

// hashedDirs are the folders whose files get content-hashed names.
var hashedDirs = []string{"app/", "shared/", "therapist/"}

var (
	// An import specifier: `from './x.js'`, `import './x.js'`, `import('./x.js')`, `export … from '…'`.
	jsImport = regexp.MustCompile(`\b(from|import)(\s*\(?\s*)(['"])(\.{1,2}/[^'"\n]*|/[^'"\n]*)(['"])`)
	// Any other quoted absolute path into the app's folders, e.g. an <img> src built in JS.
	jsPath = regexp.MustCompile(`(['"])(/(?:app|shared|therapist)/[^'"\s]+)(['"])`)
	// url(x), url('x'), url("x") in CSS.
	cssURL = regexp.MustCompile(`url\(\s*(['"]?)([^'")\s]+)(['"]?)\s*\)`)
	// src="…" and href="…" in HTML.
	htmlRef = regexp.MustCompile(`\b(src|href)(\s*=\s*)(['"])([^'"]*)(['"])`)
)

// NewAssets hashes and rewrites files (the layout of Static). It fails on an import
// or page reference to a file that does not exist and on an import cycle, so a
// broken app never starts. A nil files gives an empty set.
func NewAssets(files fs.FS) (*Assets, error) {
	a := &Assets{files: map[string]*File{}, hashed: map[string]string{}}
	if files == nil {
		return a, nil
	}
	raw := map[string][]byte{}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(files, name)
		raw[name] = data
		return err
	})
	if err != nil {
		return nil, err
	}
	b := &builder{raw: raw, done: map[string][]byte{}, visiting: map[string]bool{}, a: a}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "sw.js" {
			continue
		}
		if _, err := b.build(name, nil); err != nil {
			return nil, err
		}
	}
	if sw, ok := raw["sw.js"]; ok {
		if a.worker, err = a.stampWorker(sw); err != nil {
			return nil, err
		}
		a.files["sw.js"] = newFile("sw.js", a.worker, false)
	}
	return a, nil
}

// Open returns the file served at name ("app/app.js" or "app/app.3f2a1c9b0d4e.js").
func (a *Assets) Open(name string) (*File, bool) {
	f, ok := a.files[name]
	return f, ok
}

// URL returns the content-hashed URL of an absolute path ("/app/style.css"),
// or the path itself when it has none.
func (a *Assets) URL(p string) string {
	if h, ok := a.hashed[strings.TrimPrefix(p, "/")]; ok {
		return "/" + h
	}
	return p
}

// ServiceWorker returns sw.js stamped with the app's version and its shell, or nil without one.
func (a *Assets) ServiceWorker() []byte { return a.worker }

// ServiceWorker returns sw.js stamped for files (see Assets.ServiceWorker).
func ServiceWorker(files fs.FS) ([]byte, error) {
	a, err := NewAssets(files)
	if err != nil {
		return nil, err
	}
	if a.worker == nil {
		return nil, errors.New("no sw.js")
	}
	return a.worker, nil
}

// Shell maps the absolute plain path of every client app file to its hashed URL:
// what the service worker precaches.
func (a *Assets) Shell() map[string]string {
	shell := map[string]string{}
	for plain, hashed := range a.hashed {
		for _, dir := range shellDirs {
			if strings.HasPrefix(plain, dir) {
				shell["/"+plain] = "/" + hashed
			}
		}
	}
	return shell
}

// stampWorker sets VERSION to a hash of every served file and of sw.js itself,
// so any change installs a new worker, and SHELL to the hashed URLs to precache.
func (a *Assets) stampWorker(sw []byte) ([]byte, error) {
	for _, line := range []string{versionLine, shellLine} {
		if !bytes.Contains(sw, []byte(line)) {
			return nil, errors.New("sw.js lacks " + line)
		}
	}
	names := make([]string, 0, len(a.files))
	for name := range a.files {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		fmt.Fprintf(h, "%s %s\n", name, a.files[name].Hash)
	}
	h.Write(sw)
	version := hex.EncodeToString(h.Sum(nil))[:hashLen]
	shell, err := json.Marshal(a.Shell()) // map keys marshal sorted: the same files stamp the same bytes
	if err != nil {
		return nil, err
	}
	sw = bytes.Replace(sw, []byte(versionLine), []byte("const VERSION = '"+version+"';"), 1)
	return bytes.Replace(sw, []byte(shellLine), []byte("const SHELL = "+string(shell)+";"), 1), nil
}

type builder struct {
	raw      map[string][]byte
	done     map[string][]byte // rewritten bytes by plain name
	visiting map[string]bool
	a        *Assets
}

// build rewrites name's references (building what it refers to first) and
// registers it under its plain and, for assets, its hashed name.
func (b *builder) build(name string, chain []string) ([]byte, error) {
	if data, ok := b.done[name]; ok {
		return data, nil
	}
	chain = append(chain, name)
	if b.visiting[name] {
		return nil, fmt.Errorf("import cycle: %s (a content hash needs the hashes of what a file imports)", strings.Join(chain, " → "))
	}
	b.visiting[name] = true
	defer delete(b.visiting, name)

	data, err := b.rewrite(name, chain)
	if err != nil {
		return nil, err
	}
	b.done[name] = data
	f := newFile(name, data, false)
	b.a.files[name] = f
	if hashable(name) {
		h := hashedName(name, f.Hash)
		if _, clash := b.raw[h]; clash {
			return nil, fmt.Errorf("%s: its hashed name %s is taken by another file", name, h)
		}
		b.a.hashed[name] = h
		b.a.files[h] = newFile(name, data, true)
	}
	return data, nil
}

// target resolves a reference in file from to a file of the app: "" when ref is not a path into it.
func (b *builder) target(from, ref string) string {
	var p string
	switch {
	case strings.HasPrefix(ref, "/"):
		p = path.Clean(ref[1:])
	case strings.Contains(ref, ":"), strings.HasPrefix(ref, "#"), strings.HasPrefix(ref, "?"):
		return "" // another site, data:, a fragment
	default:
		p = path.Join(path.Dir(from), ref)
	}
	if _, ok := b.raw[p]; !ok || !hashable(p) {
		return ""
	}
	return p
}

// ref builds the file a reference names and returns the reference with its hashed name.
func (b *builder) ref(from, ref string, chain []string) (string, bool, error) {
	p := b.target(from, ref)
	if p == "" {
		return ref, false, nil
	}
	if _, err := b.build(p, chain); err != nil {
		return "", false, err
	}
	dir, _ := path.Split(ref)
	return dir + path.Base(b.a.hashed[p]), true, nil
}

func (b *builder) rewrite(name string, chain []string) ([]byte, error) {
	data := b.raw[name]
	var err error
	replace := func(re *regexp.Regexp, group int, required func(ref string) bool) {
		if err != nil {
			return
		}
		data = re.ReplaceAllFunc(data, func(m []byte) []byte {
			if err != nil {
				return m
			}
			sub := re.FindSubmatchIndex(m)
			ref := string(m[sub[2*group]:sub[2*group+1]])
			out, ok, e := b.ref(name, ref, chain)
			if e != nil {
				err = e
				return m
			}
			if !ok {
				if required(ref) {
					err = fmt.Errorf("%s refers to %s: no such file", name, ref)
				}
				return m
			}
			return append(append(append([]byte{}, m[:sub[2*group]]...), out...), m[sub[2*group+1]:]...)
		})
	}
	always := func(string) bool { return true }
	intoApp := func(ref string) bool {
		for _, dir := range hashedDirs {
			if strings.HasPrefix(ref, "/"+dir) {
				return true
			}
		}
		return false
	}
	// In CSS any url() without a scheme is a file, relative to the stylesheet unless absolute.
	file := func(ref string) bool {
		return !strings.Contains(ref, ":") && !strings.HasPrefix(ref, "#") && (!strings.HasPrefix(ref, "/") || intoApp(ref))
	}
	switch path.Ext(name) {
	case ".js", ".mjs":
		replace(jsImport, 4, always)
		replace(jsPath, 2, func(string) bool { return false })
	case ".css":
		replace(cssURL, 2, file)
	case ".html":
		replace(htmlRef, 4, intoApp)
	}
	return data, err
}

// hashable: files in the app's folders except HTML pages, which are entry points.
func hashable(name string) bool {
	if path.Ext(name) == ".html" {
		return false
	}
	for _, dir := range hashedDirs {
		if strings.HasPrefix(name, dir) {
			return true
		}
	}
	return false
}

// hashedName puts hash before the extension: "app/icons/icon-192.png" → "app/icons/icon-192.<hash>.png".
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

func newFile(name string, data []byte, immutable bool) *File {
	sum := sha256.Sum256(data)
	return &File{Data: data, ContentType: contentType(name), Hash: hex.EncodeToString(sum[:])[:hashLen], Immutable: immutable}
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".webmanifest":
		return "application/manifest+json"
	case ".html":
		return "text/html; charset=utf-8"
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		return ct
	}
	return "application/octet-stream"
}
