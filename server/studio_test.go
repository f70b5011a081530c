package server

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"
)

// testLogo is a w×h PNG: a dark disc on a transparent ground.
func testLogo(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dx, dy := float64(x-w/2), float64(y-h/2)
			if dx*dx+dy*dy < float64(min(w, h)*min(w, h))/5 {
				img.Set(x, y, color.NRGBA{20, 60, 120, 255})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type studioView struct {
	Name, AccentChosen, Accent, AccentDark, Message, BookingURL, Phone, Tel, Address, Logo, Icon string
	Adjusted                                                                                     bool
}

func decodeStudio(t *testing.T, body string) studioView {
	t.Helper()
	var v studioView
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return v
}

// The owner's settings take precedence over -studio-name, which seeds the
// name until then; a failing accent is adjusted and the owner told; bad
// fields are refused with nothing changed.
func TestStudioSettings(t *testing.T) {
	w := newWorkspace(t)
	w.care.StudioName = "Flag Studio"
	owner := w.login(t, "owner@example.org")
	if v := decodeStudio(t, w.do(t, owner, "GET", "/api/admin/studio", "").Body); v.Name != "Flag Studio" || v.Accent != "#2f6f62" || v.Adjusted {
		t.Fatalf("before any setting: %+v", v)
	}
	r := w.do(t, owner, "PUT", "/api/admin/studio", `{"name":"Harbour Massage","accent":"#7FD3C0","bookingUrl":"https://book.example.org/harbour","phone":"+44 20 7946 0018","address":"12 Quay Street"}`)
	if r.Status != 200 {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	v := decodeStudio(t, r.Body)
	if v.Name != "Harbour Massage" || v.AccentChosen != "#7fd3c0" || !v.Adjusted || v.Accent == "#7fd3c0" || !strings.Contains(v.Message, v.Accent) {
		t.Fatalf("saved: %+v", v)
	}
	if v.Tel != "tel:+442079460018" {
		t.Errorf("tel %q", v.Tel)
	}
	for body, field := range map[string]string{
		`{"name":"X","accent":"","bookingUrl":"http://book.example.org/","phone":"","address":""}`: "bookingUrl",
		`{"name":"X","accent":"","bookingUrl":"","phone":"call us","address":""}`:                  "phone",
		`{"name":"A\u202eB","accent":"","bookingUrl":"","phone":"","address":""}`:                  "name",
		`{"name":"X","accent":"blue","bookingUrl":"","phone":"","address":""}`:                     "accent",
		`{"name":"X","logo":"x"}`: "logo",
	} {
		if r := w.do(t, owner, "PUT", "/api/admin/studio", body); r.Status != 400 || !strings.Contains(r.Body, field) {
			t.Errorf("%s: %d %s, want 400 naming %s", body, r.Status, r.Body, field)
		}
	}
	if again := decodeStudio(t, w.do(t, owner, "GET", "/api/admin/studio", "").Body); again != v {
		t.Fatalf("a refused PUT changed the settings: %+v", again)
	}
	// Clearing the name falls back to the flag.
	w.do(t, owner, "PUT", "/api/admin/studio", `{"name":"","accent":"","bookingUrl":"","phone":"","address":""}`)
	if v := decodeStudio(t, w.do(t, owner, "GET", "/api/admin/studio", "").Body); v.Name != "Flag Studio" || v.Accent != "#2f6f62" {
		t.Fatalf("cleared: %+v", v)
	}
}

// A client meets the studio: the plan view carries it, the per-plan manifest
// takes its name, accent and the icons made from its logo, the printed plan
// and the calendar feed name it.
func TestStudioWhereClientsMeetIt(t *testing.T) {
	w := newWorkspace(t)
	owner := w.login(t, "owner@example.org")
	token := w.createPlan(t, owner, "")
	manifest := func() map[string]any {
		t.Helper()
		r := w.do(t, nil, "GET", "/p/"+token+"/manifest.webmanifest", "")
		var m map[string]any
		if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
			t.Fatalf("%v: %s", err, r.Body)
		}
		return m
	}
	if m := manifest(); m["short_name"] != "Aftercare" || m["theme_color"] != "#2f6f62" {
		t.Fatalf("unbranded manifest: %v", m)
	}
	w.do(t, owner, "PUT", "/api/admin/studio", `{"name":"Harbour Massage","accent":"#1d4fb8","bookingUrl":"https://book.example.org/h","phone":"","address":""}`)
	if r := w.do(t, owner, "PUT", "/api/admin/studio/logo", string(testLogo(t, 300, 300))); r.Status != 200 || !strings.Contains(r.Body, `"logo":"/studio/logo.png?v=`) {
		t.Fatalf("logo: %d %s", r.Status, r.Body)
	}
	m := manifest()
	if m["name"] != "Harbour Massage — Sam's stretches" || m["short_name"] != "Harbour Massage" || m["theme_color"] != "#1d4fb8" {
		t.Fatalf("branded manifest: %v", m)
	}
	icons, _ := m["icons"].([]any)
	if len(icons) != 3 {
		t.Fatalf("icons: %v", m["icons"])
	}
	for i, want := range []struct {
		src, purpose string
		side         int
	}{{"/studio/icon-192.png?v=", "any", 192}, {"/studio/icon-512.png?v=", "any", 512}, {"/studio/maskable-512.png?v=", "maskable", 512}} {
		icon := icons[i].(map[string]any)
		src, _ := icon["src"].(string)
		if !strings.HasPrefix(src, want.src) || icon["purpose"] != want.purpose {
			t.Fatalf("icon %d: %v", i, icon)
		}
		r := w.do(t, nil, "GET", src, "")
		img, err := png.Decode(strings.NewReader(r.Body))
		if r.Status != 200 || err != nil || img.Bounds().Dx() != want.side || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("%s: %d %v %v", src, r.Status, err, r.Header)
		}
	}
	view := w.do(t, nil, "GET", "/api/p/"+token, "").Body
	for _, want := range []string{`"studio":{"name":"Harbour Massage"`, `"bookingUrl":"https://book.example.org/h"`, `"accent":"#1d4fb8"`} {
		if !strings.Contains(view, want) {
			t.Errorf("client view lacks %s: %s", want, view)
		}
	}
	var cv struct{ Calendar struct{ URL string } }
	_ = json.Unmarshal([]byte(view), &cv)
	feed := w.do(t, nil, "GET", strings.TrimPrefix(cv.Calendar.URL, "http://care.test"), "")
	if !strings.Contains(feed.Body, "Harbour Massage") {
		t.Errorf("calendar feed (%d) does not name the studio: %.300s", feed.Status, feed.Body)
	}
	print := w.do(t, nil, "GET", "/p/"+token+"/print", "").Body
	for _, want := range []string{`<p class="studio">Harbour Massage</p>`, `src="/studio/logo.png?v=`, `Book online: <a href="https://book.example.org/h">`} {
		if !strings.Contains(print, want) {
			t.Errorf("printed plan lacks %s", want)
		}
	}
	// SVG is refused, with the reason; nothing changes.
	r := w.do(t, owner, "PUT", "/api/admin/studio/logo", "")
	if r.Status != 400 && r.Status != 415 {
		t.Errorf("empty logo: %d %s", r.Status, r.Body)
	}
	if r := w.doRaw(t, owner, "PUT", "/api/admin/studio/logo", "image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg"/>`); r.Status != 415 || !strings.Contains(r.Body, "SVG") {
		t.Errorf("svg: %d %s", r.Status, r.Body)
	}
	if r := w.doRaw(t, owner, "PUT", "/api/admin/studio/logo", "image/png", `<svg xmlns="http://www.w3.org/2000/svg"/>`); r.Status != 415 || !strings.Contains(r.Body, "not a JPEG, PNG or WebP") {
		t.Errorf("svg called png: %d %s", r.Status, r.Body)
	}
	// A logo larger than the 64 KB of other bodies comes in, as a stretch photo would.
	noise := image.NewNRGBA(image.Rect(0, 0, 400, 400))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = byte(rng.Uint32())
	}
	var big bytes.Buffer
	if err := png.Encode(&big, noise); err != nil || big.Len() < 200<<10 {
		t.Fatalf("noise PNG %d bytes, %v", big.Len(), err)
	}
	if r := w.do(t, owner, "PUT", "/api/admin/studio/logo", big.String()); r.Status != 200 {
		t.Errorf("a %d KB logo: %d %s", big.Len()>>10, r.Status, r.Body)
	}
	// Removing the logo brings the app's own icons back.
	w.do(t, owner, "DELETE", "/api/admin/studio/logo", "")
	if icons, _ := manifest()["icons"].([]any); !strings.HasPrefix(icons[0].(map[string]any)["src"].(string), "/app/icons/") {
		t.Errorf("icons after removal: %v", icons)
	}
	if r := w.do(t, nil, "GET", "/studio/icon-192.png", ""); r.Status != 404 {
		t.Errorf("icon after removal: %d", r.Status)
	}
}
