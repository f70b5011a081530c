package care

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // the pipeline's JPEGs
	_ "image/png"
	"slices"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/studio"
)

// StudioView is the studio as clients meet it and the owner's settings form shows it.
type StudioView struct {
	Name string `json:"name"`
	// AccentChosen is the owner's colour as entered ("" for the app's own).
	AccentChosen string `json:"accentChosen"`
	// Accent, AccentDark, Adjusted and Message: the colour checked against WCAG AA (studio.CheckAccent).
	studio.Accent
	BookingURL string `json:"bookingUrl"`
	Phone      string `json:"phone"`
	// Tel is Phone as a tel: link.
	Tel     string `json:"tel"`
	Address string `json:"address"`
	// Logo is the logo's URL ("" without one); Icon the notification icon made from it.
	Logo string `json:"logo"`
	Icon string `json:"icon"`
}

// ClientStudio is what the client's app needs of the studio (GET /api/p/{token}).
type ClientStudio struct {
	Name           string `json:"name,omitempty"`
	Accent         string `json:"accent"`
	AccentText     string `json:"accentText"`
	AccentSoft     string `json:"accentSoft"`
	AccentDark     string `json:"accentDark"`
	AccentDarkText string `json:"accentDarkText"`
	AccentDarkSoft string `json:"accentDarkSoft"`
	BookingURL     string `json:"bookingUrl,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Tel            string `json:"tel,omitempty"`
	Logo           string `json:"logo,omitempty"`
}

// forClient is v for the client's app; nil while the studio set nothing (the
// app's own look: every byte of the first load counts).
func (v StudioView) forClient() *ClientStudio {
	if v.Name == "" && v.AccentChosen == "" && v.BookingURL == "" && v.Phone == "" && v.Logo == "" {
		return nil
	}
	return &ClientStudio{Name: v.Name, Accent: v.Accent.Light, AccentText: v.LightText, AccentSoft: v.LightSoft,
		AccentDark: v.Dark, AccentDarkText: v.DarkText, AccentDarkSoft: v.DarkSoft,
		BookingURL: v.BookingURL, Phone: v.Phone, Tel: v.Tel, Logo: v.Logo}
}

// ErrNoStudioImage is a studio image asked for while no logo is stored.
var ErrNoStudioImage = model.NotFoundError("the studio has no logo")

// Studio is the studio's identity: the owner's settings, or for a name never
// set, -studio-name. It is read for every plan view, manifest and reminder,
// so it is kept in memory until the owner changes it.
func (s *Service) Studio() (StudioView, error) {
	s.studioMu.Lock()
	defer s.studioMu.Unlock()
	if s.studio != nil {
		return *s.studio, nil
	}
	set, _, err := s.DB.StudioSettings()
	if err != nil {
		return StudioView{}, err
	}
	v, err := s.studioView(set)
	if err != nil {
		return v, err
	}
	s.studio = &v
	return v, nil
}

func (s *Service) studioView(set studio.Settings) (StudioView, error) {
	v := StudioView{Name: set.Name, AccentChosen: set.Accent, BookingURL: set.BookingURL, Phone: set.Phone,
		Tel: studio.TelURI(set.Phone), Address: set.Address}
	if v.Name == "" {
		v.Name = s.StudioName
	}
	accent := set.Accent
	if accent == "" {
		accent = studio.DefaultAccent
	}
	var err error
	if v.Accent, err = studio.CheckAccent(accent); err != nil {
		return v, err
	}
	if set.Logo != "" {
		v.Logo = "/studio/logo.png?v=" + set.Logo
		// Without a version: it travels in every notification, padded to 512 bytes (the server revalidates it).
		v.Icon = "/studio/icon-192.png"
	}
	return v, nil
}

// SetStudio stores the owner's settings and answers what clients will see,
// with the accent as adjusted to pass WCAG AA.
func (s *Service) SetStudio(in studio.Input) (StudioView, error) {
	set, err := in.Validate()
	if err != nil {
		return StudioView{}, err
	}
	s.studioMu.Lock()
	defer s.studioMu.Unlock()
	s.studio = nil
	stored, err := s.DB.PutStudioSettings(set)
	if err != nil {
		return StudioView{}, err
	}
	if stored.Logo != "" {
		// The maskable icon sits on the accent: make it again in the new colour.
		if err := s.remakeIcons(stored); err != nil {
			return StudioView{}, err
		}
	}
	return s.studioView(stored)
}

// remakeIcons makes the icons of the stored logo again (the accent changed).
func (s *Service) remakeIcons(set studio.Settings) error {
	data, err := s.DB.StudioImage("logo.png")
	if err != nil {
		return err
	}
	img, err := studio.DecodeStored(data)
	if err != nil {
		return err
	}
	v, err := s.studioView(set)
	if err != nil {
		return err
	}
	logo, err := studio.MakeLogo(img, v.Accent.Light)
	if err != nil {
		return err
	}
	_, err = s.DB.PutStudioLogo(&logo, set)
	return err
}

// SetStudioLogo takes an uploaded logo through the stretch photos' pipeline
// (a JPEG, PNG or WebP picture, checked and re-encoded: package photo),
// stores it with the icons made from it, and answers the studio as clients
// now see it. A refused file changes nothing.
func (s *Service) SetStudioLogo(ctx context.Context, data []byte) (StudioView, error) {
	ph, err := s.photos().Process(ctx, data)
	if err != nil {
		return StudioView{}, photoError(err)
	}
	if err := studio.CheckLogoShape(ph.Width, ph.Height); err != nil {
		return StudioView{}, err
	}
	img, _, err := image.Decode(bytes.NewReader(ph.Data)) // the pipeline's own encoding
	if err != nil {
		return StudioView{}, fmt.Errorf("decode the re-encoded logo: %w", err)
	}
	s.studioMu.Lock()
	defer s.studioMu.Unlock()
	s.studio = nil
	set, _, err := s.DB.StudioSettings()
	if err != nil {
		return StudioView{}, err
	}
	v, err := s.studioView(set)
	if err != nil {
		return v, err
	}
	logo, err := studio.MakeLogo(img, v.Accent.Light)
	if err != nil {
		return StudioView{}, err
	}
	if set, err = s.DB.PutStudioLogo(&logo, set); err != nil {
		return StudioView{}, err
	}
	return s.studioView(set)
}

// RemoveStudioLogo drops the logo and its icons: clients see the app's own again.
func (s *Service) RemoveStudioLogo() (StudioView, error) {
	s.studioMu.Lock()
	defer s.studioMu.Unlock()
	s.studio = nil
	set, _, err := s.DB.StudioSettings()
	if err != nil {
		return StudioView{}, err
	}
	if set, err = s.DB.PutStudioLogo(nil, set); err != nil {
		return StudioView{}, err
	}
	return s.studioView(set)
}

// StudioImage is the stored logo ("logo.png") or an icon made from it (studio.IconNames).
func (s *Service) StudioImage(name string) ([]byte, error) {
	if name != "logo.png" && !slices.Contains(studio.IconNames, name) {
		return nil, ErrNoStudioImage
	}
	data, err := s.DB.StudioImage(name)
	if errors.Is(err, model.ErrNotFound) {
		return nil, ErrNoStudioImage
	}
	return data, err
}
