package webhook_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/netguard"
	"github.com/aftercare/aftercare/server/store/storetest"
	"github.com/aftercare/aftercare/server/webhook"
)

// The URL rules are push's: https, no userinfo, no loopback or private IP
// literal, no name for this machine; -webhook-allow opens exact prefixes.
func TestCheckURL(t *testing.T) {
	allow, err := netguard.ParsePrefixes([]string{"http://127.0.0.1:9000/hooks/"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://hooks.example.invalid/aftercare", true},
		{"https://hooks.example.invalid:8443/a?x=1", true},
		{"https://HOOKS.example.invalid/", true},
		{"http://127.0.0.1:9000/hooks/a", true},
		{"http://127.0.0.1:9000/hooks/", true},

		{"http://hooks.example.invalid/aftercare", false},
		{"ftp://hooks.example.invalid/", false},
		{"https://user:pw@hooks.example.invalid/", false},
		{"https://user@hooks.example.invalid/", false},
		{"https://127.0.0.1/", false},
		{"https://127.0.0.2:9000/hooks/a", false},
		{"https://[::1]/", false},
		{"https://[::ffff:127.0.0.1]/", false},
		{"https://[fe80::1%25eth0]/", false},
		{"https://0.0.0.0/", false},
		{"https://localhost/", false},
		{"https://api.localhost/", false},
		{"https://2130706433/", false},
		{"https://0x7f.1/", false},
		{"https://hooks.example.invalid./", false},
		{"https://hooks_example.invalid/", false},
		{"https://hooks.example.invalid/#frag", false},
		{"https://hooks.example.invalid/a/../b", false},
		{"https://hooks.example.invalid:0/", false},
		{"https://hooks.example.invalid:99999/", false},
		{"//hooks.example.invalid/", false},
		{"hooks.example.invalid/", false},
		{"", false},
		{"https://hooks.example.invalid/" + strings.Repeat("a", 2100), false},
		{"http://127.0.0.1:9001/hooks/a", false},
		{"http://127.0.0.1:9000/other", false},
		{"http://127.0.0.1:9000@hooks.example.invalid/hooks/", false},
		{"http://127.0.0.1:9000/hooks/../admin", false},
	}
	for _, tc := range tests {
		err := webhook.CheckURL(tc.url, allow)
		if (err == nil) != tc.ok {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
		var ie *model.InputError
		if err != nil && (!errors.As(err, &ie) || ie.Field != "url") {
			t.Errorf("CheckURL(%q) = %v, not an input error naming url", tc.url, err)
		}
	}
	if err := webhook.CheckURL("http://127.0.0.1:9000/hooks/a", nil); err == nil {
		t.Error("loopback accepted without an allow prefix")
	}
}

// Where a name really points is checked when connecting: the guarded client
// never reaches a loopback receiver unless an allow prefix names its host
// and port (a DNS name may resolve to 127.0.0.1).
func TestDeliveryNeverDialsLoopbackWithoutTheFlag(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	db := storetest.Open(t)
	// Another port on the same host is allowed: not this one.
	other, _ := netguard.ParsePrefixes([]string{"http://127.0.0.1:1/"})
	covered, _ := netguard.ParsePrefixes([]string{srv.URL + "/"})
	for name, allow := range map[string]*netguard.Prefixes{"other port": other, "covered": covered} {
		svc, err := webhook.New(webhook.Config{DB: db, Allow: allow})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Save(webhook.SettingsInput{URL: ptr(srv.URL + "/hooks")}); name == "covered" && err != nil {
			t.Fatal(err)
		} else if name != "covered" {
			if err == nil {
				t.Fatalf("%s: saved a loopback URL", name)
			}
			continue
		}
		if _, err := svc.Test(t.Context()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if hits.Load() != 1 {
		t.Fatalf("receiver saw %d requests, want 1 (the covered one)", hits.Load())
	}
}

// Bad settings are refused naming the field.
func TestDecodeSettings(t *testing.T) {
	tests := []struct{ body, field string }{
		{`{}`, "url"},
		{`{"url": 3}`, "url"},
		{`{"url": "https://hooks.example.invalid/", "events": ["plan.deleted"]}`, "events"},
		{`{"url": "https://hooks.example.invalid/", "events": ["plan.created", "plan.created"]}`, "events"},
		{`{"url": "https://hooks.example.invalid/", "events": "plan.created"}`, "events"},
		{`{"url": "https://hooks.example.invalid/", "includeNotes": "yes"}`, "includeNotes"},
		{`{"url": "https://hooks.example.invalid/", "secret": "whsec_mine"}`, "secret"},
		{`{"url": "https://hooks.example.invalid/", "rotateSecret": 1}`, "rotateSecret"},
	}
	for _, tc := range tests {
		_, err := webhook.DecodeSettings([]byte(tc.body))
		var ie *model.InputError
		if !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("DecodeSettings(%s) = %v, want an error naming %q", tc.body, err, tc.field)
		}
	}
	in, err := webhook.DecodeSettings([]byte(`{"url": "", "events": [], "includeNotes": true}`))
	if err != nil || *in.URL != "" || len(*in.Events) != 0 || !in.IncludeNotes {
		t.Fatalf("valid body: %+v %v", in, err)
	}
}
