package clinic

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/aftercare/aftercare/routines"
)

var update = flag.Bool("update", false, "rewrite locales/clinic.en.json from the English Go data")

// translations are the product's languages other than English.
func translations(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, tag := range routines.Supported() {
		if tag != routines.English {
			out = append(out, tag.String())
		}
	}
	if want := []string{"de", "es", "fr", "pt-BR"}; !slices.Equal(out, want) {
		t.Fatalf("translations %v, want %v", out, want)
	}
	return out
}

// texts walks every string of v a client reads, by JSON path, leaving out
// ids and kinds (they are the same in every language).
func texts(v reflect.Value, name, path string, out map[string]string) {
	switch v.Kind() {
	case reflect.String:
		if name != "ID" && name != "Kind" {
			out[path] = v.String()
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			texts(v.Field(i), f.Name, join(path, key), out)
		}
	case reflect.Slice:
		for i := range v.Len() {
			texts(v.Index(i), name, path+"["+strconv.Itoa(i)+"]", out)
		}
	}
}

func textsOf(c Content) map[string]string {
	out := map[string]string{}
	texts(reflect.ValueOf(c), "", "", out)
	return out
}

func TestCatalogsAreValid(t *testing.T) {
	langs, err := loadLanguages(catalogFiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range translations(t) {
		if langs[lang] == langs["en"] || reflect.DeepEqual(langs[lang].content, content) {
			t.Errorf("%s is served in English", lang)
		}
		if !reflect.DeepEqual(languages[lang].content, langs[lang].content) {
			t.Errorf("%s: the package serves something else than its catalog", lang)
		}
	}
}

// The validator refuses each way a translation can break the English
// structure; such a language is served in English.
func TestCatalogProblemsAreFound(t *testing.T) {
	de := languages["de"].content
	if ps := catalogProblems(de, content); len(ps) > 0 {
		t.Fatalf("the German catalog has problems: %v", ps)
	}
	cases := []struct {
		name string
		edit func(c *Content)
		want string
	}{
		{"question id", func(c *Content) { c.Questions[0].ID = "saddle" }, "questions[0].id"},
		{"questions swapped", func(c *Content) { c.Questions[0], c.Questions[1] = c.Questions[1], c.Questions[0] }, "questions[0].id"},
		{"tier", func(c *Content) { c.Questions[6].Tier = EmergencyNow }, "questions[6].tier"},
		{"optional", func(c *Content) { c.Questions[5].Optional = false }, "questions[5].optional"},
		{"question left out", func(c *Content) { c.Questions = c.Questions[1:] }, "questions: 10 entries, English has 11"},
		{"a step left out", func(c *Content) { c.Screens[0].Steps = c.Screens[0].Steps[:3] }, "screens[0].steps: 3 entries, English has 4"},
		{"a step added", func(c *Content) { c.Screens[1].Steps = append(c.Screens[1].Steps, "Noch etwas.") }, "screens[1].steps: 4 entries"},
		{"screen tier", func(c *Content) { c.Screens[1].Tier = EmergencyNow }, "screens[1].tier"},
		{"placeholder dropped", func(c *Content) { c.Screens[0].Call = "Jetzt den Notruf anrufen" }, "screens[0].call: placeholders [], English has [{number}]"},
		{"placeholder renamed", func(c *Content) { c.Screens[0].Call = "Jetzt {nummer} anrufen" }, "screens[0].call: placeholders [{nummer}]"},
		{"placeholder added", func(c *Content) { c.Screens[0].Told = "{therapist} weiß Bescheid." }, "screens[0].told: placeholders"},
		{"empty text", func(c *Content) { c.Questions[2].Words = " " }, "questions[2].words: empty"},
		{"empty hint", func(c *Content) { c.Questions[0].Hint = "" }, "questions[0].hint: empty"},
		{"extra step for a sign", func(c *Content) { c.Questions[0].Do = "Rufen Sie an." }, "questions[0].do: English has no text here"},
		{"the call button on the calm screen", func(c *Content) { c.Screens[1].Call = "Anrufen" }, "screens[1].call: English has no text here"},
		{"advice kind", func(c *Content) { c.Advice[4].Kind = KindGood }, "advice[4].kind"},
		{"advice tells the therapist", func(c *Content) { c.Advice[4].TellTherapist = true }, "advice[4].tellTherapist"},
		{"advice order", func(c *Content) { c.Advice[0], c.Advice[1] = c.Advice[1], c.Advice[0] }, "advice[0].id"},
		{"choice order", func(c *Content) {
			c.CheckIn.Sides[0], c.CheckIn.Sides[1] = c.CheckIn.Sides[1], c.CheckIn.Sides[0]
		}, "checkIn.sides[0].id"},
		{"choice left out", func(c *Content) {
			c.Preparation.Health.Choices = c.Preparation.Health.Choices[:14]
		}, "preparation.health.choices: 14 entries, English has 15"},
		{"choice hint", func(c *Content) { c.CheckIn.LegChange.Choices[0].Hint = "" }, "checkIn.legChange.choices[0].hint: empty"},
		{"verdict id", func(c *Content) { c.PSFS.Verdicts[2].ID = "same" }, "psfs.verdicts[2].id"},
		{"day-of advice left out", func(c *Content) { c.Preparation.DayOf = c.Preparation.DayOf[:3] }, "preparation.dayOf: 3 entries"},
		{"citation translated", func(c *Content) {
			c.PSFS.Attribution = "Stratford P et al. Beeinträchtigung und Veränderung bei einzelnen Patienten. Physiotherapy Canada 1995;47:258-263."
		}, "psfs.attribution: must keep the authors' citation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := TextsIn("de")
			tc.edit(&c)
			ps := catalogProblems(c, content)
			if !slices.ContainsFunc(ps, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Fatalf("problems %q, want one saying %q", ps, tc.want)
			}
			// Such a catalog is not served.
			b, _ := json.Marshal(c)
			langs, err := loadLanguages(withCatalog("de", b))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("loading it: %v", err)
			}
			if !reflect.DeepEqual(langs["de"].content, content) {
				t.Fatal("a broken German catalog is served; want English")
			}
		})
	}
}

// withCatalog is the embedded catalogs with lang's replaced by b.
func withCatalog(lang string, b []byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	files, _ := catalogFiles.ReadDir("locales")
	for _, f := range files {
		data, _ := catalogFiles.ReadFile("locales/" + f.Name())
		fsys["locales/"+f.Name()] = &fstest.MapFile{Data: data}
	}
	if b == nil {
		delete(fsys, catalogFileName(lang))
	} else {
		fsys[catalogFileName(lang)] = &fstest.MapFile{Data: b}
	}
	return fsys
}

func TestCatalogFilesAreChecked(t *testing.T) {
	de, _ := catalogFiles.ReadFile(catalogFileName("de"))
	cases := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"missing", withCatalog("fr", nil), "clinic.fr.json"},
		{"misspelt key", withCatalog("es", bytes.Replace(de, []byte(`"safetyNet"`), []byte(`"safetyNett"`), 1)), `unknown field "safetyNett"`},
		{"not JSON", withCatalog("pt-BR", []byte(`{"questions": [`)), "clinic.pt-BR.json"},
		{"two documents", withCatalog("de", append(slices.Clone(de), []byte(`{}`)...)), "data after the catalog"},
		{"not a product language", func() fstest.MapFS {
			f := withCatalog("de", de)
			f["locales/clinic.it.json"] = &fstest.MapFile{Data: de}
			return f
		}(), `"it" is not one of the product's languages`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			langs, err := loadLanguages(tc.fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			for _, tag := range routines.Supported() {
				if langs[tag.String()] == nil {
					t.Errorf("%s has no content at all", tag)
				}
			}
		})
	}
}

// locales/clinic.en.json is the English Go data, for translators.
func TestEnglishCatalogFile(t *testing.T) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(content); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(englishCatalogFile, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return // the embedded copy is the old one until the next build
	}
	got, err := catalogFiles.ReadFile(englishCatalogFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatalf("%s is out of step with content.go; run: go test ./server/clinic -run TestEnglishCatalogFile -update", englishCatalogFile)
	}
	c, err := readCatalog(catalogFiles, englishCatalogFile)
	if err != nil || !reflect.DeepEqual(c, content) {
		t.Fatalf("%s does not read back as the content (%v)", englishCatalogFile, err)
	}
}

// englishWords are common English words that are not words of German,
// Spanish, French or Portuguese: one of them in a translation is English
// left in it.
var englishWords = strings.Fields(`the your you and with when please if not is it can that this are be get have what how
	we they then now of to my will been does which would anything something until before about than over
	sore weakness numbness bladder feel feels while every any more less tell call stretch stretches therapist doctor
	leg legs back foot knee bottom toilet week today night sit sitting walk lifting`)

var letters = regexp.MustCompile(`\p{L}+`)

// No text is left in English: none is the English text, and none has an
// English word in it. The PSFS attribution is the authors' citation and
// stays in English.
func TestTranslationsAreNotEnglish(t *testing.T) {
	en := textsOf(content)
	for _, lang := range translations(t) {
		for path, s := range textsOf(TextsIn(lang)) {
			if path == "psfs.attribution" || s == "" {
				continue
			}
			if s == en[path] {
				t.Errorf("%s %s is the English: %q", lang, path, s)
			}
			for _, w := range letters.FindAllString(s, -1) {
				if slices.Contains(englishWords, strings.ToLower(w)) {
					t.Errorf("%s %s has the English word %q: %q", lang, path, w, s)
				}
			}
		}
	}
}

// plainRules are each language's plain-words rules: the longest sentence,
// and the terms a clinic there would not print for its clients (medical
// words, and the diagnosis words a sign might mean). A term matches
// anywhere in a word (German joins words), one starting with a space only
// at the start of a word.
var plainRules = map[string]struct {
	maxWords int
	terms    []string
}{
	"de": {25, []string{
		"syndrom", "ischias", "ischialgie", "radikul", "peripher", "zentralis", "neurolog", "patholog", "inkontinen",
		"harnverhalt", "retention", "reithosenan", "anästhes", "parästhes", "sensibilitätsstör", "metasta", "tumor",
		"rückenmark", "nervenwurzel", "kompression", "thrombo", "miktion", "defäk", "kontraindik", "defizit", "bilateral",
		"lumbal", "parese", "fußheber", "bandscheibe", "diagnose", "perine", "sphinkter", "onkolog",
		// what a sign might be
		"bedeuten", "bedeutet", "könnte", "deutet", "hinweis auf", "anzeichen", "zeichen für", "zeichen von",
		"verursacht", "ernsthaft", "gefährlich", "schwerwiegend", "bösartig", "verdacht"}},
	"es": {28, []string{
		"síndrome", "ciátic", "radicul", "periféric", "centraliz", "neurológ", "patológ", "incontinen", "retención",
		"periné", "anestesia", "parestesia", "silla de montar", "metást", "tumor", "médula", "raíz nerviosa", "compresión",
		"comprim", "trombo", "micción", "defecación", "contraindic", "resonancia", "déficit", "bilateral", "lumbalgia",
		"esfínter", "paresia", "hernia", "diagnóstic", "hipoestesia", "oncológ",
		"significa", "podría", "puede ser", "una señal de", "signo de", "indica", "causad", "debido a", "grave", "peligros", "malign"}},
	"fr": {28, []string{
		"syndrome", "queue de cheval", "sciatique", "radicul", "périph", "centralis", "neurolog", "patholog", "incontinen",
		"rétention", "périné", "anesthés", "paresthés", "en selle", "zone de la selle", "métasta", "tumeur", "moelle",
		"racine nerveuse", "compress", "thrombo", "phlébite", "miction", "défécation", "contre indi", " irm", "déficit",
		"bilatéral", "lombalgie", "sphincter", "parésie", "hernie", "diagnostic", "hypoesthés", "oncolog",
		"signifi", "pourrait", "peut être", "un signe de", "signe d", "indique", "causé", "à cause de", " grave", "dangereu", " malin"}},
	"pt-BR": {28, []string{
		"síndrome", "ciátic", "radicul", "periféric", "centraliz", "neurológ", "patológ", "incontinên", "retenção",
		"períneo", "anestesia", "parestesia", " sela", "metást", "tumor", "medula", "raiz nervosa", "compress", "comprim",
		"trombo", "micção", "defecação", "contraindic", "ressonância", "déficit", "bilateral", "lombalgia", "lombociatalgia",
		"esfíncter", "paresia", "hérnia", "diagnóstic", "hipoestesia", "oncológ",
		"significa", "pode ser", "poderia", "um sinal de", "sinal de", "indica", "causad", "por causa de", "grave", "perigos", "malign"}},
}

// Every language: the terms of no language, the licensed questionnaire, and
// the scales' abbreviations.
var plainEverywhere = []string{"cauda", "equina", "oswestry", "psfs", "nprs", " mri", " mrt", " rmn"}

// wordsOf is s in lower case with every run of non-letters one space, and a
// space at each end: " ligue agora para o número ".
func wordsOf(s string) string {
	return " " + strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }), " ") + " "
}

// says reports whether text has term (see plainRules), in any letter case,
// punctuation and hyphens read as spaces.
func says(text, term string) bool {
	t := strings.TrimSpace(wordsOf(term))
	if strings.HasPrefix(term, " ") {
		t = " " + t
	}
	return strings.Contains(wordsOf(text), t)
}

func TestSays(t *testing.T) {
	for _, tc := range []struct {
		text, term string
		want       bool
	}{
		{"Bei Ischiasschmerzen", "ischias", true},
		{"Stuhlinkontinenz", "inkontinen", true},
		{"Une IRM du dos", " irm", true},
		{"Confirmez", " irm", false},
		{"Une contre-indication", "contre indi", true},
		{"C’est bon signe.", "signe d", false},
		{"Un signe d’alerte", "signe d", true},
		{"la région da sela", " sela", true},
		{"selar", " sela", true},
		{"a bexiga", " sela", false},
	} {
		if got := says(tc.text, tc.term); got != tc.want {
			t.Errorf("says(%q, %q) = %v", tc.text, tc.term, got)
		}
	}
}

// Plain words in every language, as TestContentIsPlainWords asks of the English.
func TestTranslationsArePlainWords(t *testing.T) {
	sentence := regexp.MustCompile(`[^.?!]+[.?!]?`)
	for _, lang := range translations(t) {
		rules, ok := plainRules[lang]
		if !ok {
			t.Fatalf("%s has no plain-words rules", lang)
		}
		longest := 0
		for path, s := range textsOf(TextsIn(lang)) {
			if path == "psfs.attribution" {
				continue // the authors' citation, kept as they wrote it
			}
			for _, term := range append(slices.Clone(rules.terms), plainEverywhere...) {
				if says(s, term) {
					t.Errorf("%s %s says %q: %q", lang, path, strings.TrimSpace(term), s)
				}
			}
			for _, sent := range sentence.FindAllString(s, -1) {
				n := len(strings.Fields(sent))
				longest = max(longest, n)
				if n > rules.maxWords {
					t.Errorf("%s %s has a sentence of %d words (at most %d): %q", lang, path, n, rules.maxWords, sent)
				}
			}
		}
		t.Logf("%s: longest sentence %d words", lang, longest)
	}
}

// The PSFS keeps its authors' citation in every language, and Oswestry is
// named nowhere.
func TestPSFSAttributionInEveryLanguage(t *testing.T) {
	for _, tag := range routines.Supported() {
		lang := tag.String()
		c := TextsIn(lang)
		if !strings.Contains(c.PSFS.Attribution, psfsCitation) || !strings.Contains(c.PSFS.Attribution, "Patient-Specific Functional Scale") {
			t.Errorf("%s attribution = %q", lang, c.PSFS.Attribution)
		}
		if !bytes.Contains(ContentJSONIn(lang), []byte(psfsCitation)) {
			t.Errorf("%s: the app's copy has no citation", lang)
		}
		if bytes.Contains(bytes.ToLower(ContentJSONIn(lang)), []byte("oswestry")) {
			t.Errorf("%s names the licensed Oswestry questionnaire", lang)
		}
	}
}

// The emergency screen is titled as the client app's urgent screen is in
// each language, and the call button keeps the number's placeholder.
func TestEmergencyScreenInEveryLanguage(t *testing.T) {
	for _, tag := range routines.Supported() {
		lang := tag.String()
		b, err := os.ReadFile("../../routines/locales/messages." + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var messages map[string]any
		if err := json.Unmarshal(b, &messages); err != nil {
			t.Fatal(err)
		}
		c := TextsIn(lang)
		em, sd := c.Screens[0], c.Screens[1]
		if em.Tier != EmergencyNow || sd.Tier != SeeDoctorSoon {
			t.Fatalf("%s screens %v, %v", lang, em.Tier, sd.Tier)
		}
		if em.Title != messages["urgent.title"] {
			t.Errorf("%s emergency screen %q, the app's urgent screen %q", lang, em.Title, messages["urgent.title"])
		}
		if strings.Count(em.Call, "{number}") != 1 || sd.Call != "" || sd.SafetyNet == "" || em.SafetyNet != "" {
			t.Errorf("%s: call %q / %q, safety net %q / %q", lang, em.Call, sd.Call, em.SafetyNet, sd.SafetyNet)
		}
	}
}

func TestTextsInMatchesLikeTheProduct(t *testing.T) {
	for _, tc := range []struct{ ask, want string }{
		{"de", "de"}, {"es", "es"}, {"fr", "fr"}, {"pt-BR", "pt-BR"}, {"en", "en"},
		{"pt", "pt-BR"}, {"pt-PT", "pt-BR"}, {"pt-br", "pt-BR"}, {"de-AT", "de"}, {"de-CH", "de"},
		{"es-MX", "es"}, {"es-419", "es"}, {"fr-CA", "fr"}, {"en-GB", "en"},
		{"", "en"}, {"ja", "en"}, {"it", "en"}, {"%%%", "en"}, {"de,en;q=0.5", "de"},
	} {
		got := TextsIn(tc.ask)
		want := languages[tc.want].content
		if !reflect.DeepEqual(got, want) {
			t.Errorf("TextsIn(%q) is not the %s content: %q", tc.ask, tc.want, got.Screens[0].Title)
		}
		if !bytes.Equal(ContentJSONIn(tc.ask), languages[tc.want].json) {
			t.Errorf("ContentJSONIn(%q) is not the %s content", tc.ask, tc.want)
		}
	}
	if !reflect.DeepEqual(TextsIn("en"), Texts()) || !bytes.Equal(ContentJSONIn("en"), ContentJSON()) {
		t.Error("English is not Texts")
	}
	// A copy: the caller cannot change what the next caller gets.
	de := TextsIn("de")
	de.Advice[0].Text = "changed"
	de.Screens[0].Steps[0] = "changed"
	de.CheckIn.Areas[0].Label = "changed"
	if again := TextsIn("de"); again.Advice[0].Text == "changed" || again.Screens[0].Steps[0] == "changed" || again.CheckIn.Areas[0].Label == "changed" {
		t.Fatal("TextsIn hands out the table")
	}
}

func TestContentJSONInIsTheContent(t *testing.T) {
	for _, tag := range routines.Supported() {
		lang := tag.String()
		b := ContentJSONIn(lang)
		if !json.Valid(b) {
			t.Fatalf("%s: not JSON", lang)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var c Content
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if !reflect.DeepEqual(c, TextsIn(lang)) {
			t.Fatalf("%s: ContentJSONIn is not TextsIn", lang)
		}
		// Built once: the same bytes each time.
		if again := ContentJSONIn(lang); &again[0] != &b[0] {
			t.Errorf("%s: ContentJSONIn builds its JSON on every call", lang)
		}
		var raw struct {
			Questions []struct{ ID, Tier string } `json:"questions"`
			Screens   []struct{ Tier string }     `json:"screens"`
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		if raw.Questions[0].ID != string(FlagSaddleNumbness) || raw.Questions[0].Tier != "emergency-now" || raw.Screens[1].Tier != "see-doctor-soon" {
			t.Errorf("%s: ids and tiers are not the English ids: %+v %+v", lang, raw.Questions[0], raw.Screens)
		}
	}
}

func TestAssessmentIn(t *testing.T) {
	// Sore at 72 h, the leg symptoms moving down, woken at night, sitting
	// less: four messages, two of which tell the therapist.
	history := []CheckIn{checkIn("c-000001", 24, sit(60))}
	ci := checkIn("c-000002", 80, sore(8), moved(LegDown), woke(true), sit(20))
	a := Assess(ci, history, session)
	wantIDs := []string{AdviceSoreness72h, AdviceLegMovingDown, AdviceNightWaking, AdviceSittingWorse}
	if !slices.Equal(adviceIDs(a.Advice), wantIDs) {
		t.Fatalf("advice %v, want %v", adviceIDs(a.Advice), wantIDs)
	}
	english := slices.Clone(a.Advice)
	for _, lang := range translations(t) {
		got := a.In(lang)
		if got.Tier != a.Tier || !slices.Equal(got.Flags, a.Flags) || got.TellTherapist() != a.TellTherapist() {
			t.Errorf("%s: tier, flags or alert changed: %+v", lang, got)
		}
		texts := map[string]string{}
		for _, x := range TextsIn(lang).Advice {
			texts[x.ID] = x.Text
		}
		for i, item := range got.Advice {
			e := english[i]
			if item.ID != e.ID || item.Kind != e.Kind || item.TellTherapist != e.TellTherapist {
				t.Errorf("%s advice %d: %+v, English %+v", lang, i, item, e)
			}
			if item.Text != texts[e.ID] || item.Text == e.Text {
				t.Errorf("%s advice %s: %q, want %q", lang, e.ID, item.Text, texts[e.ID])
			}
		}
		if !slices.Equal(a.Advice, english) {
			t.Fatalf("In(%s) changed the assessment it was called on", lang)
		}
		// Back to English, by id.
		if back := got.In("en"); !slices.Equal(back.Advice, english) {
			t.Errorf("%s then English: %+v", lang, back.Advice)
		}
	}
	if got := a.In("pt-PT"); !slices.Equal(got.Advice, a.In("pt-BR").Advice) {
		t.Error("pt-PT does not read pt-BR")
	}
	if got := a.In("ja"); !slices.Equal(got.Advice, english) {
		t.Error("an unsupported language does not read English")
	}
	// No advice stays no advice, as JSON too.
	none := Assess(checkIn("c-000003", 24, sore(0)), nil, session).In("de")
	if b, _ := json.Marshal(none); !bytes.Contains(b, []byte(`"advice":[]`)) {
		t.Errorf("no advice in German: %s", b)
	}
	// With an emergency sign there is no advice in any language.
	urgent := checkIn("c-000004", 24, sore(9), moved(LegDown))
	yes(FlagBothLegs)(&urgent)
	if got := Assess(urgent, nil, session).In("fr"); got.Tier != EmergencyNow || len(got.Advice) != 0 {
		t.Errorf("emergency in French: %+v", got)
	}
}
