package pwa

import (
	"bytes"
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestServiceWorkerVersionFollowsTheAppFiles(t *testing.T) {
	sw, err := ServiceWorker(Static())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sw, []byte(versionLine)) {
		t.Fatal("version not stamped")
	}
	files := fstest.MapFS{}
	_ = fs.WalkDir(Static(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(Static(), p)
			files[p] = &fstest.MapFile{Data: data}
		}
		return nil
	})
	same, _ := ServiceWorker(files)
	if !bytes.Equal(sw, same) {
		t.Fatal("same files, different version")
	}
	files["app/style.css"] = &fstest.MapFile{Data: append(bytes.Clone(files["app/style.css"].Data), []byte("/* changed */")...)}
	changed, _ := ServiceWorker(files)
	if bytes.Equal(sw, changed) {
		t.Fatal("a changed stylesheet must change the service worker")
	}
}

func TestShellFilesExist(t *testing.T) {
	for _, name := range []string{"index.html", "sw.js", "app/app.js", "app/style.css", "app/icons/icon-192.png", "app/icons/icon-512.png", "app/icons/maskable-512.png", "home.html"} {
		if _, err := fs.Stat(Static(), name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
