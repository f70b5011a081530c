package care

import (
	"net/url"
	"strings"

	"github.com/aftercare/aftercare/server/calendar"
)

// CalendarLinks are the addresses of a plan's calendar feed (GET /api/p/{token}).
type CalendarLinks struct {
	// URL is the https address, for Google Calendar's "From URL" and Outlook.
	URL string `json:"url"`
	// Webcal is the same feed as webcal://, which iPhone and Mac open in Calendar.
	Webcal string `json:"webcal"`
}

// calendarLinks are the addresses of feed token feed.
func (s *Service) calendarLinks(feed string) CalendarLinks {
	u := s.BaseURL + "/c/" + feed + ".ics"
	_, rest, _ := strings.Cut(u, "://")
	return CalendarLinks{URL: u, Webcal: "webcal://" + rest}
}

// CalendarFeed is the calendar of the plan whose feed token is feed, or
// ErrNotFound (a rotated token, an erased plan).
func (s *Service) CalendarFeed(feed string) ([]byte, error) {
	token, err := s.DB.FeedPlan(feed)
	if err != nil {
		return nil, err
	}
	in, err := s.calendarInput(token, feed)
	if err != nil {
		return nil, err
	}
	cal, err := calendar.Feed(in)
	if err != nil {
		return nil, err
	}
	return calendar.Encode(cal)
}

// NextSessionCalendar is a calendar file with the plan's next session only;
// calendar.ErrNoSession when none is booked.
func (s *Service) NextSessionCalendar(token string) ([]byte, error) {
	feed, err := s.DB.PlanFeed(token)
	if err != nil {
		return nil, err
	}
	in, err := s.calendarInput(token, feed)
	if err != nil {
		return nil, err
	}
	cal, err := calendar.NextSession(in)
	if err != nil {
		return nil, err
	}
	return calendar.Encode(cal)
}

// RotateCalendar gives the plan a new feed token: the old feed is gone at once
// (a calendar subscribed to it gets 404 and keeps no new events).
func (s *Service) RotateCalendar(token string) (CalendarLinks, error) {
	feed, err := s.DB.RotateFeed(token)
	if err != nil {
		return CalendarLinks{}, err
	}
	return s.calendarLinks(feed), nil
}

// CheckFeed reports ErrNotFound unless feed is a current feed token.
func (s *Service) CheckFeed(feed string) error {
	_, err := s.DB.FeedPlan(feed)
	return err
}

func (s *Service) calendarInput(token, feed string) (calendar.Input, error) {
	p, err := s.DB.Plan(token)
	if err != nil {
		return calendar.Input{}, err
	}
	p = s.withLanguage(p) // the feed speaks the plan's language
	gen, err := s.DB.ScheduleGeneration(token)
	if err != nil {
		return calendar.Input{}, err
	}
	in := calendar.Input{
		Plan: p, RoutineMinutes: Routine(p).EstimatedMinutes, Studio: s.Studio,
		OpenURL: func(screen string) string { return s.BaseURL + "/c/" + feed + "/open#/" + screen },
		Domain:  hostOf(s.BaseURL), Sequence: int(min(gen, 1<<31-1)), Now: s.now(),
	}
	if t, err := s.DB.Therapist(p.TherapistID); err == nil {
		in.TherapistName = t.Name
	}
	return in, nil
}

func hostOf(base string) string {
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "aftercare.invalid"
}

// FirstName is the first word of a client's name, as the app greets them.
func FirstName(full string) string {
	if f := strings.Fields(full); len(f) > 0 {
		return f[0]
	}
	return ""
}
