package remind

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// A client's notifications carry the studio: its name leads the title, the
// icon is made from its logo, and "time to book" opens the booking page, or
// without one says to call the studio. Decrypted at a real push service.
func TestNotificationsCarryTheStudio(t *testing.T) {
	for _, tc := range []struct {
		name  string
		brand Brand
		open  string
		body  string
	}{
		{"booking link", Brand{Name: "Harbour Massage", Icon: "/studio/icon-192.png?v=abc", BookingURL: "https://book.example.org/h", Phone: "+44 20 7946 0018"},
			"https://book.example.org/h", "Book your next one when it suits you."},
		{"phone only", Brand{Name: "Harbour Massage", Phone: "+44 20 7946 0018"}, "", "Call the studio: +44 20 7946 0018."},
		{"nothing set", Brand{}, "", "Book your next one when it suits you."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.Open(t)
			sender, svc := loopbackSender(t)
			clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
			brand := tc.brand
			s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL, Brand: func() Brand { return brand }})
			p := testPlan(t, model.NewToken())
			p.NextSessionAt, p.CadenceDays = nil, 3
			p.Prefs.Disabled = []string{model.KindHydration, model.KindStretch, model.KindCheckIn, model.KindTip}
			if err := db.CreatePlan(p); err != nil {
				t.Fatal(err)
			}
			ep, k, a := svc.NewSubscription()
			addDevice(t, db, p.Token, ep, k, a)
			if err := s.Schedule(p); err != nil {
				t.Fatal(err)
			}
			clk.Set(berlin(t, 2026, 11, 29, 10, 0)) // day 3: the first nudge to book
			if st := tick(t, s); st.Delivered != 1 {
				t.Fatalf("tick %+v", st)
			}
			got := svc.Received()
			var pl struct{ Title, Body, URL, Icon, Open string }
			if len(got) != 1 || json.Unmarshal(got[0].Payload, &pl) != nil {
				t.Fatalf("received %+v", got)
			}
			wantTitle := "Time to book your next session"
			if brand.Name != "" {
				wantTitle = brand.Name + ": " + wantTitle
			}
			if pl.Title != wantTitle || pl.Icon != brand.Icon || pl.Open != tc.open || !strings.HasSuffix(pl.Body, tc.body) {
				t.Fatalf("notification %+v, want title %q, icon %q, open %q, body ending %q", pl, wantTitle, brand.Icon, tc.open, tc.body)
			}
			if !strings.HasPrefix(pl.URL, "/p/"+p.Token) { // the path: the service worker opens it on its own origin
				t.Fatalf("url %q", pl.URL)
			}
			// The test notification names the studio too.
			if _, err := s.TestPush(t.Context(), p.Token); err != nil {
				t.Fatal(err)
			}
			got = svc.Received()
			if err := json.Unmarshal(got[len(got)-1].Payload, &pl); err != nil || pl.Title != strings.TrimSuffix(wantTitle, "Time to book your next session")+"Reminders are on" {
				t.Fatalf("test push %+v %v", pl, err)
			}
		})
	}
}

// With the studio's name and icon, every reminder of a typical plan still
// fits the smallest padded size (512 encrypted bytes: 409 of payload), so a
// notification's length keeps not telling its kind.
func TestBrandedRemindersFitTheSmallestPushSize(t *testing.T) {
	s := New(Config{BaseURL: testBaseURL, Brand: func() Brand {
		return Brand{Name: "Harbour Massage", Icon: "/studio/icon-192.png", Phone: "+44 20 7946 0018"}
	}})
	p := testPlan(t, model.NewToken())
	for _, next := range []bool{true, false} {
		if !next {
			p.NextSessionAt, p.CadenceDays = nil, 7
		}
		rules, err := Rules(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rules {
			payload, err := s.clientMessage(&rules[i]).Payload()
			if err != nil || len(payload) > 512-103 {
				t.Errorf("%s: %d bytes (%v), more than the 409 that fit 512", rules[i].ID, len(payload), err)
			}
		}
	}
}
