package model

import (
	"fmt"
	"time"

	"github.com/aftercare/aftercare/routines"
)

// Session is a therapist's logged-in browser; the store keeps only a hash of its secret.
type Session struct {
	TherapistID string `json:"therapistId"`
	// CSRF is the double-submit token cookie-authenticated writes must echo in X-CSRF-Token.
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"createdAt"`
	LastSeen  time.Time `json:"lastSeen"`
}

// Invite kinds: the studio owner's first-start setup link, or a therapist's invitation.
const (
	InviteSetup     = "setup"
	InviteTherapist = "therapist"
)

// Invite is a one-time link that creates an account; the store keeps only a hash of its secret.
type Invite struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Email     string    `json:"email"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Template is a therapist's own routine: a library template with their stretch list and defaults.
type Template struct {
	ID          string     `json:"id"`
	TherapistID string     `json:"therapistId"`
	Name        string     `json:"name"`
	RoutineID   string     `json:"routineId"`
	Stretches   []Override `json:"stretches"`
	Days        int        `json:"days"`
	CadenceDays int        `json:"cadenceDays"`
	Notes       string     `json:"notes"`
	CreatedAt   time.Time  `json:"createdAt"`
}

// MaxStretches bounds a plan's own stretch list.
const MaxStretches = 15

// CustomCreateInput is POST /api/plans with an optional stretch list replacing the routine's.
type CustomCreateInput struct {
	CreateInput
	Stretches []Override `json:"stretches"`
}

// DecodeCreateCustom is DecodeCreate that also accepts "stretches": the therapist's
// own order of stretches from the library, each with an optional hold and reps.
func DecodeCreateCustom(data []byte, now time.Time) (Plan, error) {
	return decodeAt[Plan, CustomCreateInput](data, now)
}

// Validate checks a new plan with its optional own stretch list, from the library, at now.
func (in CustomCreateInput) Validate(now time.Time) (Plan, error) { return in.ValidateWith(now, nil) }

// ValidateWith is Validate with the stretches find knows (the library and the
// therapist's own); nil finds the library's only.
func (in CustomCreateInput) ValidateWith(now time.Time, find StretchFinder) (Plan, error) {
	if len(in.Stretches) > 0 && len(in.Overrides) > 0 {
		return Plan{}, bad("overrides", "send either overrides or stretches, not both (stretches carry their own holdSeconds and reps)")
	}
	p, err := in.CreateInput.Validate(now)
	if err != nil {
		return p, err
	}
	if in.Stretches != nil {
		if p.Stretches, err = ValidateStretches("stretches", p.RoutineID, in.Stretches, find); err != nil {
			return p, err
		}
	}
	return p, nil
}

// StretchFinder looks a stretch up by id: the library's (routines.StretchByID)
// and, where a therapist's own may be used, theirs.
type StretchFinder func(id string) (routines.Stretch, bool)

// ValidateStretches checks an own stretch list and fills omitted holds and reps
// from the routine's step for that stretch, else from the stretch's default.
// find resolves the ids; nil is the library.
func ValidateStretches(field, routineID string, list []Override, find StretchFinder) ([]Override, error) {
	if find == nil {
		find = routines.StretchByID
	}
	if len(list) == 0 {
		return nil, bad(field, "must list at least one stretch")
	}
	if len(list) > MaxStretches {
		return nil, bad(field, "at most %d stretches", MaxStretches)
	}
	r, _ := routines.RoutineByID(routineID)
	out := make([]Override, 0, len(list))
	seen := map[string]bool{}
	for i, o := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		st, ok := find(o.StretchID)
		if !ok {
			return nil, bad(f+".stretchId", "unknown stretch %q", o.StretchID)
		}
		if seen[o.StretchID] {
			return nil, bad(f+".stretchId", "stretch %q is listed twice", o.StretchID)
		}
		seen[o.StretchID] = true
		if o.HoldSeconds != 0 && (o.HoldSeconds < routines.MinHoldSeconds || o.HoldSeconds > routines.MaxHoldSeconds) {
			return nil, bad(f+".holdSeconds", "must be between %d and %d", routines.MinHoldSeconds, routines.MaxHoldSeconds)
		}
		if o.Reps != 0 && (o.Reps < routines.MinReps || o.Reps > routines.MaxReps) {
			return nil, bad(f+".reps", "must be between %d and %d", routines.MinReps, routines.MaxReps)
		}
		hold, reps := st.HoldSeconds, st.Reps
		for _, s := range r.Steps {
			if s.StretchID == st.ID {
				hold, reps = s.HoldSeconds, s.Reps
			}
		}
		if o.HoldSeconds == 0 {
			o.HoldSeconds = hold
		}
		if o.Reps == 0 {
			o.Reps = reps
		}
		out = append(out, o)
	}
	return out, nil
}

// TemplateInput is the body of POST /api/templates.
type TemplateInput struct {
	Name        string     `json:"name"`
	RoutineID   string     `json:"routineId"`
	Stretches   []Override `json:"stretches"`
	Days        int        `json:"days"`
	CadenceDays int        `json:"cadenceDays"`
	Notes       string     `json:"notes"`
}

// DecodeTemplate validates a therapist's own template (without id, owner or timestamps).
func DecodeTemplate(data []byte) (Template, error) {
	return decodeThen[Template, TemplateInput](data)
}

// Validate checks a therapist's own template (without id, owner or timestamps).
func (in TemplateInput) Validate() (Template, error) { return in.ValidateWith(nil) }

// ValidateWith is Validate with the stretches find knows; nil is the library.
func (in TemplateInput) ValidateWith(find StretchFinder) (Template, error) {
	var t Template
	var err error
	if t.Name, err = CleanLabel("name", in.Name, 60, true); err != nil {
		return t, err
	}
	if _, ok := routines.RoutineByID(in.RoutineID); !ok {
		return t, bad("routineId", "unknown routine %q", in.RoutineID)
	}
	t.RoutineID = in.RoutineID
	if t.Stretches, err = ValidateStretches("stretches", in.RoutineID, in.Stretches, find); err != nil {
		return t, err
	}
	if in.Days != 0 && (in.Days < MinDays || in.Days > MaxDays) {
		return t, bad("days", "must be between %d and %d", MinDays, MaxDays)
	}
	t.Days = in.Days
	if in.CadenceDays != 0 && (in.CadenceDays < 7 || in.CadenceDays > 56) {
		return t, bad("cadenceDays", "must be 0 (no booking nudge) or between 7 and 56")
	}
	t.CadenceDays = in.CadenceDays
	if t.Notes, err = CleanText("notes", in.Notes, 1000, false); err != nil {
		return t, err
	}
	return t, nil
}

// PlanChangeInput is the body of PATCH /api/plans/{token}: every field is optional.
type PlanChangeInput struct {
	// NextSessionAt: RFC 3339, or "" to clear the booking; omitted leaves it.
	NextSessionAt *string `json:"nextSessionAt"`
	CadenceDays   *int    `json:"cadenceDays"`
	// ExtendDays adds days to the plan (and re-opens an ended plan).
	ExtendDays int     `json:"extendDays"`
	Notes      *string `json:"notes"`
	// AlertsHandled true marks the plan's current alerts as handled now; false changes nothing.
	AlertsHandled bool `json:"alertsHandled"`
}

// PlanChange is a validated PlanChangeInput.
type PlanChange struct {
	SetNextSession bool
	NextSessionAt  *time.Time
	CadenceDays    *int
	ExtendDays     int
	Notes          *string
	AlertsHandled  bool
}

// DecodePlanChange validates an edit of a running plan.
func DecodePlanChange(data []byte) (PlanChange, error) {
	return decodeThen[PlanChange, PlanChangeInput](data)
}

// Validate checks an edit of a running plan.
func (in PlanChangeInput) Validate() (PlanChange, error) {
	var ch PlanChange
	if in.NextSessionAt != nil {
		ch.SetNextSession = true
		if *in.NextSessionAt != "" {
			t, err := time.Parse(time.RFC3339, *in.NextSessionAt)
			if err != nil {
				return ch, bad("nextSessionAt", "must be an RFC 3339 time, or \"\" to clear it")
			}
			t = t.UTC()
			ch.NextSessionAt = &t
		}
	}
	if in.CadenceDays != nil {
		if c := *in.CadenceDays; c != 0 && (c < 7 || c > 56) {
			return ch, bad("cadenceDays", "must be 0 (no booking nudge) or between 7 and 56")
		}
		ch.CadenceDays = in.CadenceDays
	}
	if in.ExtendDays < 0 || in.ExtendDays > MaxDays {
		return ch, bad("extendDays", "must be between 0 and %d", MaxDays)
	}
	ch.ExtendDays = in.ExtendDays
	if in.Notes != nil {
		n, err := CleanText("notes", *in.Notes, 1000, false)
		if err != nil {
			return ch, err
		}
		ch.Notes = &n
	}
	ch.AlertsHandled = in.AlertsHandled
	if !ch.SetNextSession && ch.CadenceDays == nil && ch.ExtendDays == 0 && ch.Notes == nil && !ch.AlertsHandled {
		return ch, bad("", "nothing to change: send nextSessionAt, cadenceDays, extendDays, notes or alertsHandled")
	}
	return ch, nil
}
