package clinic

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aftercare/aftercare/routines"
)

// The client's language. Texts and ContentJSON are English, the language the
// content is written and reviewed in (content.go). Each other language of the
// product (routines.Supported) has the whole Content in its own words in
// locales/clinic.<tag>.json, embedded; locales/clinic.en.json mirrors the
// English for translators. A catalog must have exactly the English structure
// (catalogProblems): the same ids, tiers, kinds and flags, the same choices
// in the same order, the same number of steps, the same placeholders, a text
// wherever English has one. Adding a language is adding its file.
//
//go:embed locales/clinic.*.json
var catalogFiles embed.FS

// englishCatalogFile mirrors the English Go data in catalog form.
const englishCatalogFile = "locales/clinic.en.json"

// languageContent is one language's content, ready to serve.
type languageContent struct {
	content Content
	json    []byte
	// advice is each advice text by id, for Assessment.In.
	advice map[string]string
}

// languages holds every supported language's content, by canonical tag. A
// language whose catalog is missing or breaks the English structure is
// served in English (a build defect: TestCatalogsAreValid fails), never half
// translated or with another language's ids.
var languages, _ = loadLanguages(catalogFiles)

// loadLanguages reads the catalogs in fsys for every supported language,
// and says what is wrong with any of them.
func loadLanguages(fsys fs.FS) (map[string]*languageContent, error) {
	english := newLanguageContent(content)
	out := map[string]*languageContent{}
	var problems []string
	supported := map[string]bool{}
	for _, tag := range routines.Supported() {
		lang := tag.String()
		supported[lang] = true
		out[lang] = english
		if tag == routines.English {
			continue
		}
		c, err := readCatalog(fsys, catalogFileName(lang))
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if ps := catalogProblems(c, content); len(ps) > 0 {
			for _, p := range ps {
				problems = append(problems, catalogFileName(lang)+": "+p)
			}
			continue
		}
		out[lang] = newLanguageContent(c)
	}
	files, _ := fs.Glob(fsys, "locales/clinic.*.json")
	for _, f := range files {
		lang := strings.TrimSuffix(strings.TrimPrefix(f, "locales/clinic."), ".json")
		if !supported[lang] {
			problems = append(problems, fmt.Sprintf("%s: %q is not one of the product's languages %v", f, lang, routines.Supported()))
		}
	}
	if len(problems) > 0 {
		return out, fmt.Errorf("clinic catalogs:\n%s", strings.Join(problems, "\n"))
	}
	return out, nil
}

func catalogFileName(lang string) string { return "locales/clinic." + lang + ".json" }

// readCatalog decodes one catalog strictly: an unknown or misspelt key is an
// error, not a text silently left out.
func readCatalog(fsys fs.FS, name string) (Content, error) {
	var c Content
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%s: %w", name, err)
	}
	if dec.More() {
		return c, fmt.Errorf("%s: data after the catalog", name)
	}
	return c, nil
}

func newLanguageContent(c Content) *languageContent {
	l := &languageContent{content: c, json: mustJSON(c), advice: map[string]string{}}
	for _, a := range c.Advice {
		l.advice[a.ID] = a.Text
	}
	return l
}

// languageOf is the content for lang: the supported language itself, else
// the one routines.Match picks for it as the rest of the product does ("pt"
// and "pt-PT" read pt-BR, "de-AT" German), English for anything else.
func languageOf(lang string) *languageContent {
	if l, ok := languages[lang]; ok {
		return l
	}
	return languages[routines.Match(lang).String()]
}

// TextsIn is Texts in language lang (a supported BCP 47 tag such as "de" or
// "pt-BR", matched like the rest of the product: "pt" reads pt-BR); English
// for an unsupported or empty tag. The result is a copy.
func TextsIn(lang string) Content {
	var c Content
	if err := json.Unmarshal(ContentJSONIn(lang), &c); err != nil {
		panic("clinic: content does not decode: " + err.Error())
	}
	return c
}

// ContentJSONIn is ContentJSON in language lang (see TextsIn), built once
// per language. Do not modify it.
func ContentJSONIn(lang string) []byte { return languageOf(lang).json }

// In returns a with its advice texts in language lang (see TextsIn); ids,
// kinds and the rest are unchanged. a itself is not changed.
func (a Assessment) In(lang string) Assessment {
	if a.Advice == nil {
		return a
	}
	l := languageOf(lang)
	advice := make([]AdviceItem, len(a.Advice))
	for i, item := range a.Advice {
		if text, ok := l.advice[item.ID]; ok {
			item.Text = text
		}
		advice[i] = item
	}
	a.Advice = advice
	return a
}

// placeholderRE finds the {name} placeholders the app fills in ("{number}").
var placeholderRE = regexp.MustCompile(`\{[A-Za-z]+\}`)

// catalogProblems compares a translation with the English content: every id,
// tier, kind and flag the same, every list as long and in the same order,
// every text present where English has one (and absent where it has none),
// with the same placeholders, and the PSFS attribution keeping the authors'
// citation.
func catalogProblems(c, en Content) []string {
	var out []string
	compareContent(reflect.ValueOf(c), reflect.ValueOf(en), "", "", &out)
	if !strings.Contains(c.PSFS.Attribution, psfsCitation) {
		out = append(out, "psfs.attribution: must keep the authors' citation as they wrote it: "+psfsCitation)
	}
	return out
}

// compareContent walks a translation (v) and the English (en) together.
// name is the Go field name of the value, path its JSON path.
func compareContent(v, en reflect.Value, name, path string, out *[]string) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			compareContent(v.Field(i), en.Field(i), f.Name, join(path, key), out)
		}
	case reflect.Slice:
		if v.Len() != en.Len() {
			*out = append(*out, fmt.Sprintf("%s: %d entries, English has %d", path, v.Len(), en.Len()))
			return
		}
		for i := range v.Len() {
			compareContent(v.Index(i), en.Index(i), name, path+"["+strconv.Itoa(i)+"]", out)
		}
	case reflect.String:
		got, want := v.String(), en.String()
		switch {
		case name == "ID" || name == "Kind":
			if got != want {
				*out = append(*out, fmt.Sprintf("%s: %q, English has %q (ids are the same in every language)", path, got, want))
			}
		case strings.TrimSpace(got) == "" && want != "":
			*out = append(*out, path+": empty")
		case got != "" && want == "":
			*out = append(*out, path+": English has no text here")
		case !slices.Equal(placeholders(got), placeholders(want)):
			*out = append(*out, fmt.Sprintf("%s: placeholders %v, English has %v", path, placeholders(got), placeholders(want)))
		}
	default: // tiers and flags
		if !reflect.DeepEqual(v.Interface(), en.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: %v, English has %v", path, v.Interface(), en.Interface()))
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func placeholders(s string) []string {
	p := placeholderRE.FindAllString(s, -1)
	slices.Sort(p)
	return p
}
