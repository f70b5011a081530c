package pushtest

import (
	"testing"

	"github.com/aftercare/aftercare/server/push"
)

// NewSender starts a service (New) and returns it with the real push sender,
// keyed with a fresh VAPID pair and allowed to reach that service alone.
// edit, if not nil, adjusts the sender's config first (e.g. its Sleep
// between retries).
func NewSender(tb testing.TB, edit func(*push.Config)) (*push.Sender, *Service) {
	tb.Helper()
	keys, err := push.LoadOrCreateKeys(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	svc := New(tb, keys.Public)
	allow, err := push.NewAllowlist([]string{svc.URL + "/"})
	if err != nil {
		tb.Fatal(err)
	}
	cfg := push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow}
	if edit != nil {
		edit(&cfg)
	}
	sender, err := push.NewSender(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return sender, svc
}
