package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/aftercare/aftercare/server/model"
)

// addAccount stores another therapist (testPassword, cheap hash) on the login server.
func (ls *loginServer) addAccount(tb testing.TB, email, name string) model.Therapist {
	tb.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		tb.Fatal(err)
	}
	t, err := ls.DB.CreateTherapist(model.Therapist{ID: strings.SplitN(email, "@", 2)[0] + "-id", Email: email, Name: name,
		PasswordHash: hash, TimeZone: "Europe/Berlin", CreatedAt: ls.Clock.Now()})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// credential is how a request authenticates: a session cookie with its CSRF
// token, or an API token.
type credential struct{ cookie, csrf, bearer string }

// logIn opens a session for email with testPassword.
func (ls *loginServer) logIn(tb testing.TB, email string) credential {
	tb.Helper()
	r := ls.login(tb, email, testPassword, "198.51.100.7")
	if r.Status != 200 {
		tb.Fatalf("log in %s: %d %s", email, r.Status, r.Body)
	}
	var c credential
	for _, k := range r.Cookies {
		switch k.Name {
		case sessionCookieName:
			c.cookie = k.Name + "=" + k.Value
		case csrfCookieName:
			c.csrf = k.Value
		}
	}
	if c.cookie == "" || c.csrf == "" {
		tb.Fatalf("login set no session: %v", r.Cookies)
	}
	return c
}

// do sends a request as c over loopback.
func (ls *loginServer) do(tb testing.TB, c credential, method, path, body string) (int, string) {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ls.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != "" {
		req.Header.Set("Cookie", c.cookie)
		req.Header.Set(CSRFHeader, c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	res, err := ls.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	checkContract(tb, req, body, res, data)
	return res.StatusCode, string(data)
}

// TestReEnabledTherapistsOldCredentialsStayDead: disabling a therapist revokes
// their API tokens and sessions for good; after re-enabling, the old ones stay
// 401 and only a new login or a new token works. The same holds for an account
// disabled by an older version, whose tokens were kept.
func TestReEnabledTherapistsOldCredentialsStayDead(t *testing.T) {
	ls := newLoginServer(t, bcrypt.MinCost) // the victim account is the studio owner here
	ana := ls.addAccount(t, "ana@example.org", "Ana A")
	owner := ls.logIn(t, victimEmail)
	session := ls.logIn(t, "ana@example.org")
	secret, _, err := ls.Accounts.NewAPIToken(ana, "booking-system")
	if err != nil {
		t.Fatal(err)
	}
	token := credential{bearer: secret}
	for name, c := range map[string]credential{"session": session, "API token": token} {
		if status, body := ls.do(t, c, "GET", "/api/clients", ""); status != 200 {
			t.Fatalf("%s before disabling: %d %s", name, status, body)
		}
	}
	setDisabled := func(disabled string) {
		t.Helper()
		if status, body := ls.do(t, owner, "PATCH", "/api/therapists/"+ana.ID, `{"disabled":`+disabled+`}`); status != 200 {
			t.Fatalf("disabled=%s: %d %s", disabled, status, body)
		}
	}
	setDisabled("true")
	setDisabled("false")
	for name, c := range map[string]credential{"session": session, "API token": token} {
		if status, body := ls.do(t, c, "GET", "/api/clients", ""); status != 401 {
			t.Errorf("old %s after re-enabling: %d %s, want 401", name, status, body)
		}
	}
	if list, _ := ls.DB.APITokens(ana.ID); len(list) != 0 {
		t.Errorf("re-enabled account still has tokens %+v", list)
	}
	// Re-enabled, Ana logs in again and makes a new token.
	fresh := ls.logIn(t, "ana@example.org")
	status, body := ls.do(t, fresh, "POST", "/api/tokens", `{"name":"booking-system"}`)
	if status != 201 {
		t.Fatalf("new token: %d %s", status, body)
	}
	var created struct{ Token string }
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	if status, _ := ls.do(t, credential{bearer: created.Token}, "GET", "/api/clients", ""); status != 200 {
		t.Fatalf("new token after re-enabling: %d", status)
	}

	// An account disabled before this version kept its token in the database.
	if _, err := ls.DB.UpdateTherapist(ana.ID, func(t *model.Therapist) error { t.Disabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	setDisabled("false")
	if status, _ := ls.do(t, credential{bearer: created.Token}, "GET", "/api/clients", ""); status != 401 {
		t.Errorf("token kept by an account disabled earlier, after re-enabling: %d, want 401", status)
	}
	if status, _ := ls.do(t, fresh, "GET", "/api/clients", ""); status != 401 {
		t.Errorf("session from before the old-style disable: %d, want 401", status)
	}
	// Enabling an account that is enabled touches nothing.
	again := ls.logIn(t, "ana@example.org")
	setDisabled("false")
	if status, _ := ls.do(t, again, "GET", "/api/clients", ""); status != 200 {
		t.Errorf("enabling an enabled account ended its session: %d", status)
	}
}

// TestPasswordChangeListsRemainingTokens: a password change ends the other
// sessions and answers with the API tokens that still work (names, never
// secrets), so the therapist can revoke them.
func TestPasswordChangeListsRemainingTokens(t *testing.T) {
	ls := newLoginServer(t, bcrypt.MinCost)
	ana := ls.addAccount(t, "ana@example.org", "Ana A")
	phone, laptop := ls.logIn(t, "ana@example.org"), ls.logIn(t, "ana@example.org")
	var secrets []string
	for _, name := range []string{"booking-system", "calendar"} {
		secret, _, err := ls.Accounts.NewAPIToken(ana, name)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, secret)
	}
	if _, _, err := ls.Accounts.NewAPIToken(ls.Victim, "someone else's"); err != nil {
		t.Fatal(err)
	}
	status, body := ls.do(t, phone, "PUT", "/api/session/password", `{"currentPassword":"`+testPassword+`","newPassword":"a new long password"}`)
	if status != 200 {
		t.Fatalf("change password: %d %s", status, body)
	}
	var reply struct {
		APITokens []model.APIToken
	}
	if err := json.Unmarshal([]byte(body), &reply); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	var names []string
	for _, tok := range reply.APITokens {
		names = append(names, tok.Name)
		if tok.ID == "" || tok.TherapistID != ana.ID {
			t.Errorf("token %+v", tok)
		}
	}
	if strings.Join(names, ",") != "booking-system,calendar" && strings.Join(names, ",") != "calendar,booking-system" {
		t.Errorf("remaining tokens %v, want booking-system and calendar", names)
	}
	for _, secret := range secrets {
		if strings.Contains(body, secret) {
			t.Fatal("the answer shows a token's secret")
		}
		if status, _ := ls.do(t, credential{bearer: secret}, "GET", "/api/clients", ""); status != 200 {
			t.Errorf("listed token no longer works: %d", status)
		}
	}
	if status, _ := ls.do(t, laptop, "GET", "/api/session", ""); status != 401 {
		t.Errorf("other session after the change: %d, want 401", status)
	}
}
