package push_test

import (
	"testing"

	"github.com/aftercare/aftercare/server/push"
)

// The payload names the page by its path (the service worker opens it on
// its own origin) and the buttons by id, in the message's order.
func TestPayloadCarriesPathAndButtons(t *testing.T) {
	for url, want := range map[string]string{
		"https://care.example.org/p/tok#/play":      "/p/tok#/play",
		"http://127.0.0.1:8080/therapist#/plan/tok": "/therapist#/plan/tok",
		"https://care.example.org?x=1":              "?x=1",
		"https://care.example.org":                  "/",
		"/p/tok#/today":                             "/p/tok#/today",
	} {
		m := push.Message{Kind: "stretch", Title: "T", Body: "B", URL: url, Tag: "stretch",
			Actions: []push.Action{{Action: "start", Title: "Dehnübungen starten"}, {Action: "done", Title: `"Erledigt"`}}}
		b, err := m.Payload()
		if err != nil {
			t.Fatal(err)
		}
		exp := `{"title":"T","body":"B","url":"` + want + `","kind":"stretch","tag":"stretch","actions":{"start":"Dehnübungen starten","done":"\"Erledigt\""}}`
		if string(b) != exp {
			t.Errorf("%s:\n got %s\nwant %s", url, b, exp)
		}
	}
	b, _ := push.Message{Kind: "tip", Title: "T", URL: "/p/x"}.Payload()
	if string(b) != `{"title":"T","body":"","url":"/p/x","kind":"tip","tag":""}` {
		t.Errorf("without buttons: %s", b)
	}
}
