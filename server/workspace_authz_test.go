package server

import (
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/photo/phototest"
	"github.com/aftercare/aftercare/server/webhook"
)

// TestAuthorizationMatrix runs every therapist route as the owner, therapist A,
// therapist B, a client's plan token and nobody, against resources of A.
func TestAuthorizationMatrix(t *testing.T) {
	w := newWorkspace(t)
	actors := map[string]*browser{
		"owner":  w.login(t, "owner@example.org"),
		"A":      w.login(t, "a@example.org"),
		"B":      w.login(t, "b@example.org"),
		"nobody": {},
	}
	planA := w.createPlan(t, actors["A"], "")
	actors["client"] = &browser{bearer: planA}
	// The client's token also fails as a session cookie.
	actors["client-cookie"] = &browser{cookies: map[string]string{sessionCookieName: planA}}

	sub := `{"endpoint":"https://fcm.googleapis.com/fcm/send/x","keys":{"p256dh":"BPk","auth":"a1"}}`
	// fill returns the path and body for one route, creating fresh resources of A where the route consumes them.
	fill := func(method, route string) (string, string) {
		path := strings.NewReplacer(":token", planA, ":id", "").Replace(route)
		switch method + " " + route {
		case "DELETE /api/tokens/:id":
			if err := w.db.AddAPIToken("act_fresh_"+time.Now().Format("150405.000000000"), tokenMeta(w.a.ID)); err != nil {
				t.Fatal(err)
			}
			list, _ := w.db.APITokens(w.a.ID)
			return "/api/tokens/" + list[len(list)-1].ID, ""
		case "DELETE /api/templates/:id":
			r := w.do(t, actors["A"], "POST", "/api/templates", `{"name":"Mine","routineId":"piriformis-release","stretches":[{"stretchId":"childs-pose"}]}`)
			return "/api/templates/" + jsonField(t, r.Body, "id"), ""
		case "DELETE /api/therapists/invites/:id":
			_, inv, err := w.accounts.NewInvite(model.InviteTherapist, "", w.owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			return "/api/therapists/invites/" + inv.ID, ""
		case "PATCH /api/therapists/:id":
			return "/api/therapists/" + w.a.ID, `{"disabled":false}`
		case "PUT /api/session/settings":
			return path, `{"language":"en"}`
		case "PUT /api/session/password":
			return path, `{"currentPassword":"` + testPassword + `","newPassword":"` + testPassword + `"}`
		case "POST /api/tokens":
			return path, `{"name":"booking"}`
		case "PUT /api/therapist/subscription":
			return path, sub
		case "DELETE /api/therapist/subscription":
			return path, `{"endpoint":"https://fcm.googleapis.com/fcm/send/x"}`
		case "POST /api/therapists/invites":
			return path, `{"email":"new@example.org"}`
		case "POST /api/templates":
			return path, `{"name":"Mine","routineId":"piriformis-release","stretches":[{"stretchId":"childs-pose"}]}`
		case "POST /api/plans":
			return path, planBody(w.clock.Now(), "")
		case "PATCH /api/plans/:token":
			return path, `{"cadenceDays":14}`
		case "PUT /api/admin/studio":
			return path, `{"name":"Harbour Massage","accent":"#2f6f62","bookingUrl":"","phone":"","address":""}`
		case "PUT /api/admin/studio/logo":
			return path, string(testLogo(t, 128, 128))
		case "POST /api/stretches":
			return path, stretchBody("Mine", `"pose":"cat-cow"`, false, "")
		case "POST /api/stretches/photos":
			return path, string(phototest.JPEG(phototest.TwoTone(16, 16)))
		case "GET /api/stretches/:id", "PUT /api/stretches/:id", "POST /api/stretches/:id/retire":
			// A fresh private stretch of A's each time (a retired one cannot be retired again).
			r := w.do(t, actors["A"], "POST", "/api/stretches", stretchBody("A's own", `"pose":"cat-cow"`, false, ""))
			path = "/api/stretches/" + jsonField(t, r.Body, "id") + strings.TrimPrefix(route, "/api/stretches/:id")
			if method == "PUT" {
				return path, stretchBody("Renamed", `"pose":"cat-cow"`, false, "")
			}
			return path, ""
		case "PUT /api/admin/webhook":
			return path, `{"url":"` + w.hooks.URL + `/aftercare","includeNotes":false}`
		case "POST /api/admin/webhook/test":
			u := w.hooks.URL + "/aftercare"
			if _, err := w.webhooks.Save(webhook.SettingsInput{URL: &u}); err != nil {
				t.Fatal(err)
			}
		}
		return path, ""
	}
	ownerOnly := map[string]bool{"GET /api/admin/backup": true, "GET /api/admin/webhook": true, "PUT /api/admin/webhook": true,
		"POST /api/admin/webhook/test": true, "GET /api/admin/studio": true, "PUT /api/admin/studio": true,
		"PUT /api/admin/studio/logo": true, "DELETE /api/admin/studio/logo": true, "GET /api/therapists": true, "POST /api/therapists/invites": true,
		"GET /api/therapists/invites": true, "DELETE /api/therapists/invites/:id": true, "PATCH /api/therapists/:id": true}
	// Routes addressing one of A's resources: others get 404, as for a missing one.
	aResource := map[string]bool{
		"GET /api/plans/:token": true, "GET /api/plans/:token/qr": true, "PATCH /api/plans/:token": true,
		"POST /api/plans/:token/end": true, "DELETE /api/tokens/:id": true, "DELETE /api/templates/:id": true,
		"GET /api/plans/:token/checkins": true, "GET /api/plans/:token/completions": true, "GET /api/plans/:token/series": true,
		"GET /api/plans/:token/summary": true,
		"GET /api/stretches/:id":        true, "PUT /api/stretches/:id": true, "POST /api/stretches/:id/retire": true,
	}
	// Tokens, templates and private stretches are personal: even the owner cannot reach A's.
	personal := map[string]bool{"DELETE /api/tokens/:id": true, "DELETE /api/templates/:id": true,
		"GET /api/stretches/:id": true, "PUT /api/stretches/:id": true, "POST /api/stretches/:id/retire": true}

	for _, rt := range WorkspaceRoutes {
		method, route := rt[0], rt[1]
		key := method + " " + route
		for _, actor := range []string{"owner", "A", "B", "client", "client-cookie", "nobody"} {
			t.Run(key+" as "+actor, func(t *testing.T) {
				path, body := fill(method, route)
				r := w.do(t, actors[actor], method, path, body)
				want := 200
				switch {
				case actor == "nobody" || actor == "client" || actor == "client-cookie":
					want = 401
				case ownerOnly[key] && actor != "owner":
					want = 403
				case aResource[key] && actor == "B", personal[key] && actor == "owner":
					want = 404
				}
				ok := r.Status == want || (want == 200 && r.Status >= 200 && r.Status < 300)
				if !ok {
					t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, actor, r.Status, want, r.Body)
				}
				if r.Status < 300 && actor == "B" && strings.Contains(r.Body, planA) {
					t.Fatalf("B sees A's plan in %s: %s", key, r.Body)
				}
			})
		}
	}

	// The lists: the owner sees A's client, A sees it, B does not (the plan was ended above).
	for actor, want := range map[string]bool{"owner": true, "A": true, "B": false} {
		for _, path := range []string{"/api/plans", "/api/clients?status=ended", "/api/clients?q=sam&status=attention,active,ended"} {
			r := w.do(t, actors[actor], "GET", path, "")
			if got := strings.Contains(r.Body, planA); got != want {
				t.Errorf("%s as %s lists A's plan: %v, want %v", path, actor, got, want)
			}
		}
	}
}

// TestMatrixCoversEveryTherapistRoute fails when a route is added without being listed in WorkspaceRoutes.
func TestMatrixCoversEveryTherapistRoute(t *testing.T) {
	w := newWorkspace(t)
	listed := map[string]bool{}
	for _, rt := range WorkspaceRoutes {
		listed[rt[0]+" "+rt[1]] = true
	}
	public := map[string]bool{
		"POST /api/session": true, "DELETE /api/session": true, "GET /api/invites/:secret": true, "POST /api/invites/:secret": true,
		"GET /api/routines": true, "GET /api/routines/:id": true, "GET /api/push/key": true, "GET /api/messages/:lang": true,
		"GET /api/workspace-messages/:lang": true, "GET /api/clinic/:lang": true,
		"GET /api/openapi.json": true,
	}
	for _, r := range w.app.GetRoutes(true) {
		key := r.Method + " " + strings.TrimSuffix(r.Path, "/")
		if !strings.HasPrefix(r.Path, "/api/") || strings.HasPrefix(r.Path, "/api/p/") || r.Method == "HEAD" || r.Method == "USE" || public[key] {
			continue
		}
		if !listed[key] {
			t.Errorf("route %s is not in WorkspaceRoutes, so the authorization matrix does not test it", key)
		}
	}
}
