package account

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

func TestMain(m *testing.M) {
	PasswordCost = bcrypt.MinCost // the cost is bcrypt's business; these tests check what is hashed
	os.Exit(m.Run())
}

const goodPassword = "correct horse battery"

var now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// svcAt is the account service on db with its clock stopped at at.
func svcAt(db *store.DB, at time.Time) *Service {
	return &Service{DB: db, Now: func() time.Time { return at }, BaseURL: "https://care.example.org"}
}

func svc(db *store.DB) *Service { return svcAt(db, now) }

// setPassword changes the password of the account id (no session to keep).
func setPassword(db *store.DB, id, password string) error {
	_, err := svc(db).ChangePassword(model.Therapist{ID: id}, password, "")
	return err
}

// fieldOf is the field an input error names, "" for any other error.
func fieldOf(err error) string {
	var ie *model.InputError
	if errors.As(err, &ie) {
		return ie.Field
	}
	return ""
}

func TestCreate(t *testing.T) {
	db := storetest.Open(t)
	owner, err := svc(db).Create(" Olga@Example.org ", "Olga Owner", goodPassword, "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if !owner.Owner || owner.ID == "" || owner.Email != "olga@example.org" || owner.Name != "Olga Owner" || owner.TimeZone != "Europe/Berlin" {
		t.Fatalf("first account %+v: want the owner, with a lower-cased address", owner)
	}
	if bcrypt.CompareHashAndPassword(owner.PasswordHash, []byte(goodPassword)) != nil {
		t.Fatal("the stored hash does not match the password")
	}
	if stored, err := db.TherapistByEmail("olga@example.org"); err != nil || stored.ID != owner.ID {
		t.Fatalf("stored account %+v, %v", stored, err)
	}
	second, err := svc(db).Create("ben@example.org", "Ben", goodPassword, "Europe/Vienna")
	if err != nil {
		t.Fatal(err)
	}
	if second.Owner || second.ID == owner.ID {
		t.Fatalf("second account %+v: want another id, not the owner", second)
	}

	for _, c := range []struct {
		name, email, person, password, tz string
		field                             string // the field the error names; "" for ErrEmailTaken
	}{
		{"taken address", "olga@example.org", "Olga Again", goodPassword, "Europe/Berlin", ""},
		{"taken address, other case", "OLGA@example.ORG", "Olga Again", goodPassword, "Europe/Berlin", ""},
		{"not an address", "olga", "Olga", goodPassword, "Europe/Berlin", "email"},
		{"an address with a display name", "Olga <olga2@example.org>", "Olga", goodPassword, "Europe/Berlin", "email"},
		{"no name", "c@example.org", "", goodPassword, "Europe/Berlin", "name"},
		{"a name too long", "c@example.org", strings.Repeat("n", 61), goodPassword, "Europe/Berlin", "name"},
		{"a name with bidi controls", "c@example.org", "Eve\u202eoG", goodPassword, "Europe/Berlin", "name"},
		{"a password too short", "c@example.org", "Cem", "nine-char", "Europe/Berlin", "password"},
		{"a password too long for bcrypt", "c@example.org", "Cem", strings.Repeat("p", 73), "Europe/Berlin", "password"},
		{"no time zone", "c@example.org", "Cem", goodPassword, "", "timeZone"},
		{"an unknown time zone", "c@example.org", "Cem", goodPassword, "Mars/Olympus", "timeZone"},
		{"the server's local zone", "c@example.org", "Cem", goodPassword, "Local", "timeZone"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc(db).Create(c.email, c.person, c.password, c.tz)
			if c.field == "" {
				if !errors.Is(err, ErrEmailTaken) {
					t.Fatalf("err %v, want ErrEmailTaken", err)
				}
			} else if got := fieldOf(err); got != c.field {
				t.Fatalf("err %v names field %q, want %q", err, got, c.field)
			}
		})
	}
	if all, err := db.Therapists(); err != nil || len(all) != 2 {
		t.Fatalf("%d accounts after the refusals (%v), want 2", len(all), err)
	}
}

func TestCreateAcceptsTenCharacterPasswordsCountedInRunes(t *testing.T) {
	db := storetest.Open(t)
	// Ten characters, twenty bytes: the minimum counts characters.
	if _, err := svc(db).Create("a@example.org", "Ana", "ääääääääää", "Europe/Berlin"); err != nil {
		t.Fatalf("ten-character password: %v", err)
	}
	if _, err := svc(db).Create("b@example.org", "Ben", "äääääääää", "Europe/Berlin"); fieldOf(err) != "password" {
		t.Fatalf("nine-character password (18 bytes): %v, want a password error", err)
	}
}

func TestNewAPIToken(t *testing.T) {
	db := storetest.Open(t)
	ana, err := svc(db).Create("ana@example.org", "Ana", goodPassword, "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := svc(db).NewAPIToken(ana, "  booking-system ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "act_") || len(secret) < 40 {
		t.Fatalf("secret %q: want act_ and 256 random bits", secret)
	}
	if who, err := db.TherapistByAPIToken(secret); err != nil || who.ID != ana.ID {
		t.Fatalf("the secret resolves to %+v, %v", who, err)
	}
	toks, err := db.APITokens(ana.ID)
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens %+v, %v", toks, err)
	}
	if toks[0].Name != "booking-system" || toks[0].ID == "" || strings.Contains(toks[0].ID, secret[4:]) {
		t.Fatalf("token metadata %+v: want the trimmed name and an id that is not the secret", toks[0])
	}
	another, _, err := svc(db).NewAPIToken(ana, "calendar")
	if err != nil || another == secret {
		t.Fatalf("a second token: %q, %v", another, err)
	}

	for _, c := range []struct{ name, label string }{
		{"no name", ""},
		{"a name too long", strings.Repeat("x", 41)},
	} {
		if _, _, err := svc(db).NewAPIToken(ana, c.label); fieldOf(err) != "name" {
			t.Errorf("%s: %v, want a name error", c.name, err)
		}
	}
	if toks, _ := db.APITokens(ana.ID); len(toks) != 2 {
		t.Fatalf("%d tokens after the refusals, want 2", len(toks))
	}
}

func TestSetupLink(t *testing.T) {
	db := storetest.Open(t)
	first, err := (&Service{DB: db, Now: func() time.Time { return now }, BaseURL: "https://care.example.org/"}).SetupLink()
	if err != nil {
		t.Fatal(err)
	}
	prefix := "https://care.example.org" + InvitePath
	if !strings.HasPrefix(first, prefix) {
		t.Fatalf("link %q, want it under %s", first, prefix)
	}
	second, err := (&Service{DB: db, Now: func() time.Time { return now }, BaseURL: "https://care.example.org"}).SetupLink()
	if err != nil || second == first || !strings.HasPrefix(second, prefix) {
		t.Fatalf("second link %q, %v", second, err)
	}
	// Only the link printed last works.
	if _, err := svcAt(db, now).AcceptInvite(strings.TrimPrefix(first, prefix), "olga@example.org", "Olga", goodPassword, "Europe/Berlin", ""); !errors.Is(err, store.ErrInviteUsed) {
		t.Fatalf("the earlier setup link: %v, want ErrInviteUsed", err)
	}
	owner, err := svcAt(db, now.Add(time.Hour)).AcceptInvite(strings.TrimPrefix(second, prefix), "olga@example.org", "Olga", goodPassword, "Europe/Berlin", "")
	if err != nil || !owner.Owner {
		t.Fatalf("setup link made %+v, %v; want the owner", owner, err)
	}
	if !owner.CreatedAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("created at %v, want the time of accepting", owner.CreatedAt)
	}
	if link, err := (&Service{DB: db, Now: func() time.Time { return now }, BaseURL: "https://care.example.org"}).SetupLink(); err != nil || link != "" {
		t.Fatalf("setup link once an account exists: %q, %v", link, err)
	}
}

func TestAcceptInvite(t *testing.T) {
	db := storetest.Open(t)
	owner, err := svc(db).Create("olga@example.org", "Olga", goodPassword, "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	secret, inv, err := svcAt(db, now).NewInvite(model.InviteTherapist, " Ana@Example.org ", owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Email != "ana@example.org" || inv.CreatedBy != owner.ID || !inv.ExpiresAt.Equal(now.Add(InviteTTL)) || inv.ID == "" || inv.ID == secret {
		t.Fatalf("invite %+v", inv)
	}
	for _, c := range []struct {
		name, email, person, password string
		at                            time.Time
		want                          string // field, or "used" for ErrInviteUsed
	}{
		{"another address", "eve@example.org", "Eve", goodPassword, now, "email"},
		{"a short password", "ana@example.org", "Ana", "short", now, "password"},
		{"no name", "ana@example.org", "", goodPassword, now, "name"},
		{"after it expired", "ana@example.org", "Ana", goodPassword, now.Add(InviteTTL), "used"},
		{"an unknown link", "ana@example.org", "Ana", goodPassword, now, "used"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := secret
			if c.name == "an unknown link" {
				s = "nope"
			}
			_, err := svcAt(db, c.at).AcceptInvite(s, c.email, c.person, c.password, "Europe/Berlin", "")
			if c.want == "used" {
				if !errors.Is(err, store.ErrInviteUsed) {
					t.Fatalf("err %v, want ErrInviteUsed", err)
				}
			} else if got := fieldOf(err); got != c.want {
				t.Fatalf("err %v names %q, want %q", err, got, c.want)
			}
		})
	}
	ana, err := svcAt(db, now.Add(InviteTTL-time.Minute)).AcceptInvite(secret, "ANA@example.org", "Ana", goodPassword, "Europe/Berlin", "")
	if err != nil || ana.Owner || ana.Email != "ana@example.org" {
		t.Fatalf("accepted %+v, %v; want a therapist who is not the owner", ana, err)
	}
	if _, err := svcAt(db, now).AcceptInvite(secret, "ana@example.org", "Ana", goodPassword, "Europe/Berlin", ""); !errors.Is(err, store.ErrInviteUsed) {
		t.Fatalf("the link a second time: %v, want ErrInviteUsed", err)
	}

	// An invitation to no address in particular, for an address already taken.
	open, _, err := svcAt(db, now).NewInvite(model.InviteTherapist, "", owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svcAt(db, now).AcceptInvite(open, "olga@example.org", "Olga Two", goodPassword, "Europe/Berlin", ""); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("a taken address: %v, want ErrEmailTaken", err)
	}
	if _, err := svcAt(db, now).AcceptInvite(open, "cem@example.org", "Cem", goodPassword, "Europe/Berlin", ""); err != nil {
		t.Fatalf("the open invitation, refused once for a taken address, then: %v", err)
	}
}

func TestSetPassword(t *testing.T) {
	db := storetest.Open(t)
	ana, err := svc(db).Create("ana@example.org", "Ana", goodPassword, "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if err := setPassword(db, ana.ID, "too short"); fieldOf(err) != "newPassword" {
		t.Fatalf("short password: %v, want a newPassword error", err)
	}
	if err := setPassword(db, "nobody", "a long enough password"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown account: %v, want ErrNotFound", err)
	}
	if err := setPassword(db, ana.ID, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	stored, err := db.Therapist(ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bcrypt.CompareHashAndPassword(stored.PasswordHash, []byte("a long enough password")) != nil {
		t.Fatal("the new password does not match")
	}
	if bcrypt.CompareHashAndPassword(stored.PasswordHash, []byte(goodPassword)) == nil {
		t.Fatal("the old password still matches")
	}
	if stored.Email != ana.Email || stored.Name != ana.Name {
		t.Fatalf("the rest of the account changed: %+v", stored)
	}
}

func TestSetDisabled(t *testing.T) {
	db := storetest.Open(t)
	owner, err := svc(db).Create("olga@example.org", "Olga", goodPassword, "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	ana, err := svc(db).Create("ana@example.org", "Ana", goodPassword, "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := svc(db).NewAPIToken(ana, "booking")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc(db).SetDisabled(owner.ID, true); !errors.Is(err, ErrSelf) {
		t.Fatalf("disabling the owner: %v, want ErrSelf", err)
	}
	if o, _ := db.Therapist(owner.ID); o.Disabled {
		t.Fatal("the owner was disabled")
	}
	got, err := svc(db).SetDisabled(ana.ID, true)
	if err != nil || !got.Disabled {
		t.Fatalf("disabled %+v, %v", got, err)
	}
	if _, err := db.TherapistByAPIToken(secret); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a disabled account's token still resolves: %v", err)
	}
	got, err = svc(db).SetDisabled(ana.ID, false)
	if err != nil || got.Disabled {
		t.Fatalf("re-enabled %+v, %v", got, err)
	}
	if _, err := db.TherapistByAPIToken(secret); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("re-enabling revived the token: %v", err)
	}
	if _, err := svc(db).SetDisabled(owner.ID, false); err != nil {
		t.Fatalf("enabling the (enabled) owner: %v", err)
	}
}
