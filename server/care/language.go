package care

import (
	"slices"

	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
)

// Text is one message the app shows: its catalog id and its words in the
// plan's language, placeholders filled.
type Text struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// RedFlagText is one emergency sign of the clinic content: its question as
// the check-in asks it, and its sign as the urgent screen, Help and the
// printout list it.
type RedFlagText struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Sign     string `json:"sign"`
}

// AdviceView is what a check-in tells the client: the kind of advice and, in
// the order shown, its texts (the urgent screen's, the contact-therapist
// screen's or the thank-you), built here so the app holds no copy of the rule.
type AdviceView struct {
	Kind  Advice
	Texts []Text
}

// planLocale is the language plan p speaks: its own, or the studio's default
// for a plan stored before languages.
func (s *Service) planLocale(p model.Plan) *locale.Locale {
	return locale.Of(p.Language, s.DefaultLanguage)
}

// TherapistLocale is the language therapist t reads: their own, or the
// studio's default for an account made before languages.
func (s *Service) TherapistLocale(t model.Therapist) *locale.Locale {
	return locale.Of(t.Language, s.DefaultLanguage)
}

// withLanguage returns p with its language written out (the studio's
// default where none is stored), for the packages that read p.Language.
func (s *Service) withLanguage(p model.Plan) model.Plan {
	p.Language = s.planLocale(p).String()
	return p
}

// PlanLocale is the language of the plan with token (the app page's lang).
func (s *Service) PlanLocale(token string) (*locale.Locale, error) {
	p, err := s.DB.Plan(token)
	if err != nil {
		return nil, err
	}
	return s.planLocale(p), nil
}

// redFlagTexts are the clinic content's emergency signs in l, in the order the
// check-in asks them (clinic.EmergencyFlags; the first three keep the ids of
// version 1's model.RedFlags, which old check-ins carry).
func redFlagTexts(l *locale.Locale) []RedFlagText {
	var out []RedFlagText
	for _, q := range clinic.TextsIn(l.String()).Questions {
		if q.Tier == clinic.EmergencyNow {
			out = append(out, RedFlagText{ID: string(q.ID), Question: q.Text, Sign: q.Words})
		}
	}
	return out
}

// nerveFeelings are the feelings that ask the client to skip stretches that
// bring them on.
var nerveFeelings = []string{"shooting", "burning", "tingling", "numb"}

// adviceView builds the advice for check-in c on plan p, in the plan's language.
func (s *Service) adviceView(p model.Plan, c model.CheckIn) AdviceView {
	l := s.planLocale(p)
	kind := AdviceFor(p, c)
	var therapist string
	if t, err := s.DB.Therapist(p.TherapistID); err == nil {
		therapist = t.Name
	}
	v := AdviceView{Kind: kind}
	add := func(id, text string) { v.Texts = append(v.Texts, Text{ID: id, Text: text}) }
	plain := func(ids ...string) {
		for _, id := range ids {
			add(id, l.Text(id))
		}
	}
	switch kind {
	case AdviceUrgent:
		plain("urgent.title", "urgent.lead.told")
		for _, id := range model.RedFlags {
			if slices.Contains(c.RedFlags, id) {
				plain("redflag." + id + ".sign")
			}
		}
		number := model.EmergencyNumber(p.TimeZone)
		plain("urgent.why")
		add("urgent.call", l.Format("urgent.call", locale.Data{"Number": number}))
		if number == "112" {
			plain("urgent.otherNumber.112")
		} else {
			plain("urgent.otherNumber")
		}
		plain("urgent.emergencyDepartment", "urgent.noMoreStretches")
		return v // the urgent screen says everything: nothing may distract from it
	case AdviceContactTherapist:
		plain("advice.contact.title")
		add(therapistID("advice.contact.lead", therapist), l.Therapist("advice.contact.lead", therapist, nil))
		plain("advice.contact.untilThen", "advice.contact.gently", "advice.contact.warmOrIce", "advice.contact.water")
	default:
		name := locale.FirstName(p.ClientName)
		id := "advice.normal.title"
		if name != "" {
			id += ".named"
		}
		add(id, l.Named("advice.normal.title", name, nil))
		plain("advice.normal.lead", "advice.normal.text")
	}
	if slices.ContainsFunc(c.Feelings, func(f string) bool { return slices.Contains(nerveFeelings, f) }) {
		plain("advice.nerveFeelings")
	}
	return v
}

// therapistID is the id Locale.Therapist renders for id.
func therapistID(id, therapist string) string {
	if therapist == "" {
		return id + ".unnamed"
	}
	return id
}

// FeedLocale is the language of the plan whose calendar feed token is feed
// (the page the feed's events open), or ErrNotFound.
func (s *Service) FeedLocale(feed string) (*locale.Locale, error) {
	token, err := s.DB.FeedPlan(feed)
	if err != nil {
		return nil, err
	}
	return s.PlanLocale(token)
}
