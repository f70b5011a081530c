package server

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/account"
	"github.com/aftercare/aftercare/server/auth"
)

func TestCSRFIsRequiredForCookieWritesOnly(t *testing.T) {
	w := newWorkspace(t)
	b := w.login(t, "a@example.org")
	body := planBody(w.clock.Now(), "")
	for name, header := range map[string]string{"missing": "", "wrong": "nope-" + b.csrf} {
		nb := &browser{cookies: b.cookies, csrf: header}
		if r := w.do(t, nb, "POST", "/api/plans", body); r.Status != 403 || !strings.Contains(r.Body, CSRFHeader) {
			t.Fatalf("%s CSRF token: %d %s", name, r.Status, r.Body)
		}
	}
	// Reads need no token.
	if r := w.do(t, &browser{cookies: b.cookies}, "GET", "/api/clients", ""); r.Status != 200 {
		t.Fatalf("cookie read: %d", r.Status)
	}
	if r := w.do(t, b, "POST", "/api/plans", body); r.Status != 201 {
		t.Fatalf("with token: %d %s", r.Status, r.Body)
	}
	// Logout is a write too.
	if r := w.do(t, &browser{cookies: b.cookies}, "DELETE", "/api/session", ""); r.Status != 403 {
		t.Fatalf("logout without token: %d", r.Status)
	}
	// Bearer tokens are not ambient credentials: no CSRF token needed.
	if r := w.do(t, &browser{bearer: w.apiToken(t, w.a)}, "POST", "/api/plans", body); r.Status != 201 {
		t.Fatalf("bearer: %d %s", r.Status, r.Body)
	}
	// The session cookie is HttpOnly and SameSite=Lax.
	r := w.do(t, &browser{}, "POST", "/api/session", `{"email":"a@example.org","password":"`+testPassword+`"}`)
	for _, c := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, sessionCookieName+"=") && (!strings.Contains(c, "HttpOnly") || !strings.Contains(strings.ToLower(c), "samesite=lax")) {
			t.Fatalf("session cookie %q", c)
		}
	}
}

func TestLoginThrottling(t *testing.T) {
	w := newWorkspace(t)
	wrong := `{"email":"a@example.org","password":"wrong password!"}`
	for i := 0; i < auth.AccountFailures; i++ {
		if r := w.do(t, &browser{}, "POST", "/api/session", wrong); r.Status != 401 {
			t.Fatalf("attempt %d: %d %s", i, r.Status, r.Body)
		}
	}
	r := w.do(t, &browser{}, "POST", "/api/session", `{"email":"a@example.org","password":"`+testPassword+`"}`)
	if r.Status != 429 {
		t.Fatalf("after %d failures the right password got %d", auth.AccountFailures, r.Status)
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs <= 0 || secs > int(auth.ThrottleWindow.Seconds()) {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Another account from the same address still works until the address limit.
	w.login(t, "b@example.org")
	w.clock.Advance(auth.ThrottleWindow)
	w.login(t, "a@example.org")

	// Per address: spraying many accounts from one address is stopped too.
	for i := 0; i < auth.AddressFailures; i++ {
		w.do(t, &browser{}, "POST", "/api/session", `{"email":"x`+strconv.Itoa(i)+`@example.org","password":"whatever123"}`)
	}
	r = w.do(t, &browser{}, "POST", "/api/session", `{"email":"b@example.org","password":"`+testPassword+`"}`)
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("address throttle: %d %v", r.Status, r.Header)
	}
}

func TestSessionExpiry(t *testing.T) {
	w := newWorkspace(t)
	// Idle: a session unused for the idle timeout is gone.
	b := w.login(t, "a@example.org")
	w.clock.Advance(auth.DefaultIdleTimeout - time.Minute)
	if r := w.do(t, b, "GET", "/api/session", ""); r.Status != 200 {
		t.Fatalf("before idle timeout: %d", r.Status)
	}
	w.clock.Advance(auth.DefaultIdleTimeout - time.Minute) // used a minute ago: still fresh
	if r := w.do(t, b, "GET", "/api/session", ""); r.Status != 200 {
		t.Fatalf("use refreshes the idle timer: %d", r.Status)
	}
	w.clock.Advance(auth.DefaultIdleTimeout)
	if r := w.do(t, b, "GET", "/api/session", ""); r.Status != 401 {
		t.Fatalf("after idle timeout: %d", r.Status)
	}
	if _, ok := b.cookies[sessionCookieName]; ok {
		t.Fatal("expired session cookie not cleared")
	}
	// Absolute: even a busy session ends after MaxAge.
	b = w.login(t, "a@example.org")
	for elapsed := time.Duration(0); elapsed < auth.DefaultMaxAge-24*time.Hour; elapsed += 24 * time.Hour {
		w.clock.Advance(24 * time.Hour)
		if r := w.do(t, b, "GET", "/api/clients", ""); r.Status != 200 {
			t.Fatalf("day %v: %d", elapsed, r.Status)
		}
	}
	w.clock.Advance(25 * time.Hour)
	if r := w.do(t, b, "GET", "/api/clients", ""); r.Status != 401 {
		t.Fatalf("after max age: %d", r.Status)
	}
}

func TestLogoutAndPasswordChangeEndSessions(t *testing.T) {
	w := newWorkspace(t)
	phone, laptop := w.login(t, "a@example.org"), w.login(t, "a@example.org")
	if r := w.do(t, phone, "PUT", "/api/session/password", `{"currentPassword":"nope nope nope","newPassword":"a new long password"}`); r.Status != 400 || !strings.Contains(r.Body, "currentPassword") {
		t.Fatalf("wrong current password: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, phone, "PUT", "/api/session/password", `{"currentPassword":"`+testPassword+`","newPassword":"short"}`); r.Status != 400 || !strings.Contains(r.Body, "newPassword") {
		t.Fatalf("short password: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, phone, "PUT", "/api/session/password", `{"currentPassword":"`+testPassword+`","newPassword":"a new long password"}`); r.Status != 200 {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, laptop, "GET", "/api/session", ""); r.Status != 401 {
		t.Fatalf("other session survived a password change: %d", r.Status)
	}
	if r := w.do(t, phone, "GET", "/api/session", ""); r.Status != 200 {
		t.Fatalf("own session ended by password change: %d", r.Status)
	}
	if r := w.do(t, &browser{}, "POST", "/api/session", `{"email":"a@example.org","password":"a new long password"}`); r.Status != 200 {
		t.Fatalf("login with new password: %d", r.Status)
	}
	if r := w.do(t, phone, "DELETE", "/api/session", ""); r.Status != 204 {
		t.Fatalf("logout: %d", r.Status)
	}
	if r := w.do(t, phone, "GET", "/api/session", ""); r.Status != 401 {
		t.Fatalf("after logout: %d", r.Status)
	}
}

func TestAPITokenLifecycleAndRevocation(t *testing.T) {
	w := newWorkspace(t)
	b := w.login(t, "a@example.org")
	r := w.do(t, b, "POST", "/api/tokens", `{"name":"booking-system"}`)
	secret := jsonField(t, r.Body, "token")
	if r.Status != 201 || !strings.HasPrefix(secret, "act_") {
		t.Fatalf("create token: %d %s", r.Status, r.Body)
	}
	integration := &browser{bearer: secret}
	if r := w.do(t, integration, "POST", "/api/plans", planBody(w.clock.Now(), "")); r.Status != 201 {
		t.Fatalf("plan with new token: %d %s", r.Status, r.Body)
	}
	// API tokens cannot manage tokens or the account.
	if r := w.do(t, integration, "POST", "/api/tokens", `{"name":"more"}`); r.Status != 403 {
		t.Fatalf("token minting a token: %d", r.Status)
	}
	r = w.do(t, b, "GET", "/api/tokens", "")
	if strings.Contains(r.Body, secret) || !strings.Contains(r.Body, "booking-system") {
		t.Fatalf("token list: %s", r.Body)
	}
	list, _ := w.db.APITokens(w.a.ID)
	if r := w.do(t, b, "DELETE", "/api/tokens/"+list[0].ID, ""); r.Status != 204 {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, integration, "GET", "/api/plans", ""); r.Status != 401 {
		t.Fatalf("revoked token still works: %d", r.Status)
	}
}

func TestDisabledTherapistIsLockedOut(t *testing.T) {
	w := newWorkspace(t)
	owner, a := w.login(t, "owner@example.org"), w.login(t, "a@example.org")
	tok := &browser{bearer: w.apiToken(t, w.a)}
	if r := w.do(t, owner, "PATCH", "/api/therapists/"+w.owner.ID, `{"disabled":true}`); r.Status != 400 {
		t.Fatalf("owner disabling self: %d", r.Status)
	}
	if r := w.do(t, owner, "PATCH", "/api/therapists/"+w.a.ID, `{"disabled":true}`); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	for name, b := range map[string]*browser{"session": a, "token": tok} {
		if r := w.do(t, b, "GET", "/api/clients", ""); r.Status != 401 {
			t.Errorf("disabled therapist's %s: %d", name, r.Status)
		}
	}
	if r := w.do(t, &browser{}, "POST", "/api/session", `{"email":"a@example.org","password":"`+testPassword+`"}`); r.Status != 401 {
		t.Fatalf("disabled login: %d", r.Status)
	}
	w.do(t, owner, "PATCH", "/api/therapists/"+w.a.ID, `{"disabled":false}`)
	w.login(t, "a@example.org")
}

func TestInviteLinksCreateOneAccountEach(t *testing.T) {
	w := newWorkspace(t)
	owner := w.login(t, "owner@example.org")
	r := w.do(t, owner, "POST", "/api/therapists/invites", `{"email":"cara@example.org"}`)
	url := jsonField(t, r.Body, "url")
	secret, ok := strings.CutPrefix(url, "http://care.test"+account.InvitePath)
	if r.Status != 201 || !ok {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, nil, "GET", "/api/invites/"+secret, ""); r.Status != 200 || !strings.Contains(r.Body, "cara@example.org") {
		t.Fatalf("invite view: %d %s", r.Status, r.Body)
	}
	accept := `{"email":"cara@example.org","name":"Cara","password":"` + testPassword + `","timeZone":"Europe/Paris"}`
	if r := w.do(t, nil, "POST", "/api/invites/"+secret, strings.Replace(accept, "cara@", "mallory@", 1)); r.Status != 400 {
		t.Fatalf("other address: %d %s", r.Status, r.Body)
	}
	cara := &browser{}
	r = w.do(t, cara, "POST", "/api/invites/"+secret, accept)
	if r.Status != 201 || strings.Contains(r.Body, `"owner":true`) {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	cara.csrf = cara.cookies[csrfCookieName]
	if r := w.do(t, cara, "POST", "/api/plans", planBody(w.clock.Now(), "")); r.Status != 201 {
		t.Fatalf("new therapist creates a plan: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, nil, "POST", "/api/invites/"+secret, accept); r.Status != 410 {
		t.Fatalf("reused invite: %d", r.Status)
	}
	// Expired invites are refused.
	r = w.do(t, owner, "POST", "/api/therapists/invites", `{}`)
	secret = strings.TrimPrefix(jsonField(t, r.Body, "url"), "http://care.test"+account.InvitePath)
	w.clock.Advance(account.InviteTTL)
	if r := w.do(t, nil, "GET", "/api/invites/"+secret, ""); r.Status != 410 {
		t.Fatalf("expired invite: %d", r.Status)
	}
}

func TestSetupLinkMakesTheOwnerOnce(t *testing.T) {
	w := newWorkspace(t)
	// A fresh, empty studio:
	if link, _ := w.accounts.SetupLink(); link != "" {
		t.Fatalf("setup link although accounts exist: %s", link)
	}
	empty := newEmptyWorkspace(t)
	first, err := empty.accounts.SetupLink()
	if err != nil || first == "" {
		t.Fatal(err)
	}
	link, _ := empty.accounts.SetupLink()
	oldSecret := strings.TrimPrefix(first, "http://care.test"+account.InvitePath)
	if r := empty.do(t, nil, "GET", "/api/invites/"+oldSecret, ""); r.Status != 410 {
		t.Fatalf("an older setup link still works: %d", r.Status)
	}
	secret := strings.TrimPrefix(link, "http://care.test"+account.InvitePath)
	b := &browser{}
	r := empty.do(t, b, "POST", "/api/invites/"+secret, `{"email":"boss@example.org","name":"Boss","password":"`+testPassword+`","timeZone":"Europe/Berlin"}`)
	if r.Status != 201 || !strings.Contains(r.Body, `"owner":true`) {
		t.Fatalf("setup: %d %s", r.Status, r.Body)
	}
	if again, _ := empty.accounts.SetupLink(); again != "" {
		t.Fatal("setup link after the owner exists")
	}
}
