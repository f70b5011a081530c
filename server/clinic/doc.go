// Package clinic holds the clinical rules and words of the sciatica
// aftercare: the version-2 check-in, the two tiers of warning signs, the
// advice a check-in leads to, the Patient-Specific Functional Scale (PSFS),
// the "Prepare for your session" form and the therapist's summary before the
// next session. It is pure: no HTTP, no storage, no clock (times are passed
// in). It imports server/model only for its strict decoding and input errors,
// and routines only to match a language as the rest of the product does.
//
// Decoding (each strict JSON via model.DecodeStrict; every error is a
// *model.InputError naming its field, which the server maps to 400):
//
//	DecodeCheckIn(body, now) (CheckIn, error)
//	DecodePSFS(body, now) (PSFS, error)
//	DecodePreparation(body, now) (Preparation, error)
//
// Each record carries a phone-chosen id and SameAs, for the outbox's
// idempotent resend, like model's check-ins.
//
// A check-in with an emergency sign answered yes may leave out the ratings:
// it is Partial (the warning signs only, sent the moment the emergency screen
// opens). Its tier and flags count like any other's; the rules that read
// ratings or leg symptoms (the advice history, the trends, sitting, nights,
// still sore, worsening, the chart's ratings, the summary's Latest) leave it out.
//
// Rules, all in this package:
//
//	ci.Tier() Tier                         None, SeeDoctorSoon or EmergencyNow; any one yes is enough
//	ci.Flags() []Flag                      the warning signs answered yes
//	Advice(ci, history, sessionAt)         []AdviceItem, most pressing first, stable ids (see rules in advice.go)
//	Assess(ci, history, sessionAt)         Assessment{Tier, Flags, Advice}; .TellTherapist() says whether to alert
//	StillSore(soreness, at, sessionAt)     the "still sore at 48 h" rule (soreness ≥ 7, ≥ 48 h)
//	PSFSChange(first, latest)              per activity and average; ≥ 2 points is meaningful
//	DuePSFS(ratings, next, now, loc)       first open, weekly, the day before the next session
//	Summarize(SummaryInput) Summary        trends since the last session, adherence, PSFS, preparation, flags
//	Chart(checkIns, ratings)               back/leg pain, soreness and PSFS on one time axis
//	AttentionFor(checkIns, sessionAt, handledAt)  the clients list's reason, emergency first (Attention.Rank)
//
// Words: every text the client reads (questions, both tier screens, advice,
// PSFS instructions with the authors' attribution, the preparation form and
// the day-of advice) is in content.go, with ids. Texts returns a copy;
// ContentJSON is the same as JSON for the app to cache and show offline.
// Advice items carry their text too, so a server answer is complete.
//
// Languages: content.go is the English; locales/clinic.<tag>.json holds the
// same Content in each other language of the product (de, es, fr, pt-BR),
// embedded, with exactly the English ids, tiers, choices, steps and
// placeholders (checked when loaded: a catalog that breaks them is served in
// English). TextsIn(lang) and ContentJSONIn(lang) (built once per language)
// give a language's content, matched as routines.Match does ("pt" reads
// pt-BR); Assessment.In(lang) rewrites an assessment's advice texts by id.
package clinic
