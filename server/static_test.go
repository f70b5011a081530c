package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/pwa"
)

func staticApp(t *testing.T) (*fiber.App, *pwa.Assets) {
	t.Helper()
	assets, err := pwa.NewAssets(pwa.Static())
	if err != nil {
		t.Fatal(err)
	}
	return New(Deps{Assets: assets, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}), assets
}

func get(t *testing.T, app *fiber.App, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	checkContract(t, req, "", res, body)
	return res, string(body)
}

// A phone keeps the app's files for a year under their content-hashed names and
// asks again for the pages, the service worker and plain names on every use, so a
// deploy reaches it at once and an unchanged file is never downloaded twice.
func TestStaticFilesCacheByContentHash(t *testing.T) {
	app, assets := staticApp(t)

	for _, page := range []string{"/", "/therapist"} {
		res, body := get(t, app, page)
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d, Cache-Control %q; want 200 no-cache", page, res.StatusCode, res.Header.Get("Cache-Control"))
		}
		refs := regexp.MustCompile(`(?:src|href)="(/(?:app|shared|therapist)/[^"]+)"`).FindAllStringSubmatch(body, -1)
		if len(refs) == 0 {
			t.Errorf("%s refers to no app files: %s", page, body)
		}
		for _, m := range refs {
			res, _ := get(t, app, m[1])
			if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("%s on %s: %d, Cache-Control %q; want 200 immutable", m[1], page, res.StatusCode, res.Header.Get("Cache-Control"))
			}
		}
	}

	hashed := assets.URL("/app/app.js")
	if hashed == "/app/app.js" {
		t.Fatal("app.js has no hashed URL")
	}
	res, body := get(t, app, hashed)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || !strings.Contains(body, "from './") {
		t.Fatalf("%s: %d %s", hashed, res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := get(t, app, strings.Replace(hashed, ".js", "0.js", 1)); res.StatusCode != 404 {
		t.Errorf("an unknown hash: %d, want 404", res.StatusCode)
	}

	// Plain names (the printed plan's stylesheet, the manifest's icons) are revalidated.
	res, plain := get(t, app, "/app/app.js")
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" || etag == "" || plain != body {
		t.Fatalf("/app/app.js: %d, Cache-Control %q, ETag %q, same bytes as %s: %v", res.StatusCode, res.Header.Get("Cache-Control"), etag, hashed, plain == body)
	}
	if res, body := get(t, app, "/app/app.js", "If-None-Match", etag); res.StatusCode != 304 || body != "" {
		t.Errorf("revalidation with the ETag: %d, %d bytes; want 304 and none", res.StatusCode, len(body))
	}

	res, sw := get(t, app, "/sw.js")
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" || !strings.Contains(sw, `"/app/app.js":"`+hashed+`"`) {
		t.Errorf("/sw.js: %d, Cache-Control %q; shell lists %s: %v", res.StatusCode, res.Header.Get("Cache-Control"), hashed, strings.Contains(sw, hashed))
	}
	if res, _ := get(t, app, "/app/../../go.mod"); res.StatusCode != 404 {
		t.Errorf("path traversal: %d", res.StatusCode)
	}
}
