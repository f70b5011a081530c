package model

import (
	"errors"
	"testing"
)

// Decoders must never panic and must only fail with an InputError.
func FuzzDecodeCreate(f *testing.F) {
	f.Add([]byte(validPlan))
	f.Add([]byte(`{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","overrides":[{"stretchId":"supine-figure-four","holdSeconds":20,"reps":2}]}`))
	f.Add([]byte(`{"clientName":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodeCreate(data, now)
		var ie *InputError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("non-input error %T: %v", err, err)
		}
		if err == nil && (p.ClientName == "" || p.Days < MinDays || p.Days > MaxDays) {
			t.Fatalf("accepted invalid plan %+v", p)
		}
	})
}

func FuzzDecodeCheckIn(f *testing.F) {
	f.Add([]byte(`{"id":"abcdef12","soreness":7,"pain":2,"areas":["left-buttock"],"feelings":["dull"],"redFlags":[],"note":"tight"}`))
	f.Add([]byte(`{"id":"abcdef12","soreness":0,"pain":0}`))
	f.Add([]byte(`{"soreness":[{"a":{}}]}`))
	f.Add([]byte(`{"id":"abcdef12","soreness":99,"soreness":1,"pain":1}`))
	f.Add([]byte("{\"id\":\"abcdef12\",\"soreness\":1,\"pain\":1,\"note\":\"\xff\\u0000\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCheckIn(data, now)
		var ie *InputError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("non-input error %T: %v", err, err)
		}
		if err == nil && (c.Soreness < 0 || c.Soreness > 10 || c.Pain < 0 || c.Pain > 10) {
			t.Fatalf("accepted out-of-range check-in %+v", c)
		}
	})
}

func FuzzDecodeSubscription(f *testing.F) {
	f.Add([]byte(`{"endpoint":"https://fcm.googleapis.com/fcm/send/x","expirationTime":null,"keys":{"p256dh":"BNc","auth":"tBH"}}`))
	f.Add([]byte(`{"endpoint":"https://127.0.0.2/x","keys":{"p256dh":"BNc","auth":"tBH","auth":"x"}}`))
	f.Add([]byte(`{"endpoint":"https://[::1]/x","expirationTime":1e400,"keys":["BNc","tBH"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := DecodeSubscription(data)
		var ie *InputError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("non-input error %T: %v", err, err)
		}
	})
}
