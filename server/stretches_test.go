package server

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/photo"
	"github.com/aftercare/aftercare/server/photo/phototest"
)

// upload sends data as a raw photo upload with contentType.
func (w *workspace) upload(t *testing.T, b *browser, data []byte, contentType string) resp {
	t.Helper()
	req := httptest.NewRequest("POST", PhotoUploadPath, bytes.NewReader(data))
	req.Header.Set("Content-Type", contentType)
	if b != nil {
		for k, v := range b.cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		if b.csrf != "" {
			req.Header.Set(CSRFHeader, b.csrf)
		}
		if b.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+b.bearer)
		}
	}
	res, err := w.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(body)}
}

// storedPhotos counts the pictures in the database.
func (w *workspace) storedPhotos(t *testing.T) int {
	t.Helper()
	n := 0
	if err := w.db.Bolt().View(func(tx *bolt.Tx) error {
		n = tx.Bucket([]byte("photos")).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// stretchBody is a valid own stretch in English; picture is `"pose":"…"` or `"photo":"…"`.
func stretchBody(name, picture string, shared bool, extra string) string {
	easier, _ := routines.StretchByID("seated-ankle-on-shin")
	targets, _ := json.Marshal(easier.Targets)
	return `{"name":"` + name + `","targets":` + string(targets) + `,"summary":"A seated hip stretch with a towel.",` +
		`"steps":["Sit on a firm chair.","Cross one ankle over the other knee."],"holdSeconds":30,"reps":2,"perSide":true,` +
		`"feel":"A gentle pull in the buttock, never sharp.","stopIf":"Stop for shooting pain, numbness or tingling.",` +
		`"breathing":"Breathe slowly; never hold your breath.","easier":"Lean forward less.","easierId":"seated-ankle-on-shin",` +
		picture + `,"shared":` + map[bool]string{true: "true", false: "false"}[shared] + extra + `}`
}

// TestUploadedPhotoHasNoEXIF uploads a phone-style JPEG carrying GPS EXIF,
// a camera model and a comment, and checks the file served afterwards: none
// of it is left, it is a fresh JPEG under its own content hash, and it is
// served as immutable.
func TestUploadedPhotoHasNoEXIF(t *testing.T) {
	w := newWorkspace(t)
	a := w.login(t, "a@example.org")
	in := phototest.JPEGWithEXIF(2400, 1800, 6)
	if !bytes.Contains(in, phototest.GPSLatitude) {
		t.Fatal("fixture carries no GPS position")
	}
	r := w.upload(t, a, in, "image/jpeg")
	if r.Status != 201 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var up struct {
		Photo, URL    string
		Width, Height int
	}
	if err := json.Unmarshal([]byte(r.Body), &up); err != nil {
		t.Fatal(err)
	}
	// Orientation 6 turned it upright, and it was shrunk to 1600 px.
	if up.Width != 1200 || up.Height != 1600 || up.URL != "/img/custom/"+up.Photo {
		t.Fatalf("upload answered %+v", up)
	}
	got := w.do(t, nil, "GET", up.URL, "")
	if got.Status != 200 || got.Header.Get("Content-Type") != "image/jpeg" ||
		!strings.Contains(got.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("GET %s: %d %v", up.URL, got.Status, got.Header)
	}
	served := []byte(got.Body)
	for _, gone := range [][]byte{phototest.GPSLatitude, []byte("Exif"), []byte(phototest.CameraModel), []byte("taken at home")} {
		if bytes.Contains(served, gone) {
			t.Errorf("served photo still holds %q", gone)
		}
	}
	for i := 2; i+4 <= len(served) && served[i+1] != 0xDA; i += 2 + int(served[i+2])<<8 | int(served[i+3]) {
		if m := served[i+1]; m >= 0xE0 && m <= 0xEF || m == 0xFE {
			t.Errorf("served photo has metadata segment %#x", m)
		}
	}
	sum := sha256.Sum256(served)
	if up.Photo != hex.EncodeToString(sum[:])+".jpg" {
		t.Errorf("name %s is not the served file's hash", up.Photo)
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(served)); err != nil || cfg.Width != 1200 || cfg.Height != 1600 {
		t.Errorf("served file: %+v, %v", cfg, err)
	}
	if miss := w.do(t, nil, "GET", "/img/custom/"+strings.Repeat("0", 64)+".jpg", ""); miss.Status != 404 {
		t.Errorf("unknown photo: %d", miss.Status)
	}
	if bad := w.do(t, nil, "GET", "/img/custom/..%2f..%2fetc.jpg", ""); bad.Status != 404 {
		t.Errorf("bad name: %d", bad.Status)
	}
}

// TestHostileUploadsAreRefused: bombs, truncated and polyglot files, wrong
// types and oversized bodies are refused with a 4xx and a JSON message, and
// nothing is stored; the larger body limit is the upload route's alone.
func TestHostileUploadsAreRefused(t *testing.T) {
	w := newWorkspace(t)
	a := w.login(t, "a@example.org")
	jpg := phototest.JPEG(phototest.TwoTone(64, 64))
	for _, c := range []struct {
		name        string
		data        []byte
		contentType string
		who         *browser
		want        int
		mention     string
	}{
		{"PNG bomb 100000×100000", phototest.PNGBomb(100_000, 100_000), "image/png", a, 422, "pixels a side"},
		{"PNG bomb 7000×7000", phototest.PNGBomb(7000, 7000), "image/png", a, 422, "megapixels"},
		{"JPEG declaring 60000×60000", phototest.JPEGHugeDims(60_000, 60_000), "image/jpeg", a, 422, "pixels a side"},
		{"truncated JPEG", jpg[:len(jpg)-30], "image/jpeg", a, 422, "incomplete"},
		{"JPEG + ZIP polyglot", phototest.JPEGThenZIP(), "image/jpeg", a, 422, "other data"},
		{"HTML with a JPEG inside, sent as a JPEG", phototest.HTMLWithJPEG(), "image/jpeg", a, 415, "not a JPEG, PNG or WebP"},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "image/svg+xml", a, 415, "not a JPEG"},
		{"a form post", []byte("a=b"), "application/x-www-form-urlencoded", a, 415, "Content-Type"},
		{"no credentials", jpg, "image/jpeg", &browser{}, 401, "credentials"},
		{"a session without its CSRF token", jpg, "image/jpeg", &browser{cookies: a.cookies}, 403, "CSRF"},
	} {
		r := w.upload(t, c.who, c.data, c.contentType)
		var msg struct{ Error string }
		if r.Status != c.want || json.Unmarshal([]byte(r.Body), &msg) != nil || msg.Error == "" || !strings.Contains(msg.Error, c.mention) {
			t.Errorf("%s: %d %.200s, want %d with a JSON error mentioning %q", c.name, r.Status, r.Body, c.want, c.mention)
		}
	}
	// Oversized bodies are refused from their Content-Length, before they are read.
	base := w.listen(t)
	cred := "Cookie: " + sessionCookieName + "=" + a.cookies[sessionCookieName] + "\r\nX-CSRF-Token: " + a.csrf
	for _, c := range []struct {
		name   string
		size   int
		header string
		want   int
	}{
		{"larger than 8 MB", photo.MaxUploadBytes + 1, cred, 413},
		{"larger than 64 KiB without credentials", 100 << 10, "", 413},
		{"8 MB with a bearer token is read (and refused as a bad token)", photo.MaxUploadBytes, "Authorization: Bearer nope", 0},
	} {
		status, body := headersOnly(t, base, PhotoUploadPath, "image/jpeg", c.size, c.header)
		if c.want == 0 {
			if status == 413 {
				t.Errorf("%s: refused at the body limit", c.name)
			}
			continue
		}
		if status != c.want || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %.200s, want %d", c.name, status, body, c.want)
		}
	}
	if n := w.storedPhotos(t); n != 0 {
		t.Errorf("%d photos stored from refused uploads", n)
	}
	// The raised limit is the upload's alone: with the same credentials, a JSON route still refuses 100 KiB.
	for _, path := range []string{"/api/stretches", "/api/stretches/photos/x", "/api/templates"} {
		if status, _ := headersOnly(t, base, path, "application/json", 100<<10, cred); status != 413 {
			t.Errorf("100 KiB JSON to %s: %d", path, status)
		}
	}
	if r := w.upload(t, a, jpg, "image/jpeg"); r.Status != 201 || w.storedPhotos(t) != 1 {
		t.Fatalf("a good upload after them: %d %s", r.Status, r.Body)
	}
}

// TestOwnStretchInPlans: a therapist's stretch with a photo is used in a
// template and a plan like a library stretch; the client gets it with its
// picture and its easier variation; an edit or retirement later leaves the
// plan as it was assigned; another therapist never sees a private one.
func TestOwnStretchInPlans(t *testing.T) {
	w := newWorkspace(t)
	a, b, owner := w.login(t, "a@example.org"), w.login(t, "b@example.org"), w.login(t, "owner@example.org")
	up := w.upload(t, a, phototest.JPEGWithEXIF(800, 600, 1), "image/jpeg")
	name := jsonField(t, up.Body, "photo")

	r := w.do(t, a, "POST", "/api/stretches", stretchBody("Towel hip stretch", `"photo":"`+name+`"`, false, ""))
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	id := jsonField(t, r.Body, "id")
	if !strings.HasPrefix(id, routines.CustomIDPrefix) || jsonField(t, r.Body, "image") != "/img/custom/"+name {
		t.Fatalf("created %s", r.Body)
	}
	// Private: B and even the owner neither list nor fetch it, nor use it.
	for who, br := range map[string]*browser{"B": b, "owner": owner} {
		if l := w.do(t, br, "GET", "/api/stretches", ""); strings.Contains(l.Body, id) {
			t.Errorf("%s lists A's private stretch", who)
		}
		if g := w.do(t, br, "GET", "/api/stretches/"+id, ""); g.Status != 404 {
			t.Errorf("%s GET A's private stretch: %d", who, g.Status)
		}
		if p := w.do(t, br, "POST", "/api/plans", planBody(w.clock.Now(), `,"stretches":[{"stretchId":"`+id+`"}]`)); p.Status != 400 {
			t.Errorf("%s assigns A's private stretch: %d %s", who, p.Status, p.Body)
		}
	}
	// A uses it in a template and in a plan, next to a library stretch.
	tpl := w.do(t, a, "POST", "/api/templates", `{"name":"Mine","routineId":"gentle-sciatica-aftercare","stretches":[{"stretchId":"`+id+`"},{"stretchId":"pelvic-tilt"}]}`)
	if tpl.Status != 201 {
		t.Fatalf("template: %d %s", tpl.Status, tpl.Body)
	}
	token := w.createPlan(t, a, `,"stretches":[{"stretchId":"`+id+`","holdSeconds":25},{"stretchId":"pelvic-tilt"}]`)
	client := func() map[string]any {
		t.Helper()
		r := w.do(t, nil, "GET", "/api/p/"+token, "")
		var v struct{ Routine map[string]any }
		if err := json.Unmarshal([]byte(r.Body), &v); err != nil || r.Status != 200 {
			t.Fatalf("client view: %d %s", r.Status, r.Body)
		}
		return v.Routine
	}
	first := client()["stretches"].([]any)[0].(map[string]any)
	if first["id"] != id || first["name"] != "Towel hip stretch" || first["image"] != "/img/custom/"+name || first["holdSeconds"] != 25.0 {
		t.Fatalf("client sees %v", first)
	}
	// The printed plan shows it too, with its photo.
	if pr := w.do(t, nil, "GET", "/p/"+token+"/print", ""); pr.Status != 200 || !strings.Contains(pr.Body, "Towel hip stretch") || !strings.Contains(pr.Body, "/img/custom/"+name) {
		t.Errorf("printed plan: %d, has the stretch %v", pr.Status, strings.Contains(pr.Body, "Towel hip stretch"))
	}
	if vars := client()["variations"].([]any); len(vars) == 0 || vars[0].(map[string]any)["id"] != "seated-ankle-on-shin" {
		t.Errorf("variations %v, want the easier one", vars)
	}

	// A edits the stretch (name and photo); the plan keeps what the client got.
	other := jsonField(t, w.upload(t, a, phototest.JPEG(phototest.TwoTone(300, 200)), "image/png").Body, "photo")
	if e := w.do(t, a, "PUT", "/api/stretches/"+id, stretchBody("Renamed", `"photo":"`+other+`"`, true, "")); e.Status != 200 {
		t.Fatalf("edit: %d %s", e.Status, e.Body)
	}
	if b := w.do(t, b, "PUT", "/api/stretches/"+id, stretchBody("B's", `"pose":"cat-cow"`, true, "")); b.Status != 403 {
		t.Errorf("B edits A's shared stretch: %d", b.Status)
	}
	if got := client()["stretches"].([]any)[0].(map[string]any); got["name"] != "Towel hip stretch" || got["image"] != "/img/custom/"+name {
		t.Errorf("after the edit the client sees %v", got)
	}
	// Now shared: B sees it and may use it.
	if g := w.do(t, b, "GET", "/api/stretches/"+id, ""); g.Status != 200 {
		t.Errorf("B GET the shared stretch: %d", g.Status)
	}
	// Many more uploads do not prune the photo the plan shows.
	for i := 0; i < 12; i++ {
		w.upload(t, a, phototest.JPEG(phototest.TwoTone(20+i, 20)), "image/jpeg")
	}
	if g := w.do(t, nil, "GET", "/img/custom/"+name, ""); g.Status != 200 {
		t.Errorf("the plan's photo after more uploads: %d", g.Status)
	}

	// Retired: still readable, in the plan too, but no longer assignable or editable.
	if rt := w.do(t, a, "POST", "/api/stretches/"+id+"/retire", ""); rt.Status != 200 || !strings.Contains(rt.Body, "retiredAt") {
		t.Fatalf("retire: %d %s", rt.Status, rt.Body)
	}
	if g := w.do(t, a, "GET", "/api/stretches/"+id, ""); g.Status != 200 || jsonField(t, g.Body, "name") != "Renamed" {
		t.Errorf("retired stretch: %d %s", g.Status, g.Body)
	}
	if got := client()["stretches"].([]any)[0].(map[string]any); got["id"] != id {
		t.Errorf("plan lost the retired stretch: %v", got)
	}
	if tp := w.do(t, a, "GET", "/api/plans/"+token, ""); tp.Status != 200 || !strings.Contains(tp.Body, "Towel hip stretch") {
		t.Errorf("therapist's plan page: %d", tp.Status)
	}
	if p := w.do(t, a, "POST", "/api/plans", planBody(w.clock.Now(), `,"stretches":[{"stretchId":"`+id+`"}]`)); p.Status != 400 {
		t.Errorf("assign a retired stretch: %d %s", p.Status, p.Body)
	}
	if e := w.do(t, a, "PUT", "/api/stretches/"+id, stretchBody("Again", `"pose":"cat-cow"`, true, "")); e.Status != 410 {
		t.Errorf("edit a retired stretch: %d", e.Status)
	}
}

// TestOwnStretchIsValidated: the workspace refuses what the validator refuses, naming the field.
func TestOwnStretchIsValidated(t *testing.T) {
	w := newWorkspace(t)
	a := w.login(t, "a@example.org")
	for _, c := range []struct{ name, body, field string }{
		{"no stop warnings", strings.Replace(stretchBody("X", `"pose":"cat-cow"`, false, ""), "Stop for shooting pain, numbness or tingling.", "Stop if it hurts.", 1), "stopIf"},
		{"hold too long", strings.Replace(stretchBody("X", `"pose":"cat-cow"`, false, ""), `"holdSeconds":30`, `"holdSeconds":300`, 1), "holdSeconds"},
		{"reps out of range", strings.Replace(stretchBody("X", `"pose":"cat-cow"`, false, ""), `"reps":2`, `"reps":0`, 1), "reps"},
		{"unknown pose", stretchBody("X", `"pose":"handstand"`, false, ""), "pose"},
		{"photo never uploaded", stretchBody("X", `"photo":"`+strings.Repeat("a", 64)+`.jpg"`, false, ""), "photo"},
		{"both pictures", stretchBody("X", `"pose":"cat-cow","photo":"`+strings.Repeat("a", 64)+`.jpg"`, false, ""), "pose"},
		{"easier for other areas", strings.Replace(stretchBody("X", `"pose":"cat-cow"`, false, ""), `"easierId":"seated-ankle-on-shin"`, `"easierId":"cat-cow"`, 1), "easierId"},
		{"unknown language", stretchBody("X", `"pose":"cat-cow"`, false, `,"language":"xx"`), "language"},
		{"English text as German", stretchBody("X", `"pose":"cat-cow"`, false, `,"language":"de"`), "niemals stechende"},
	} {
		r := w.do(t, a, "POST", "/api/stretches", c.body)
		if r.Status != 400 || !strings.Contains(r.Body, c.field) {
			t.Errorf("%s: %d %s, want 400 naming %s", c.name, r.Status, r.Body, c.field)
		}
	}
	if l := w.do(t, a, "GET", "/api/stretches", ""); l.Body != "[]" {
		t.Errorf("refused stretches were stored: %s", l.Body)
	}
	// The workspace learns each language's set phrases from the library route; a German
	// stretch that carries them is accepted.
	var lib struct {
		Stretches []routines.Stretch
		Safety    map[string]routines.SafetyPhrases
	}
	if err := json.Unmarshal([]byte(w.do(t, a, "GET", "/api/stretches/library", "").Body), &lib); err != nil {
		t.Fatal(err)
	}
	if len(lib.Stretches) != len(routines.Stretches()) {
		t.Errorf("library lists %d stretches, want all %d", len(lib.Stretches), len(routines.Stretches()))
	}
	de := lib.Safety["de"]
	german := map[string]any{
		"name": "Gesäßdehnung", "targets": []string{"low back"}, "summary": "Im Vierfüßlerstand.", "steps": []string{"Knien Sie sich hin."},
		"holdSeconds": 20, "reps": 2, "feel": "Sanft, " + de.NeverSharpPain + ".", "stopIf": de.StopCore,
		"breathing": "Ruhig atmen; " + de.NeverHoldBreath + ".", "easier": "Weniger weit.", "pose": "cat-cow", "language": "de",
	}
	body, _ := json.Marshal(german)
	if de.StopCore == "" {
		t.Fatal("no German phrases")
	}
	if r := w.do(t, a, "POST", "/api/stretches", string(body)); r.Status != 201 || jsonField(t, r.Body, "language") != "de" {
		t.Errorf("German stretch with the German phrases: %d %s", r.Status, r.Body)
	}
}

// TestMakeItEasierIsRecorded: a completion names the stretches the client
// swapped for their easier variation; the therapist's plan shows them; a
// swap the plan does not allow is refused.
func TestMakeItEasierIsRecorded(t *testing.T) {
	w := newWorkspace(t)
	a := w.login(t, "a@example.org")
	token := w.createPlan(t, a, "")
	done := func(id, swaps string) resp {
		return w.do(t, nil, "POST", "/api/p/"+token+"/completions",
			`{"id":"`+id+`","at":"`+w.clock.Now().Format(time.RFC3339)+`","routineId":"gentle-sciatica-aftercare","done":5,"total":5,"easierUsed":`+swaps+`}`)
	}
	fig, _ := routines.StretchByID("supine-figure-four")
	if r := done("done-00001", `[{"from":"supine-figure-four","to":"`+fig.EasierID+`"}]`); r.Status != 201 {
		t.Fatalf("completion: %d %s", r.Status, r.Body)
	}
	tp := w.do(t, a, "GET", "/api/plans/"+token, "")
	if !strings.Contains(tp.Body, `"easierUsed":[{"from":"supine-figure-four","to":"`+fig.EasierID+`"}]`) {
		t.Errorf("therapist's plan lacks the swap: %s", tp.Body)
	}
	for _, bad := range []string{
		`[{"from":"supine-figure-four","to":"cat-cow"}]`, // not its easier variation
		`[{"from":"cat-cow","to":"seated-cat-cow"}]`,     // not in this plan
		`[{"from":"../x","to":"y"}]`,
	} {
		if r := done("done-00002", bad); r.Status != 400 || !strings.Contains(r.Body, "easierUsed") {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
}

// listen serves w's app on a loopback port until the test ends and returns its base URL.
func (w *workspace) listen(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.app.Listener(ln) }()
	t.Cleanup(func() { _ = w.app.ShutdownWithTimeout(time.Second) })
	return "http://" + ln.Addr().String()
}

// headersOnly announces a photo upload of size bytes with the extra header
// lines and reads the answer without sending the body: a body over the limit
// is refused from its Content-Length. A server that waits for the body gets
// none, and the read times out (status 0).
func headersOnly(t *testing.T, base, path, contentType string, size int, header string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	head := "POST " + path + " HTTP/1.1\r\nHost: care.test\r\nContent-Type: " + contentType + "\r\nContent-Length: " + strconv.Itoa(size) + "\r\n"
	if header != "" {
		head += header + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}
