package store

import "time"

// The reminder schedule lives in two buckets:
//
//   - due: fireUnix(8 BE) token 0x00 ruleID -> the rule's state (compact
//     binary, see encodeDue). Time first, so "everything due by t" is one
//     cursor range from the start. The entry carries all a tick needs (kind,
//     the local time last sent, the schedule generation), so a tick's commit
//     is "delete this key, put the next key": both near the two ends of the
//     time order, i.e. mostly sequential pages, whatever the number of plans.
//   - rules: token 0x00 -> the plan's schedule generation (8 BE), and
//     token 0x00 ruleID -> the rule's state JSON as of the last
//     ReplaceSchedule (or the last send persisted with DueStep.Persist).
//
// A tick does not rewrite the rules bucket (that was one random page per sent
// reminder). ReplaceSchedule bumps the generation and writes new due entries;
// the old entries it can locate (each rule's stored NextFire) are deleted, and
// any others (rules that moved on since) are stale: DueUntil marks them and the
// tick drops them unsent (a commit that follows one up by mistake writes
// another stale entry, never a live one). DeletePlan removes all of a plan's entries.
//
// The keys and the binary value are in due_codec.go, schedule writes in
// due_schedule.go, what a tick reads and commits in due_tick.go, and the
// plans it loads with their devices (through the cache) in plan_devices.go.

// RuleState is the persisted progress of one reminder rule of a plan: when it
// fires next and what it last sent. The rule itself (text, cron spec, window)
// is derived from the plan again whenever it is needed, so only progress lives here.
type RuleState struct {
	RuleID string `json:"-"`
	Kind   string `json:"kind"`
	// NextFire is the instant of the pending due entry; zero when the rule has nothing left to send.
	NextFire time.Time `json:"next,omitzero"`
	// NextLocal is NextFire as the client's wall clock ("2006-01-02T15:04").
	NextLocal string    `json:"nextLocal,omitempty"`
	LastSent  time.Time `json:"lastSent,omitzero"`
	// LastSentLocal is the local fire time last sent; a rule never sends the
	// same local time twice (the repeated autumn hour, a resend after a crash).
	LastSentLocal string `json:"lastSentLocal,omitempty"`
	// Gen is the plan's schedule generation this state belongs to; the store sets it.
	Gen uint64 `json:"gen,omitempty"`
}

// DueEntry is one reminder waiting in the due-index.
type DueEntry struct {
	At     time.Time
	Token  string
	RuleID string
	// State is the rule's state as stored with the entry. An entry whose
	// State.Gen is not its plan's current generation (PlanDevices.Gen) is
	// stale: it was written for a schedule since replaced and stands for nothing.
	State RuleState
}

// DueStep is the commit for one due entry: the entry leaves the index and,
// if Next has a NextFire, the rule's next entry goes in. Next nil or with a
// zero NextFire schedules nothing more for the rule.
type DueStep struct {
	Entry DueEntry
	Next  *RuleState
	// Persist also writes Next to the plan's stored rule states (a random page
	// write, so only when needed): ReplaceSchedule inherits LastSentLocal from
	// there. A tick persists a send whose local time recurs later (the repeated
	// autumn hour); any other sent local time lies before every later firing.
	// With Next nil, Persist deletes the stored state (rule no longer derived).
	Persist bool
	// Retries are pushes of this firing to single devices that failed while
	// other devices accepted it: they go into the retry index in the same
	// transaction, and only if the entry was still there to commit.
	Retries []Retry
}
