package push_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/push"
)

// sized returns reminder with its body stretched so the JSON payload is n bytes.
func sized(t testing.TB, n int) push.Message {
	t.Helper()
	msg := reminder
	msg.Body = ""
	base, err := msg.Payload()
	if err != nil {
		t.Fatal(err)
	}
	msg.Body = strings.Repeat("x", n-len(base))
	if p, _ := msg.Payload(); len(p) != n {
		t.Fatalf("payload %d bytes, want %d", len(p), n)
	}
	return msg
}

// Every message is padded to one of a few fixed sizes chosen by its length
// (every reminder kind fits the smallest), and the phone decrypts exactly the
// JSON that was sent: padding never shows in the plaintext.
func TestSendPadsToFixedSizes(t *testing.T) {
	real, err := reminder.Payload()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		payload  int
		record   uint32 // Config.RecordSize, 0 = default
		wantBody int
	}{
		{"reminder", len(real), 0, 512},
		{"largest in 512", 512 - 103, 0, 512},
		{"one byte more", 512 - 102, 0, 1024},
		{"largest in 1024", 1024 - 103, 0, 1024},
		{"one byte more than 1024", 1024 - 102, 0, push.DefaultRecordSize},
		{"largest payload", push.MaxPayload, 0, push.DefaultRecordSize},
		{"largest payload, configured record size", push.MaxPayload, 2200, 2200},
		{"small payload, configured record size", 300, 2200, 512},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *push.Config) { c.RecordSize = tc.record })
			msg := sized(t, tc.payload)
			res := f.sender.Send(context.Background(), f.subscribe(), msg)
			if !res.Delivered() {
				t.Fatalf("%+v, refusals %v", res, f.svc.Refusals())
			}
			got := f.svc.Wait(1, time.Second)[0]
			if got.BodySize != tc.wantBody || res.Bytes != tc.wantBody {
				t.Errorf("body %d bytes (result says %d), want %d", got.BodySize, res.Bytes, tc.wantBody)
			}
			want, _ := msg.Payload()
			if !bytes.Equal(got.Payload, want) {
				t.Errorf("decrypted %d bytes, not the %d sent", len(got.Payload), len(want))
			}
		})
	}
}
