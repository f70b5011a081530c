package model

import "testing"

func TestEmergencyNumberFollowsTheClientsZone(t *testing.T) {
	for zone, want := range map[string]string{
		"Europe/Berlin": "112", "Europe/London": "999", "America/New_York": "911", "America/Toronto": "911",
		"America/Sao_Paulo": "192", "Australia/Sydney": "000", "Pacific/Auckland": "111", "Asia/Tokyo": "119", "": "112",
	} {
		if got := EmergencyNumber(zone); got != want {
			t.Errorf("%q: %s, want %s", zone, got, want)
		}
	}
}
