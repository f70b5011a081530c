// This file is the clinical content itself (every question, screen and advice text with its id),
// kept together so a clinician can review it in one place; hence its length.

package clinic

import (
	"encoding/json"
	"slices"
)

// Every word the client reads from this package is in this file, with a
// stable id, so the PWA can show it offline (ContentJSON) and translations
// (language.go, locales/clinic.<tag>.json) key on the ids. Plain words, short sentences, no medical terms;
// warning signs say what to do, not what they might mean. The sources are in
// the README, "Clinical content and sources".

// Choice is one option of a question: a stable id and its label.
type Choice struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Hint  string `json:"hint,omitempty"`
}

// Rating is a 0–10 question with its two end labels.
type Rating struct {
	Question string `json:"question"`
	Hint     string `json:"hint,omitempty"`
	Low      string `json:"low"`
	High     string `json:"high"`
}

// Prompt is a question with its choices (none for a yes/no or number answer).
type Prompt struct {
	Question string   `json:"question"`
	Hint     string   `json:"hint,omitempty"`
	Choices  []Choice `json:"choices,omitempty"`
}

// Question is one warning-sign question.
type Question struct {
	ID   Flag `json:"id"`
	Tier Tier `json:"tier"`
	// Text is the question as asked (yes/no).
	Text string `json:"text"`
	Hint string `json:"hint,omitempty"`
	// Words is how its tier screen lists it after "You told us:".
	Words string `json:"words"`
	// Do is an extra step the tier screen shows when this one was answered yes.
	Do string `json:"do,omitempty"`
	// Optional questions may be skipped.
	Optional bool `json:"optional,omitempty"`
}

// Screen is the screen a tier leads to.
type Screen struct {
	Tier  Tier   `json:"tier"`
	Title string `json:"title"`
	// Lead introduces the list of the client's yes answers (Question.Words).
	Lead string `json:"lead"`
	// Steps say what to do, in order; then the Do of each yes answer.
	Steps []string `json:"steps"`
	// Call is the call button's label; {number} is the emergency number for the client's zone.
	Call string `json:"call,omitempty"`
	// Told is shown once the therapist has been told.
	Told string `json:"told"`
	// SafetyNet heads the list of emergency signs to act on if they appear (Question.Words).
	SafetyNet string `json:"safetyNet,omitempty"`
}

// AdviceText is one advice message with how the app shows it.
type AdviceText struct {
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// TellTherapist: the therapist should hear of this check-in (the integration alerts them).
	TellTherapist bool   `json:"tellTherapist"`
	Text          string `json:"text"`
}

// Kind is how an advice message reads: a reason to contact the therapist, a
// caution, good news, or reassurance. The app orders and styles by it.
type Kind string

// The kinds, most pressing first.
const (
	KindContact  Kind = "contact"
	KindCaution  Kind = "caution"
	KindGood     Kind = "good"
	KindReassure Kind = "reassure"
)

// CheckInTexts are the check-in's questions (the warning signs are in Questions).
type CheckInTexts struct {
	Soreness  Rating   `json:"soreness"`
	BackPain  Rating   `json:"backPain"`
	LegPain   Rating   `json:"legPain"`
	Where     string   `json:"where"`
	Areas     []Choice `json:"areas"`
	Sides     []Choice `json:"sides"`
	Feeling   string   `json:"feeling"`
	Feelings  []Choice `json:"feelings"`
	LegChange Prompt   `json:"legChange"`
	Sit       Prompt   `json:"sit"`
	Night     Prompt   `json:"night"`
	Note      string   `json:"note"`
	// EmergencyIntro and SeeDoctorIntro head the two groups of warning-sign questions.
	EmergencyIntro string `json:"emergencyIntro"`
	SeeDoctorIntro string `json:"seeDoctorIntro"`
	Skip           string `json:"skip"`
}

// PSFSTexts are the Patient-Specific Functional Scale's instructions. The
// attribution line is shown wherever the scale is.
type PSFSTexts struct {
	Title string `json:"title"`
	// First is asked on the first open; Again when the activities are rated again.
	First       []string `json:"first"`
	Examples    []string `json:"examples"`
	Again       []string `json:"again"`
	Name        string   `json:"name"`
	Scale       Rating   `json:"scale"`
	Attribution string   `json:"attribution"`
	// Verdicts word a PSFSComparison for the client, keyed by Verdict.
	Verdicts []Choice `json:"verdicts"`
}

// PrepTexts are the "Prepare for your session" form and the studio's day-of advice.
type PrepTexts struct {
	Title      string   `json:"title"`
	Intro      string   `json:"intro"`
	Where      string   `json:"where"`
	Feeling    string   `json:"feeling"`
	Worse      Prompt   `json:"worse"`
	WorseNote  string   `json:"worseNote"`
	Goals      Prompt   `json:"goals"`
	GoalsNote  string   `json:"goalsNote"`
	Pressure   Prompt   `json:"pressure"`
	Health     Prompt   `json:"health"`
	HealthNote string   `json:"healthNote"`
	DayOf      []string `json:"dayOf"`
	DayOfTitle string   `json:"dayOfTitle"`
}

// Content is everything the client reads from this package.
type Content struct {
	Questions   []Question   `json:"questions"`
	Screens     []Screen     `json:"screens"`
	Advice      []AdviceText `json:"advice"`
	CheckIn     CheckInTexts `json:"checkIn"`
	PSFS        PSFSTexts    `json:"psfs"`
	Preparation PrepTexts    `json:"preparation"`
}

// Advice message ids. Stable: translations and the PWA key on them.
const (
	AdviceSoreness72h   = "soreness-72h"
	AdviceSoreness48h   = "soreness-48h"
	AdviceLegMovingDown = "leg-moving-down"
	AdviceLegPainRising = "leg-pain-rising"
	AdviceNightWaking   = "night-waking"
	AdviceSittingWorse  = "sitting-worse"
	AdviceLegMovingUp   = "leg-moving-up"
	AdviceSittingBetter = "sitting-better"
	AdviceSorenessNorm  = "soreness-normal"
)

// PSFSAttribution is the authors' attribution line, kept wherever the scale is shown.
const PSFSAttribution = "Patient-Specific Functional Scale: " + psfsCitation

// psfsCitation is the authors' citation, the same in every language (a
// translation may name the scale in its own words before it).
const psfsCitation = "Stratford P, Gill C, Westaway M, Binkley J. " +
	"Assessing disability and change on individual patients: a report of a patient specific measure. " +
	"Physiotherapy Canada 1995;47:258-263."

var content = Content{
	Questions: []Question{
		{ID: FlagSaddleNumbness, Tier: EmergencyNow,
			Text:  "Is there new numbness or tingling between your legs, around your bottom, in your groin or on your inner thighs?",
			Hint:  "For example, it feels different when you wipe after using the toilet.",
			Words: "new numbness or tingling between your legs, around your bottom, in your groin or inner thighs"},
		{ID: FlagBladderBowel, Tier: EmergencyNow,
			Text:  "Have you had any new problems with peeing or pooing?",
			Hint:  "For example, it is hard to start peeing, you leak or cannot hold it, or you cannot feel when your bladder is full.",
			Words: "new problems with peeing or pooing, or not feeling when your bladder is full"},
		{ID: FlagLegWeakness, Tier: EmergencyNow,
			Text:  "Is there weakness or numbness in a leg that is severe or getting worse?",
			Words: "weakness or numbness in a leg that is severe or getting worse"},
		{ID: FlagBothLegs, Tier: EmergencyNow,
			Text:  "Do you have new weakness or numbness in both legs?",
			Words: "new weakness or numbness in both legs"},
		{ID: FlagFootDrop, Tier: EmergencyNow,
			Text:  "Has a foot started to slap on the floor or catch when you walk?",
			Hint:  "Or is it newly hard to lift your foot or toes up?",
			Words: "a foot that has started to slap or catch, or is hard to lift"},
		{ID: FlagSexualFunction, Tier: EmergencyNow, Optional: true,
			Text:  "Have you noticed a new change in feeling or function during sex?",
			Hint:  "For example, less feeling in your genitals, or new trouble with erections or orgasm. You can skip this question.",
			Words: "a new change in feeling or function during sex"},
		{ID: FlagWorseOverWeek, Tier: SeeDoctorSoon,
			Text:  "Has your pain been getting steadily worse over the last week?",
			Words: "pain that has been getting steadily worse over a week"},
		{ID: FlagNightPain, Tier: SeeDoctorSoon,
			Text:  "Do you have pain at night that does not ease when you rest or change position?",
			Words: "pain at night that rest does not ease"},
		{ID: FlagFever, Tier: SeeDoctorSoon,
			Text:  "Have you had a fever, or felt hot and shivery, along with your back pain?",
			Words: "a fever with your back pain",
			Do:    "If you feel very unwell, get medical help today."},
		{ID: FlagWeightLoss, Tier: SeeDoctorSoon,
			Text:  "Have you lost weight recently without trying?",
			Words: "weight loss you cannot explain"},
		{ID: FlagCancerHistory, Tier: SeeDoctorSoon,
			Text:  "Have you ever had cancer, and is this back pain new?",
			Words: "cancer in the past, and new back pain",
			Do:    "If you have a cancer care team, call them today and tell them about your back pain."},
	},
	Screens: []Screen{
		{Tier: EmergencyNow, Title: "Get medical care now", Lead: "You told us about:",
			Steps: []string{
				"Call the emergency number now, or go straight to the nearest emergency department (A&E or ER).",
				"Go now, even at night. Do not wait to see if it passes.",
				"Tell them you have back pain, and show them this screen.",
				"Do not do any more stretches until a doctor has checked you.",
			},
			Call: "Call {number} now",
			Told: "We have told your therapist. Do not wait for them to reply."},
		{Tier: SeeDoctorSoon, Title: "See a doctor in the next few days", Lead: "You told us about:",
			Steps: []string{
				"Book an appointment with your GP or doctor this week.",
				"Tell them you have back pain, and what you told us here.",
				"Until then, do only the stretches that feel comfortable. Stop any that make the pain worse.",
			},
			Told:      "We have told your therapist too.",
			SafetyNet: "Get medical care now if you get any of these:"},
	},
	Advice: []AdviceText{
		{ID: AdviceSoreness72h, Kind: KindContact, TellTherapist: true,
			Text: "You are still very sore three days after your massage. Please call your therapist today. " +
				"If the sore area is swollen, hot or red, see a doctor today."},
		{ID: AdviceSoreness48h, Kind: KindContact, TellTherapist: true,
			Text: "You are still quite sore two days after your massage. Soreness usually fades within 48 hours. " +
				"Please get in touch with your therapist."},
		{ID: AdviceLegMovingDown, Kind: KindContact, TellTherapist: true,
			Text: "Your leg symptoms have moved further down your leg. Tell your therapist before you stretch again. " +
				"Rest any stretch that sends the pain further down. Keep to the ones that do not."},
		{ID: AdviceLegPainRising, Kind: KindContact, TellTherapist: true,
			Text: "Your leg pain has gone up over your last few check-ins. Tell your therapist. " +
				"Until you have spoken, ease off any stretch that makes your leg pain worse."},
		{ID: AdviceNightWaking, Kind: KindCaution,
			Text: "Pain woke you in the night. Try a pillow between your knees when you lie on your side, " +
				"or under your knees when you lie on your back. Tell your therapist if it keeps happening."},
		{ID: AdviceSittingWorse, Kind: KindCaution,
			Text: "You can sit for less time than last time. Get up and move about every half hour. " +
				"Tell your therapist if it keeps getting shorter."},
		{ID: AdviceLegMovingUp, Kind: KindGood,
			Text: "Your leg symptoms have moved up, closer to your back. That is a good sign. " +
				"Your back may feel a bit more sore for a while, and that is fine. Keep doing the stretches that helped."},
		{ID: AdviceSittingBetter, Kind: KindGood,
			Text: "You can sit comfortably for longer than last time. Well done. Keep getting up to move every so often."},
		{ID: AdviceSorenessNorm, Kind: KindReassure,
			Text: "Some soreness after a deep-tissue massage is normal. It usually fades within 48 hours. " +
				"Drink water and keep moving gently."},
	},
	CheckIn: CheckInTexts{
		Soreness: Rating{Question: "How sore are your muscles after the massage?", Low: "not sore", High: "as sore as can be"},
		BackPain: Rating{Question: "How bad is the pain in your back right now?", Hint: "Your lower back and buttocks.",
			Low: "no pain", High: "worst pain you can imagine"},
		LegPain: Rating{Question: "How bad is the pain in your leg right now?", Hint: "Pain that goes down into your leg, or tingling or burning there.",
			Low: "no pain", High: "worst pain you can imagine"},
		Where: "Where do you feel it?",
		Areas: []Choice{
			{ID: string(AreaBack), Label: "Lower back"},
			{ID: string(AreaButtock), Label: "Buttock"},
			{ID: string(AreaThigh), Label: "Thigh"},
			{ID: string(AreaBelowKnee), Label: "Below the knee"},
			{ID: string(AreaFoot), Label: "Foot"},
		},
		Sides:   []Choice{{ID: string(SideLeft), Label: "Left"}, {ID: string(SideRight), Label: "Right"}, {ID: string(SideBoth), Label: "Both"}},
		Feeling: "What does it feel like?",
		Feelings: []Choice{
			{ID: "dull", Label: "Dull ache"}, {ID: "sharp", Label: "Sharp"}, {ID: "shooting", Label: "Shooting"},
			{ID: "burning", Label: "Burning"}, {ID: "tingling", Label: "Tingling"}, {ID: "numb", Label: "Numb"},
		},
		LegChange: Prompt{Question: "Since your last check-in, where are the symptoms in your leg?",
			Choices: []Choice{
				{ID: string(LegDown), Label: "Further down my leg", Hint: "further from my back"},
				{ID: string(LegUp), Label: "Higher up, closer to my back"},
				{ID: string(LegSame), Label: "About the same place"},
				{ID: string(LegUnknown), Label: "Not sure, or no leg symptoms"},
			}},
		Sit:            Prompt{Question: "How long can you sit comfortably?", Hint: "In minutes. Leave it out if you are not sure."},
		Night:          Prompt{Question: "Did pain wake you last night?"},
		Note:           "Anything else you want your therapist to know?",
		EmergencyIntro: "Warning signs. Please answer each one.",
		SeeDoctorIntro: "A few more questions about your health.",
		Skip:           "Skip this question",
	},
	PSFS: PSFSTexts{
		Title: "Everyday activities",
		First: []string{
			"Name up to three everyday activities that your pain makes hard to do, or stops you doing.",
			"Then rate how well you can do each one today.",
		},
		Examples: []string{"sitting through a film", "putting on socks", "getting in and out of the car", "walking to the shops"},
		Again: []string{
			"Here are the activities you named.",
			"How well can you do each one today?",
		},
		Name:        "Activity",
		Scale:       Rating{Question: "How well can you do it today?", Low: "I cannot do it at all", High: "I can do it as well as before the problem"},
		Attribution: PSFSAttribution,
		Verdicts: []Choice{
			{ID: string(VerdictBetter), Label: "Better by 2 points or more. That is a real improvement."},
			{ID: string(VerdictWorse), Label: "Worse by 2 points or more. Please tell your therapist."},
			{ID: string(VerdictNoChange), Label: "About the same as before."},
		},
	},
	Preparation: PrepTexts{
		Title:   "Prepare for your session",
		Intro:   "A few quick questions help your therapist plan your session.",
		Where:   "Where does it hurt now?",
		Feeling: "What does it feel like?",
		Worse: Prompt{Question: "Which movements make it worse?", Choices: []Choice{
			{ID: "sitting", Label: "Sitting"}, {ID: "standing", Label: "Standing"}, {ID: "walking", Label: "Walking"},
			{ID: "bending-forward", Label: "Bending forward"}, {ID: "bending-back", Label: "Leaning back"},
			{ID: "lifting", Label: "Lifting"}, {ID: "getting-up", Label: "Getting up from a chair"},
			{ID: "turning-in-bed", Label: "Lying down or turning in bed"}, {ID: "coughing", Label: "Coughing or sneezing"},
			{ID: "driving", Label: "Driving"}, {ID: "stairs", Label: "Stairs"}, {ID: "socks-shoes", Label: "Putting on socks or shoes"},
		}},
		WorseNote: "Anything else that makes it worse?",
		Goals: Prompt{Question: "What would you like from this session?", Choices: []Choice{
			{ID: "less-leg-pain", Label: "Less leg pain"}, {ID: "less-back-pain", Label: "Less back pain"},
			{ID: "sit-longer", Label: "Sit for longer"}, {ID: "sleep-better", Label: "Sleep better"},
			{ID: "move-freely", Label: "Move more freely"}, {ID: "relax", Label: "Relax"},
		}},
		GoalsNote: "Anything else you would like?",
		Pressure: Prompt{Question: "How did the pressure feel last time?", Choices: []Choice{
			{ID: string(PressureTooMuch), Label: "Too much"}, {ID: string(PressureRight), Label: "About right"},
			{ID: string(PressureNotEnough), Label: "Not enough"},
		}},
		Health: Prompt{Question: "Anything new in your health since your last visit?", Hint: "Tick all that are new.", Choices: []Choice{
			{ID: HealthNothingNew, Label: "Nothing new"},
			{ID: "new-injury", Label: "A new injury or a fall"},
			{ID: "surgery", Label: "An operation or a medical procedure"},
			{ID: "pregnancy", Label: "Pregnancy"},
			{ID: "high-blood-pressure", Label: "High blood pressure"},
			{ID: "diabetes", Label: "Diabetes"},
			{ID: "arthritis", Label: "Arthritis"},
			{ID: "osteoporosis", Label: "Osteoporosis (thin or weak bones)"},
			{ID: "blood-thinners", Label: "Taking blood thinners (for example warfarin or apixaban)"},
			{ID: "new-medication", Label: "A new medicine"},
			{ID: "skin-condition", Label: "A rash, cut, bruise or other skin problem"},
			{ID: "fever-unwell", Label: "A fever, cold or flu, or feeling unwell"},
			{ID: "blood-clot", Label: "A blood clot, now or in the past"},
			{ID: "cancer", Label: "Cancer, or cancer treatment"},
			{ID: "heart", Label: "A heart problem"},
		}},
		HealthNote: "Anything else about your health?",
		DayOfTitle: "On the day",
		DayOf: []string{
			"Drink extra water today and after your session.",
			"Have a light meal an hour or two before, not a big one just before.",
			"Wear clothes you can move in comfortably.",
			"If you have a fever or feel unwell, call the studio to move your session.",
		},
	},
}

// HealthNothingNew is the preparation form's "Nothing new" tick; it stands alone.
const HealthNothingNew = "nothing-new"

var contentJSON = mustJSON(content)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("clinic: content does not encode: " + err.Error())
	}
	return b
}

// Texts returns every client-facing text of the package. The slices are
// copies: callers may not change the table the rules use.
func Texts() Content {
	var c Content
	if err := json.Unmarshal(contentJSON, &c); err != nil {
		panic("clinic: content does not decode: " + err.Error())
	}
	return c
}

// ContentJSON is Texts as JSON, built once: what the app caches to show the
// check-in, the tier screens and the advice offline. Do not modify it.
func ContentJSON() []byte { return contentJSON }

// QuestionFor returns the warning-sign question with id f.
func QuestionFor(f Flag) (Question, bool) {
	i := slices.IndexFunc(content.Questions, func(q Question) bool { return q.ID == f })
	if i < 0 {
		return Question{}, false
	}
	return content.Questions[i], true
}

// ScreenFor returns the screen tier t leads to; None has none.
func ScreenFor(t Tier) (Screen, bool) {
	i := slices.IndexFunc(content.Screens, func(s Screen) bool { return s.Tier == t })
	if i < 0 {
		return Screen{}, false
	}
	s := content.Screens[i]
	s.Steps = slices.Clone(s.Steps)
	return s, true
}

// adviceText returns the advice message with id.
func adviceText(id string) (AdviceText, bool) {
	i := slices.IndexFunc(content.Advice, func(a AdviceText) bool { return a.ID == id })
	if i < 0 {
		return AdviceText{}, false
	}
	return content.Advice[i], true
}
