package clinic

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/server/model"
)

// clientTexts walks every string of v a client reads, by path.
func clientTexts(v reflect.Value, path string, out map[string]string) {
	switch v.Kind() {
	case reflect.String:
		out[path] = v.String()
	case reflect.Struct:
		for i := range v.NumField() {
			clientTexts(v.Field(i), path+"."+v.Type().Field(i).Name, out)
		}
	case reflect.Slice:
		for i := range v.Len() {
			clientTexts(v.Index(i), path+"["+string(rune('0'+i%10))+"]", out)
		}
	}
}

func allTexts() map[string]string {
	out := map[string]string{}
	clientTexts(reflect.ValueOf(content), "content", out)
	return out
}

// Plain words: no medical terms and nothing that says what a sign might be.
func TestContentIsPlainWords(t *testing.T) {
	jargon := []string{"cauda", "equina", "syndrome", "sciatica", "radicul", "periph", "centrali", "neurolog", "patholog",
		"incontinen", "retention", "perine", "anaesthe", "anesthe", "paraesthe", "paresthe", "saddle", "metasta", "tumo",
		"spinal cord", "nerve root", "compress", "dvt", "thrombo", "urinat", "contraindic", "mri", "deficit", "bilateral", "nprs", "psfs"}
	guessing := []string{"can mean", "may mean", "could mean", "might be", "could be", "may be a", "a sign of", "signs of", "caused by", "because of", "serious"}
	sentence := regexp.MustCompile(`[^.?!]+[.?!]?`)
	for path, s := range allTexts() {
		if strings.HasSuffix(path, ".Attribution") {
			continue // the authors' citation, kept as they wrote it
		}
		low := strings.ToLower(s)
		for _, w := range append(jargon, guessing...) {
			if strings.Contains(low, w) {
				t.Errorf("%s says %q: %q", path, w, s)
			}
		}
		for _, sent := range sentence.FindAllString(s, -1) {
			if n := len(strings.Fields(sent)); n > 25 {
				t.Errorf("%s has a sentence of %d words: %q", path, n, sent)
			}
		}
	}
}

func TestEveryQuestionMatchesAnAnswer(t *testing.T) {
	check := func(t *testing.T, typ reflect.Type, flags []Flag, answers func(i int) []answer, set func(i int) CheckIn) {
		if typ.NumField() != len(flags) {
			t.Fatalf("%s has %d fields for %d flags", typ, typ.NumField(), len(flags))
		}
		for i, f := range flags {
			if tag := typ.Field(i).Tag.Get("json"); tag != string(f) {
				t.Errorf("%s field %d has JSON key %q, want %q", typ, i, tag, f)
			}
			if got := answers(i)[i].id; got != f {
				t.Errorf("answer %d is %q, want %q", i, got, f)
			}
			// Only this question answered yes raises exactly this flag.
			if got := set(i).Flags(); !slices.Equal(got, []Flag{f}) {
				t.Errorf("answering %s field %d yes raises %v, want [%s]", typ, i, got, f)
			}
			q, ok := QuestionFor(f)
			if !ok || q.Tier != f.Tier() || q.Text == "" || q.Words == "" || !strings.HasSuffix(q.Text, "?") {
				t.Errorf("question %q: %+v (found %v)", f, q, ok)
			}
			if q.Optional != (f == FlagSexualFunction) {
				t.Errorf("question %q optional = %v", f, q.Optional)
			}
		}
	}
	check(t, reflect.TypeFor[EmergencyAnswers](), EmergencyFlags,
		func(int) []answer { return EmergencyAnswers{}.answers() },
		func(i int) CheckIn {
			var c CheckIn
			reflect.ValueOf(&c.Emergency).Elem().Field(i).Set(reflect.ValueOf(ptr(true)))
			return c
		})
	check(t, reflect.TypeFor[SeeDoctorAnswers](), SeeDoctorFlags,
		func(int) []answer { return SeeDoctorAnswers{}.answers() },
		func(i int) CheckIn {
			var c CheckIn
			reflect.ValueOf(&c.SeeDoctor).Elem().Field(i).Set(reflect.ValueOf(ptr(true)))
			return c
		})
	if n := len(EmergencyFlags) + len(SeeDoctorFlags); len(content.Questions) != n {
		t.Fatalf("%d questions for %d flags", len(content.Questions), n)
	}
	// The first three keep the version-1 check-in's red-flag ids.
	for _, id := range model.RedFlags {
		if Flag(id).Tier() != EmergencyNow {
			t.Errorf("version-1 red flag %q is not an emergency flag", id)
		}
	}
}

func TestEveryRuleHasItsText(t *testing.T) {
	var ruleIDs []string
	for _, r := range rules {
		a, ok := adviceText(r.id)
		if !ok || a.Text == "" || a.Kind == "" {
			t.Errorf("rule %q has no advice text", r.id)
		}
		ruleIDs = append(ruleIDs, r.id)
	}
	for _, a := range content.Advice {
		if !slices.Contains(ruleIDs, a.ID) {
			t.Errorf("advice %q has no rule", a.ID)
		}
		if a.TellTherapist != (a.Kind == KindContact) {
			t.Errorf("advice %q: only contact advice tells the therapist (kind %q, tell %v)", a.ID, a.Kind, a.TellTherapist)
		}
	}
	if len(ruleIDs) != len(content.Advice) {
		t.Errorf("%d rules, %d advice texts", len(ruleIDs), len(content.Advice))
	}
}

func choiceSet(cs []Choice) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	slices.Sort(ids)
	return ids
}

func sorted[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	slices.Sort(out)
	return out
}

func TestChoicesMatchTheTypes(t *testing.T) {
	ci := content.CheckIn
	cases := []struct {
		name string
		got  []Choice
		want []string
	}{
		{"areas", ci.Areas, sorted(AreaBack, AreaButtock, AreaThigh, AreaBelowKnee, AreaFoot)},
		{"sides", ci.Sides, sorted(SideLeft, SideRight, SideBoth)},
		{"leg change", ci.LegChange.Choices, sorted(LegDown, LegUp, LegSame, LegUnknown)},
		{"feelings", ci.Feelings, sorted(model.Feelings...)},
		{"pressure", content.Preparation.Pressure.Choices, sorted(PressureTooMuch, PressureRight, PressureNotEnough)},
		{"verdicts", content.PSFS.Verdicts, sorted(VerdictBetter, VerdictWorse, VerdictNoChange)},
	}
	for _, tc := range cases {
		if got := choiceSet(tc.got); !slices.Equal(got, tc.want) {
			t.Errorf("%s: choices %v, want %v", tc.name, got, tc.want)
		}
	}
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	lists := map[string][]Choice{"areas": ci.Areas, "sides": ci.Sides, "feelings": ci.Feelings, "legChange": ci.LegChange.Choices,
		"worse": content.Preparation.Worse.Choices, "goals": content.Preparation.Goals.Choices,
		"pressure": content.Preparation.Pressure.Choices, "health": content.Preparation.Health.Choices, "verdicts": content.PSFS.Verdicts}
	for name, cs := range lists {
		seen := map[string]bool{}
		for _, c := range cs {
			if !kebab.MatchString(c.ID) || seen[c.ID] || c.Label == "" {
				t.Errorf("%s: choice %+v is not a unique kebab-case id with a label", name, c)
			}
			seen[c.ID] = true
		}
	}
	health := choiceSet(content.Preparation.Health.Choices)
	for _, id := range []string{HealthNothingNew, "new-injury", "surgery", "pregnancy", "high-blood-pressure", "diabetes", "arthritis",
		"osteoporosis", "blood-thinners", "new-medication", "skin-condition"} {
		if !slices.Contains(health, id) {
			t.Errorf("the health list has no %q", id)
		}
	}
}

func TestTierScreensSayWhatToDo(t *testing.T) {
	em, ok := ScreenFor(EmergencyNow)
	if !ok || em.Title != "Get medical care now" || !strings.Contains(em.Call, "{number}") || em.Told == "" {
		t.Fatalf("emergency screen %+v", em)
	}
	all := strings.ToLower(strings.Join(em.Steps, " "))
	for _, w := range []string{"call the emergency number now", "a&e or er", "do not wait", "do not do any more stretches"} {
		if !strings.Contains(all, w) {
			t.Errorf("emergency screen does not say %q: %q", w, all)
		}
	}
	sd, ok := ScreenFor(SeeDoctorSoon)
	if !ok || sd.Title != "See a doctor in the next few days" || sd.SafetyNet == "" || sd.Call != "" || !strings.Contains(strings.ToLower(sd.Told), "therapist") {
		t.Fatalf("see-doctor screen %+v", sd)
	}
	all = strings.ToLower(strings.Join(sd.Steps, " "))
	for _, w := range []string{"gp or doctor this week"} {
		if !strings.Contains(all, w) {
			t.Errorf("see-doctor screen does not say %q: %q", w, all)
		}
	}
	if _, ok := ScreenFor(None); ok {
		t.Error("no tier has no screen")
	}
	// A copy: the caller cannot change the table.
	em.Steps[0] = "changed"
	if again, _ := ScreenFor(EmergencyNow); again.Steps[0] == "changed" {
		t.Error("ScreenFor hands out the table's own steps")
	}
}

func TestPSFSKeepsTheAttribution(t *testing.T) {
	want := "Stratford P, Gill C, Westaway M, Binkley J. Assessing disability and change on individual patients: " +
		"a report of a patient specific measure. Physiotherapy Canada 1995;47:258-263"
	if !strings.Contains(content.PSFS.Attribution, want) {
		t.Fatalf("attribution = %q", content.PSFS.Attribution)
	}
	if !strings.Contains(string(ContentJSON()), want) {
		t.Fatal("the app's copy of the content has no attribution")
	}
	if len(content.PSFS.First) == 0 || len(content.PSFS.Again) == 0 || content.PSFS.Scale.Low == "" || content.PSFS.Scale.High == "" {
		t.Fatalf("PSFS instructions %+v", content.PSFS)
	}
	for path, s := range allTexts() {
		if strings.Contains(strings.ToLower(s), "oswestry") {
			t.Errorf("%s names the licensed Oswestry questionnaire", path)
		}
	}
}

func TestContentJSONIsTheTable(t *testing.T) {
	var c Content
	if err := json.Unmarshal(ContentJSON(), &c); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, content) {
		t.Fatal("ContentJSON does not round-trip to the table")
	}
	// Texts is a copy.
	tx := Texts()
	tx.Advice[0].Text = "changed"
	tx.Questions[0].Text = "changed"
	if a, _ := adviceText(tx.Advice[0].ID); a.Text == "changed" {
		t.Fatal("Texts hands out the table's own advice")
	}
	if q, _ := QuestionFor(tx.Questions[0].ID); q.Text == "changed" {
		t.Fatal("Texts hands out the table's own questions")
	}
	var raw map[string]any
	if err := json.Unmarshal(ContentJSON(), &raw); err != nil {
		t.Fatal(err)
	}
	if qs := raw["questions"].([]any); qs[0].(map[string]any)["tier"] != "emergency-now" {
		t.Fatalf("tiers are not ids in the app's copy: %v", qs[0])
	}
}
