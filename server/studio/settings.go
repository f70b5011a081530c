package studio

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/aftercare/aftercare/server/model"
)

// Settings are the studio's identity, set by the owner.
type Settings struct {
	Name string `json:"name"`
	// Accent is the colour the owner chose (#rrggbb), empty for the app's own.
	Accent     string `json:"accent"`
	BookingURL string `json:"bookingUrl"`
	Phone      string `json:"phone"`
	Address    string `json:"address"`
	// Logo is the version of the stored logo (a digest of it), empty without one.
	Logo string `json:"logo,omitempty"`
}

// Input is PUT /api/admin/studio: every field, as the settings form sends them.
type Input struct {
	Name       string `json:"name"`
	Accent     string `json:"accent"`
	BookingURL string `json:"bookingUrl"`
	Phone      string `json:"phone"`
	Address    string `json:"address"`
}

// Field limits.
const (
	MaxName       = 80
	MaxBookingURL = 500
	MaxAddress    = 160
	// A phone number: 3 to 20 digits, as people write them (spaces, dashes, dots, brackets, a leading +, "ext").
	MinPhoneDigits = 3
	MaxPhoneDigits = 20
	MaxPhone       = 32
)

// Validate checks in; an empty field is "none" (the name then falls back to -studio-name).
func (in Input) Validate() (Settings, error) {
	var s Settings
	var err error
	if s.Name, err = model.CleanLabel("name", in.Name, MaxName, false); err != nil {
		return s, err
	}
	if strings.ContainsAny(s.Name, "\n\t") {
		return s, model.InvalidField("name", "must be one line")
	}
	if a := strings.TrimSpace(in.Accent); a != "" {
		c, err := ParseHex(a)
		if err != nil {
			return s, model.InvalidField("accent", err.Error())
		}
		s.Accent = c.Hex()
	}
	if s.BookingURL, err = bookingURL(in.BookingURL); err != nil {
		return s, err
	}
	if s.Phone, err = phone(in.Phone); err != nil {
		return s, err
	}
	if s.Address, err = model.CleanLabel("address", in.Address, MaxAddress, false); err != nil {
		return s, err
	}
	if strings.ContainsAny(s.Address, "\n\t") {
		return s, model.InvalidField("address", "must be one line")
	}
	return s, nil
}

// bookingURL accepts an absolute https URL with a host and no credentials.
func bookingURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	const msg = "must be an https:// link to the studio's booking page, e.g. https://book.example.org/studio"
	if len(raw) > MaxBookingURL {
		return "", model.InvalidField("bookingUrl", "must be at most 500 characters")
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "", model.InvalidField("bookingUrl", msg)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return "", model.InvalidField("bookingUrl", msg)
	}
	if u.User != nil {
		return "", model.InvalidField("bookingUrl", "must not carry a user name or password")
	}
	return u.String(), nil
}

// phone accepts a number as people write it, within bounds, and keeps it as written.
func phone(raw string) (string, error) {
	p := strings.Join(strings.Fields(raw), " ")
	if p == "" {
		return "", nil
	}
	const msg = "must be a phone number: digits, spaces, + - . ( ) and \"ext\", e.g. +44 20 7946 0018"
	if len([]rune(p)) > MaxPhone {
		return "", model.InvalidField("phone", "must be at most 32 characters")
	}
	digits := 0
	rest := strings.ToLower(p)
	if i := strings.Index(rest, "ext"); i > 0 {
		rest = rest[:i] + rest[i+3:]
	}
	for i, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')', r == '/':
		default:
			return "", model.InvalidField("phone", msg)
		}
	}
	if digits < MinPhoneDigits || digits > MaxPhoneDigits {
		return "", model.InvalidField("phone", msg)
	}
	return p, nil
}

// TelURI is the tel: link for a phone number as written ("" without one).
func TelURI(phone string) string {
	if phone == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("tel:")
	lower := strings.ToLower(phone)
	main, ext, hasExt := strings.Cut(lower, "ext")
	for i, r := range main {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	if hasExt {
		b.WriteString(";ext=")
		for _, r := range ext {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
