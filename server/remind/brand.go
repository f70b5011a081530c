package remind

import (
	"strings"

	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/push"
)

// Brand is the studio as a client's notifications show it.
type Brand struct {
	// Name, if set, leads each title ("Harbour Massage: Time to stretch").
	Name string
	// Icon, if set, is the path of the notification icon on this server (made from the studio's logo).
	Icon string
	// BookingURL, if set, is where a "time to book" reminder opens.
	BookingURL string
	// Phone, if set and there is no booking URL, is who a "time to book" reminder says to call.
	Phone string
}

// bookingRule reports whether rule id is a nudge to book the next session.
func bookingRule(id string) bool { return strings.HasPrefix(id, "followup-book-") }

// clientMessage is rule r's push message as the studio sends it.
func (s *Scheduler) clientMessage(r *Rule) push.Message {
	m := r.Message(s.baseURL)
	if s.brand == nil {
		return m
	}
	b := s.brand()
	m = b.apply(m)
	if bookingRule(r.ID) {
		switch {
		case b.BookingURL != "":
			m.Open = b.BookingURL
		case b.Phone != "" && r.lang != nil:
			m.Body += " " + r.lang.Format("studio.call", locale.Data{"Phone": b.Phone}) + "."
		}
	}
	return m
}

// apply puts the studio's name in front of m's title and its icon on m.
func (b Brand) apply(m push.Message) push.Message {
	if b.Name != "" {
		m.Title = b.Name + ": " + m.Title
	}
	m.Icon = b.Icon
	return m
}
