package model

import "strings"

// emergencyByZone maps a client's time zone to the number an ambulance comes
// from. The zone is the best hint we have of where the phone is; 112 is the
// fallback because GSM phones connect it to local emergency services in most
// countries.
var emergencyByZone = map[string]string{
	"Europe/London": "999", "Europe/Belfast": "999", "Europe/Guernsey": "999", "Europe/Jersey": "999", "Europe/Isle_of_Man": "999",
	"Australia/": "000", "Pacific/Auckland": "111", "Pacific/Chatham": "111",
	"America/": "911", "US/": "911", "Canada/": "911", "Pacific/Honolulu": "911",
	"Asia/Tokyo": "119", "Asia/Seoul": "119", "Asia/Taipei": "119", "Asia/Shanghai": "120", "Asia/Hong_Kong": "999",
	"Asia/Singapore": "995", "Asia/Kuala_Lumpur": "999", "Asia/Kolkata": "112", "Asia/Dubai": "998",
	"Africa/Johannesburg": "10177",
}

// Zones in America that do not use 911.
var notNineOneOne = map[string]string{
	"America/Sao_Paulo": "192", "America/Bahia": "192", "America/Fortaleza": "192", "America/Recife": "192", "America/Manaus": "192",
	"America/Santiago": "131", "America/Bogota": "123", "America/Lima": "117", "America/Caracas": "911",
}

// EmergencyNumber returns the emergency (ambulance) number for a client's time zone.
func EmergencyNumber(zone string) string {
	if n, ok := notNineOneOne[zone]; ok {
		return n
	}
	if n, ok := emergencyByZone[zone]; ok {
		return n
	}
	for prefix, n := range emergencyByZone {
		if strings.HasSuffix(prefix, "/") && strings.HasPrefix(zone, prefix) {
			return n
		}
	}
	return "112"
}
