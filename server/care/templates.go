package care

import (
	"strconv"

	"github.com/aftercare/aftercare/server/model"
)

// MaxOwnTemplates keeps the assign screen's picker short.
const MaxOwnTemplates = 30

// Templates lists t's own routine templates, oldest first.
func (s *Service) Templates(t model.Therapist) ([]model.Template, error) {
	return s.DB.Templates(t.ID)
}

// CreateTemplate stores in as one of t's own templates, at most
// MaxOwnTemplates of them.
func (s *Service) CreateTemplate(t model.Therapist, in model.TemplateInput) (model.Template, error) {
	find, err := s.StretchFinder(t)
	if err != nil {
		return model.Template{}, err
	}
	tpl, err := in.ValidateWith(find)
	if err != nil {
		return tpl, err
	}
	if list, err := s.DB.Templates(t.ID); err != nil {
		return tpl, err
	} else if len(list) >= MaxOwnTemplates {
		return tpl, model.InvalidField("", "you have "+strconv.Itoa(MaxOwnTemplates)+" templates already: delete one first")
	}
	tpl.ID = model.NewToken()[:12]
	tpl.TherapistID = t.ID
	tpl.CreatedAt = s.now().UTC()
	if err := s.DB.PutTemplate(tpl); err != nil {
		return tpl, err
	}
	return tpl, nil
}

// DeleteTemplate removes one of t's templates; another's is not found.
func (s *Service) DeleteTemplate(t model.Therapist, id string) error {
	return s.DB.DeleteTemplate(t.ID, id)
}
