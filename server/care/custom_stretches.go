package care

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/photo"
	"github.com/aftercare/aftercare/server/store"
)

// A therapist's own stretches: written in the workspace, shared with the
// studio or kept private, used in plans and templates like the library's.
// A plan keeps a copy of each it uses (model.Plan.Custom), taken when it is
// assigned, so an edit or a retirement later changes nothing for the client.

// defaultPhotos decodes one upload at a time when the service was built without a Processor.
var defaultPhotos = photo.NewProcessor(1)

func (s *Service) photos() *photo.Processor {
	if s.Photos != nil {
		return s.Photos
	}
	return defaultPhotos
}

// PhotoView is an uploaded photo as the workspace refers to it.
type PhotoView struct {
	Name   string `json:"photo"` // for CustomStretchInput.Photo
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// UploadPhoto re-encodes an uploaded picture (see package photo) and stores
// it for t. A refused file changes nothing.
func (s *Service) UploadPhoto(ctx context.Context, t model.Therapist, data []byte) (PhotoView, error) {
	ph, err := s.photos().Process(ctx, data)
	if err != nil {
		return PhotoView{}, photoError(err)
	}
	if err := s.DB.PutPhoto(ph.Name(), ph.Data, t.ID, s.now()); err != nil {
		return PhotoView{}, err
	}
	return PhotoView{Name: ph.Name(), URL: routines.PhotoURL(ph.Name()), Width: ph.Width, Height: ph.Height}, nil
}

// photoError gives a refusal of the photo pipeline its code.
func photoError(err error) error {
	var re *photo.RefusedError
	if !errors.As(err, &re) {
		return err
	}
	code := model.Unprocessable
	switch {
	case errors.Is(err, photo.ErrUnsupported):
		code = model.UnsupportedType
	case errors.Is(err, photo.ErrTooLarge):
		code = model.TooLarge
	case errors.Is(err, photo.ErrBusy):
		code = model.Unavailable
	}
	return &model.Error{Code: code, Message: re.Reason, Err: err}
}

// Photo returns a stored photo by file name with its content type.
func (s *Service) Photo(name string) ([]byte, string, error) {
	if !routines.IsPhotoName(name) {
		return nil, "", store.ErrNotFound
	}
	data, err := s.DB.Photo(name)
	if err != nil {
		return nil, "", err
	}
	return data, photo.ContentType(photo.FormatOf(data)), nil
}

// CustomStretches lists the own stretches t may see, retired ones too (the
// workspace shows them apart), by name.
func (s *Service) CustomStretches(t model.Therapist) ([]model.CustomStretch, error) {
	all, err := s.DB.CustomStretches()
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(all, func(c model.CustomStretch) bool { return !c.VisibleTo(t) })
	slices.SortStableFunc(out, func(a, b model.CustomStretch) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// CustomStretch returns one own stretch t may see; another's private one is not found.
func (s *Service) CustomStretch(t model.Therapist, id string) (model.CustomStretch, error) {
	c, err := s.DB.CustomStretch(id)
	if err != nil {
		return c, err
	}
	if !c.VisibleTo(t) {
		return model.CustomStretch{}, ErrForbidden
	}
	return c, nil
}

// ErrNotEditable is a shared stretch t may use but not change: another therapist's.
var ErrNotEditable = model.ForbiddenError("only the therapist who wrote this stretch (or the studio owner) may change it")

// ErrRetired refuses a change to a retired stretch.
var ErrRetired = model.GoneError("this stretch was retired: plans that use it still show it, but it cannot be changed")

// CreateCustomStretch checks in and stores it as a new stretch of t's.
func (s *Service) CreateCustomStretch(t model.Therapist, in model.CustomStretchInput) (model.CustomStretch, error) {
	find, err := s.StretchFinder(t)
	if err != nil {
		return model.CustomStretch{}, err
	}
	c, err := in.Validate(newCustomID(), find)
	if err != nil {
		return c, err
	}
	now := s.now().UTC()
	c.TherapistID, c.CreatedAt, c.UpdatedAt = t.ID, now, now
	if err := s.DB.PutCustomStretch(c, model.MaxCustomStretches); err != nil {
		return c, err
	}
	return c, nil
}

// UpdateCustomStretch replaces the fields of one of t's stretches (or, for
// the owner, of a shared one); only its author may share or unshare it.
func (s *Service) UpdateCustomStretch(t model.Therapist, id string, in model.CustomStretchInput) (model.CustomStretch, error) {
	old, err := s.editable(t, id)
	if err != nil {
		return old, err
	}
	find, err := s.StretchFinder(t)
	if err != nil {
		return old, err
	}
	c, err := in.Validate(id, find)
	if err != nil {
		return c, err
	}
	if old.TherapistID != t.ID {
		c.Shared = old.Shared
	}
	c.TherapistID, c.CreatedAt, c.UpdatedAt = old.TherapistID, old.CreatedAt, s.now().UTC()
	if err := s.DB.PutCustomStretch(c, model.MaxCustomStretches); err != nil {
		return c, err
	}
	return c, nil
}

// RetireCustomStretch takes one of t's stretches out of use: it can no
// longer be picked for plans or templates, and plans that use it keep it.
func (s *Service) RetireCustomStretch(t model.Therapist, id string) (model.CustomStretch, error) {
	c, err := s.editable(t, id)
	if err != nil {
		return c, err
	}
	now := s.now().UTC()
	c.RetiredAt, c.UpdatedAt = &now, now
	return c, s.DB.PutCustomStretch(c, model.MaxCustomStretches)
}

func (s *Service) editable(t model.Therapist, id string) (model.CustomStretch, error) {
	c, err := s.CustomStretch(t, id)
	switch {
	case err != nil:
		return c, err
	case !c.EditableBy(t):
		return c, ErrNotEditable
	case c.Retired():
		return c, ErrRetired
	}
	return c, nil
}

// StretchFinder resolves stretch ids for t: the library's, and the own
// stretches t may use (not retired).
func (s *Service) StretchFinder(t model.Therapist) (model.StretchFinder, error) {
	all, err := s.DB.CustomStretches()
	if err != nil {
		return nil, err
	}
	usable := map[string]routines.Stretch{}
	for _, c := range all {
		if c.VisibleTo(t) && !c.Retired() {
			usable[c.ID] = c.Stretch
		}
	}
	return func(id string) (routines.Stretch, bool) {
		if st, ok := routines.StretchByID(id); ok {
			return st, true
		}
		st, ok := usable[id]
		return st, ok
	}, nil
}

// snapshotCustom copies the own stretches p uses into p.Custom, with their
// own easier and harder variations (so "Make it easier" works offline), and
// returns the photos they show.
func snapshotCustom(p *model.Plan, find model.StretchFinder) []string {
	p.Custom = nil
	var photos []string
	add := func(id string) {
		if !routines.IsCustomID(id) || slices.ContainsFunc(p.Custom, func(c routines.Stretch) bool { return c.ID == id }) {
			return
		}
		st, ok := find(id)
		if !ok {
			return
		}
		p.Custom = append(p.Custom, st)
		if name, ok := cutPhoto(st.Image); ok {
			photos = append(photos, name)
		}
	}
	for _, o := range p.Stretches {
		add(o.StretchID)
		if st, ok := find(o.StretchID); ok {
			add(st.EasierID)
			add(st.HarderID)
		}
	}
	return photos
}

func cutPhoto(image string) (string, bool) {
	name, ok := strings.CutPrefix(image, routines.CustomImagePrefix)
	return name, ok && routines.IsPhotoName(name)
}

// newCustomID is a fresh own-stretch id: CustomIDPrefix and 64 random bits in hex.
func newCustomID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return routines.CustomIDPrefix + hex.EncodeToString(b)
}
