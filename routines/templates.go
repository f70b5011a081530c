package routines

// Routine templates a therapist starts from. Holds here are often shorter than
// a stretch's default: these are for tender tissue in the days after a session.
var routineTemplates = []Routine{
	{
		ID:      "gentle-sciatica-aftercare",
		Name:    "Gentle sciatica aftercare",
		Summary: "Easy hamstring and buttock stretches with short holds, to keep the worked muscles moving without stirring them up.",
		ForWhom: "Clients with sciatica or back-and-leg pain in the first few days after a deep-tissue session, while the muscles are still tender.",
		Steps: []Step{
			{StretchID: "pelvic-tilt", HoldSeconds: 5, Reps: 8},
			{StretchID: "single-knee-to-chest", HoldSeconds: 20, Reps: 2},
			{StretchID: "supine-figure-four", HoldSeconds: 20, Reps: 2},
			{StretchID: "supine-hamstring-strap", HoldSeconds: 20, Reps: 2},
			{StretchID: "lower-trunk-rotation", HoldSeconds: 5, Reps: 5},
		},
	},
	{
		ID:      "piriformis-release",
		Name:    "Piriformis release",
		Summary: "Stretches for the deep buttock muscles, including the piriformis, which can irritate the sciatic nerve when it is tight.",
		ForWhom: "Clients whose pain sits deep in one buttock, often worse after sitting, whether or not it travels down the back of the thigh.",
		Steps: []Step{
			{StretchID: "single-knee-to-chest", HoldSeconds: 20, Reps: 2},
			{StretchID: "knee-to-opposite-shoulder", HoldSeconds: 30, Reps: 2},
			{StretchID: "supine-figure-four", HoldSeconds: 30, Reps: 2},
			{StretchID: "lower-trunk-rotation", HoldSeconds: 10, Reps: 3},
			{StretchID: "childs-pose", HoldSeconds: 30, Reps: 2},
		},
	},
	{
		ID:      "desk-day-hamstrings",
		Name:    "Desk-day hamstrings",
		Summary: "Chair-friendly stretches for the backs of the thighs and the buttocks, to break up long hours of sitting.",
		ForWhom: "Clients who sit for much of the day or find it hard to get down to the floor: everything is done on a chair or standing.",
		Steps: []Step{
			{StretchID: "seated-hamstring-chair", HoldSeconds: 30, Reps: 2},
			{StretchID: "seated-figure-four", HoldSeconds: 30, Reps: 2},
			{StretchID: "standing-hamstring-step", HoldSeconds: 30, Reps: 2},
			{StretchID: "seated-sciatic-nerve-glide", HoldSeconds: 5, Reps: 6},
		},
	},
	{
		ID:      "low-back-unwind",
		Name:    "Low-back unwind",
		Summary: "Gentle movements and stretches that round, twist and lengthen the lower back.",
		ForWhom: "Clients with a stiff, achy lower back, without strong pain down the leg.",
		Steps: []Step{
			{StretchID: "pelvic-tilt", HoldSeconds: 5, Reps: 10},
			{StretchID: "cat-cow", HoldSeconds: 5, Reps: 8},
			{StretchID: "double-knee-to-chest", HoldSeconds: 20, Reps: 2},
			{StretchID: "lower-trunk-rotation", HoldSeconds: 10, Reps: 5},
			{StretchID: "glute-bridge", HoldSeconds: 5, Reps: 8},
			{StretchID: "childs-pose", HoldSeconds: 30, Reps: 2},
		},
	},
}
