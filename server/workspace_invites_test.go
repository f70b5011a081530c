package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/account"
)

// inviteSecret creates an invitation as b and returns its link's secret.
func inviteSecret(t *testing.T, w *workspace, b *browser, body string) string {
	t.Helper()
	r := w.do(t, b, "POST", "/api/therapists/invites", body)
	secret, ok := strings.CutPrefix(jsonField(t, r.Body, "url"), "http://care.test"+account.InvitePath)
	if r.Status != 201 || !ok {
		t.Fatalf("invite: %d %s", r.Status, r.Body)
	}
	return secret
}

type listedInvite struct {
	ID, Email, CreatedAt, ExpiresAt string
}

func pendingInvites(t *testing.T, w *workspace, b *browser) ([]listedInvite, string) {
	t.Helper()
	r := w.do(t, b, "GET", "/api/therapists/invites", "")
	if r.Status != 200 {
		t.Fatalf("list invites: %d %s", r.Status, r.Body)
	}
	var list []listedInvite
	if err := json.Unmarshal([]byte(r.Body), &list); err != nil {
		t.Fatal(err)
	}
	return list, r.Body
}

func TestPendingInvitesAreListedAndCanBeCancelled(t *testing.T) {
	w := newWorkspace(t)
	owner := w.login(t, "owner@example.org")
	if list, body := pendingInvites(t, w, owner); len(list) != 0 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("no invites yet: %s", body)
	}

	// An invite that expires, one that is accepted, and two that stay pending.
	expired := inviteSecret(t, w, owner, `{"email":"old@example.org"}`)
	w.clock.Advance(account.InviteTTL)
	owner = w.login(t, "owner@example.org") // the session timed out meanwhile
	accepted := inviteSecret(t, w, owner, `{"email":"cara@example.org"}`)
	if r := w.do(t, &browser{}, "POST", "/api/invites/"+accepted, `{"email":"cara@example.org","name":"Cara","password":"`+testPassword+`","timeZone":"Europe/Paris"}`); r.Status != 201 {
		t.Fatalf("accept: %d %s", r.Status, r.Body)
	}
	pending := inviteSecret(t, w, owner, `{"email":"dan@example.org"}`)
	w.clock.Advance(time.Minute)
	open := inviteSecret(t, w, owner, `{}`)

	list, body := pendingInvites(t, w, owner)
	if len(list) != 2 || list[0].Email != "dan@example.org" || list[1].Email != "" {
		t.Fatalf("pending invites: %s", body)
	}
	for _, inv := range list {
		if inv.ID == "" || inv.CreatedAt == "" || inv.ExpiresAt == "" {
			t.Fatalf("incomplete invite row: %s", body)
		}
	}
	for _, secret := range []string{expired, accepted, pending, open} {
		if strings.Contains(body, secret) {
			t.Fatalf("the list reveals an invite secret: %s", body)
		}
	}
	for _, field := range []string{"old@example.org", "cara@example.org", "kind", "createdBy", "hash", "secret"} {
		if strings.Contains(body, field) {
			t.Fatalf("the list shows %q: %s", field, body)
		}
	}

	// Cancel dan's invite: the link stops working, the other one still works.
	if r := w.do(t, owner, "DELETE", "/api/therapists/invites/"+list[0].ID, ""); r.Status != 204 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, nil, "GET", "/api/invites/"+pending, ""); r.Status != 410 {
		t.Fatalf("cancelled invite still opens: %d %s", r.Status, r.Body)
	}
	accept := `{"email":"dan@example.org","name":"Dan","password":"` + testPassword + `","timeZone":"Europe/Paris"}`
	if r := w.do(t, &browser{}, "POST", "/api/invites/"+pending, accept); r.Status != 410 {
		t.Fatalf("cancelled invite still accepted: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, nil, "GET", "/api/invites/"+open, ""); r.Status != 200 {
		t.Fatalf("the other invite stopped working: %d %s", r.Status, r.Body)
	}
	if list, body := pendingInvites(t, w, owner); len(list) != 1 || list[0].Email != "" {
		t.Fatalf("after cancelling: %s", body)
	}

	// Cancelling again, or an unknown id, is a 404.
	for _, id := range []string{list[0].ID, "nope"} {
		if r := w.do(t, owner, "DELETE", "/api/therapists/invites/"+id, ""); r.Status != 404 {
			t.Fatalf("cancel %q: %d %s", id, r.Status, r.Body)
		}
	}
}
