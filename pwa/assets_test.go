package pwa

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func mustAssets(t *testing.T, files fs.FS) *Assets {
	t.Helper()
	a, err := NewAssets(files)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var hashedPattern = regexp.MustCompile(`\.[0-9a-f]{12}(\.[a-z0-9]+)$`)

// Every file of the apps has a content-hashed name serving the same bytes as its
// plain name, for good; HTML pages and the service worker have none.
func TestEveryAppFileHasAnImmutableHashedName(t *testing.T) {
	a := mustAssets(t, Static())
	n := 0
	err := fs.WalkDir(Static(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		plain, ok := a.Open(name)
		if !ok || plain.Immutable {
			t.Errorf("%s: served %v, immutable %v; want served under its plain name, revalidated", name, ok, ok && plain.Immutable)
			return nil
		}
		url := a.URL("/" + name)
		inApp := strings.HasPrefix(name, "app/") || strings.HasPrefix(name, "shared/") || strings.HasPrefix(name, "therapist/")
		if !inApp || path.Ext(name) == ".html" {
			if url != "/"+name {
				t.Errorf("%s is an entry point, yet has the hashed URL %s", name, url)
			}
			return nil
		}
		n++
		if !hashedPattern.MatchString(url) || hashedPattern.ReplaceAllString(url, "$1") != "/"+name {
			t.Errorf("%s: hashed URL %s", name, url)
		}
		f, ok := a.Open(strings.TrimPrefix(url, "/"))
		if !ok || !f.Immutable || !bytes.Equal(f.Data, plain.Data) || f.ContentType != plain.ContentType {
			t.Errorf("%s: %s served %v, immutable %v, same bytes %v", name, url, ok, ok && f.Immutable, ok && bytes.Equal(f.Data, plain.Data))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("only %d app files found", n)
	}
}

var (
	specifier = regexp.MustCompile(`\b(?:from|import)\s*\(?\s*['"]([^'"\n]+)['"]`)
	pageRef   = regexp.MustCompile(`\b(?:src|href)\s*=\s*"(/[^"]*)"`)
)

// What the browser is sent refers only to hashed names that exist: every import in
// every module, every script, stylesheet and icon in every page.
func TestServedFilesReferToHashedNames(t *testing.T) {
	a := mustAssets(t, Static())
	imports := 0
	for name, f := range a.files {
		var refs [][]byte
		switch {
		case path.Ext(name) == ".js" && name != "sw.js":
			for _, m := range specifier.FindAllSubmatch(f.Data, -1) {
				refs = append(refs, m[1])
			}
		case path.Ext(name) == ".html":
			for _, m := range pageRef.FindAllSubmatch(f.Data, -1) {
				if !bytes.HasPrefix(m[1], []byte("/therapist")) || bytes.HasPrefix(m[1], []byte("/therapist/")) {
					refs = append(refs, m[1])
				}
			}
		}
		for _, ref := range refs {
			target := string(ref)
			if !strings.HasPrefix(target, "/") {
				target = path.Join("/", path.Dir(name), target)
			}
			imports++
			if to, ok := a.Open(target[1:]); !ok || !to.Immutable {
				t.Errorf("%s refers to %s: served %v, immutable %v", name, ref, ok, ok && to.Immutable)
			}
		}
	}
	if imports < 30 {
		t.Fatalf("only %d references checked", imports)
	}
	index, _ := a.Open("index.html")
	if !bytes.Contains(index.Data, []byte(`<script type="module" src="`+a.URL("/app/app.js")+`">`)) {
		t.Fatalf("index.html does not load the hashed app.js:\n%s", index.Data)
	}
}

// A module's name changes when anything it imports changes, however deep, and
// only then; the same files always give the same names and bytes.
func TestHashedNameFollowsWhatAFileImports(t *testing.T) {
	files := fstest.MapFS{
		"index.html":       {Data: []byte(`<link rel="stylesheet" href="/app/style.css"><script type="module" src="/app/main.js"></script>`)},
		"app/main.js":      {Data: []byte("import { a } from './a.js';\nconst more = () => import(\"../shared/b.js\");\n")},
		"app/a.js":         {Data: []byte("import { b } from '../shared/b.js';\nexport const a = b + 1; const pic = '/app/pic.svg';\n")},
		"shared/b.js":      {Data: []byte("export const b = 1;\n")},
		"app/pic.svg":      {Data: []byte("<svg/>")},
		"app/style.css":    {Data: []byte(`body { background: url("./pic.svg") }`)},
		"app/unrelated.js": {Data: []byte("export const u = 0;\n")},
	}
	before := mustAssets(t, files)
	again := mustAssets(t, files)
	for name := range files {
		x, _ := before.Open(name)
		y, _ := again.Open(name)
		if before.URL("/"+name) != again.URL("/"+name) || !bytes.Equal(x.Data, y.Data) {
			t.Errorf("%s: two builds of the same files differ", name)
		}
	}
	a, _ := before.Open("app/a.js")
	if want := "from '../shared/b." + mustFile(t, before, "shared/b.js").Hash + ".js'"; !bytes.Contains(a.Data, []byte(want)) {
		t.Errorf("a.js not rewritten to %q:\n%s", want, a.Data)
	}
	if want := "'" + before.URL("/app/pic.svg") + "'"; !bytes.Contains(a.Data, []byte(want)) {
		t.Errorf("a.js's picture not rewritten to %s:\n%s", want, a.Data)
	}
	main, _ := before.Open("app/main.js")
	if want := `import("../shared/b.` + mustFile(t, before, "shared/b.js").Hash + `.js")`; !bytes.Contains(main.Data, []byte(want)) {
		t.Errorf("dynamic import not rewritten to %s:\n%s", want, main.Data)
	}
	css, _ := before.Open("app/style.css")
	if want := `url("./pic.` + mustFile(t, before, "app/pic.svg").Hash + `.svg")`; !bytes.Contains(css.Data, []byte(want)) {
		t.Errorf("stylesheet not rewritten to %s: %s", want, css.Data)
	}

	files["shared/b.js"] = &fstest.MapFile{Data: []byte("export const b = 2;\n")}
	after := mustAssets(t, files)
	for _, name := range []string{"/shared/b.js", "/app/a.js", "/app/main.js"} {
		if before.URL(name) == after.URL(name) {
			t.Errorf("%s kept its name %s after shared/b.js changed", name, after.URL(name))
		}
		if _, ok := after.Open(strings.TrimPrefix(before.URL(name), "/")); ok {
			t.Errorf("the old name of %s is still served", name)
		}
	}
	for _, name := range []string{"/app/unrelated.js", "/app/pic.svg", "/app/style.css"} {
		if before.URL(name) != after.URL(name) {
			t.Errorf("%s changed its name though nothing it refers to changed", name)
		}
	}
	page, _ := after.Open("index.html")
	if !bytes.Contains(page.Data, []byte(after.URL("/app/main.js"))) {
		t.Errorf("index.html does not load the new main.js: %s", page.Data)
	}
}

func mustFile(t *testing.T, a *Assets, name string) *File {
	t.Helper()
	f, ok := a.Open(name)
	if !ok {
		t.Fatalf("%s not served", name)
	}
	return f
}

// A typo in an import or a page, or an import cycle, stops the server at start
// with the file's name instead of serving an app that cannot load.
func TestBrokenReferencesAreRefusedAtStart(t *testing.T) {
	for _, c := range []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"missing import", fstest.MapFS{"app/a.js": {Data: []byte("import { x } from './nope.js';")}}, "app/a.js refers to ./nope.js"},
		{"missing dynamic import", fstest.MapFS{"app/a.js": {Data: []byte("const m = () => import('../shared/gone.js');")}}, "app/a.js refers to ../shared/gone.js"},
		{"missing page script", fstest.MapFS{"index.html": {Data: []byte(`<script type="module" src="/app/ap.js"></script>`)}, "app/app.js": {}}, "index.html refers to /app/ap.js"},
		{"missing stylesheet image", fstest.MapFS{"app/s.css": {Data: []byte(`a { background: url(pic.png) }`)}}, "app/s.css refers to pic.png"},
		{"stylesheet data and route urls", fstest.MapFS{"app/s.css": {Data: []byte(`a { background: url("data:image/png;base64,AA") } b { background: url(/img/stretches/x.svg) }`)}}, ""},
		{"cycle", fstest.MapFS{
			"app/a.js": {Data: []byte("import './b.js';")},
			"app/b.js": {Data: []byte("export const f = () => import('./a.js');")},
		}, "import cycle: app/a.js → app/b.js → app/a.js"},
		{"sw.js without its stamp", fstest.MapFS{"sw.js": {Data: []byte("const VERSION = 'dev';")}}, "sw.js lacks const SHELL = {};"},
	} {
		_, err := NewAssets(c.files)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// The service worker precaches the client app from the same table that serves it:
// every file under app/ and shared/, by its hashed URL; not the therapist workspace.
func TestServiceWorkerShellIsStampedFromTheServedFiles(t *testing.T) {
	a := mustAssets(t, Static())
	sw := a.ServiceWorker()
	m := regexp.MustCompile(`(?m)^const SHELL = (\{.*\});$`).FindSubmatch(sw)
	if m == nil {
		t.Fatalf("no stamped SHELL in sw.js")
	}
	var shell map[string]string
	if err := json.Unmarshal(m[1], &shell); err != nil {
		t.Fatal(err)
	}
	want := 0
	_ = fs.WalkDir(Static(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasPrefix(name, "app/") || strings.HasPrefix(name, "shared/")) {
			return err
		}
		want++
		if got := shell["/"+name]; got == "" || got != a.URL("/"+name) {
			t.Errorf("shell entry of %s: %q, want %q", name, got, a.URL("/"+name))
		}
		return nil
	})
	if len(shell) != want {
		t.Errorf("shell has %d entries, want %d (app/ and shared/)", len(shell), want)
	}
	for plain, url := range shell {
		if f, ok := a.Open(strings.TrimPrefix(url, "/")); !ok || !f.Immutable {
			t.Errorf("shell entry %s → %s is not an immutable served file", plain, url)
		}
	}
	if bytes.Contains(m[1], []byte("/therapist/")) {
		t.Error("the therapist workspace is in the client's shell")
	}
	if bytes.Contains(sw, []byte(shellLine)) || bytes.Contains(sw, []byte(versionLine)) {
		t.Error("sw.js served unstamped")
	}
}

var (
	staticImport = regexp.MustCompile(`(?m)^(?:import|export)\b[^'"\n]*?['"](\.{1,2}/[^'"\n]+)['"]`)
	preload      = regexp.MustCompile(`<link rel="modulepreload" href="/([^"]+)">`)
	entry        = regexp.MustCompile(`<script type="module" src="/([^"]+)"></script>`)
)

// Each page preloads every module its entry imports statically, however deep, and
// nothing else, so the first screen's modules download in parallel, not one level at a time.
func TestPagesPreloadTheirEntrysStaticImports(t *testing.T) {
	for _, page := range []string{"index.html", "therapist/index.html"} {
		html, err := fs.ReadFile(Static(), page)
		if err != nil {
			t.Fatal(err)
		}
		m := entry.FindSubmatch(html)
		if m == nil {
			t.Fatalf("%s has no module script", page)
		}
		want := map[string]bool{}
		var walk func(name string)
		walk = func(name string) {
			src, err := fs.ReadFile(Static(), name)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, imp := range staticImport.FindAllSubmatch(src, -1) {
				dep := path.Join(path.Dir(name), string(imp[1]))
				if !want[dep] {
					want[dep] = true
					walk(dep)
				}
			}
		}
		walk(string(m[1]))
		got := map[string]bool{}
		for _, p := range preload.FindAllSubmatch(html, -1) {
			got[string(p[1])] = true
		}
		for dep := range want {
			if !got[dep] {
				t.Errorf("%s does not preload %s (imported by %s, statically)", page, dep, m[1])
			}
		}
		for p := range got {
			if !want[p] {
				t.Errorf("%s preloads %s, which %s does not import statically", page, p, m[1])
			}
		}
	}
}
