// Package locale is one language's words for everything the server writes:
// push notifications, the printed plan, the calendar feed, the manifest,
// check-in advice. The words are routines' go-i18n message catalogs
// (routines/locales/messages.<tag>.json); the formats of dates and times are
// messages in the same catalogs, so a language's date order and clock are
// data, like its words.
package locale

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
)

// Data fills a message's {{.Name}}-style placeholders.
type Data = map[string]any

// Locale is one supported language's messages.
type Locale struct {
	tag language.Tag
	loc *i18n.Localizer
	// shapes holds each message as go-i18n rendered it once, with a marker
	// for each placeholder (key: id and the placeholders' names): a reminder
	// tick words thousands of notifications, and filling markers costs a
	// fraction of executing the template each time.
	shapes sync.Map
}

var (
	bundle  = mustBundle()
	matcher = language.NewMatcher(routines.Supported())
	locales = func() map[string]*Locale {
		m := map[string]*Locale{}
		for _, tag := range routines.Supported() {
			m[tag.String()] = &Locale{tag: tag, loc: i18n.NewLocalizer(bundle, tag.String())}
		}
		return m
	}()
)

// mustBundle loads the embedded catalogs; one that does not parse is a build
// defect (routines' tests refuse it), so it panics, as regexp.MustCompile does.
func mustBundle() *i18n.Bundle {
	b, err := routines.NewMessageBundle()
	if err != nil {
		panic("locale: " + err.Error())
	}
	return b
}

// For returns the supported language that best matches tag (routines.Match:
// de-AT reads German, anything unknown English).
func For(tag language.Tag) *Locale {
	if l, ok := locales[tag.String()]; ok {
		return l
	}
	return locales[routines.Match(tag.String()).String()]
}

// Of returns the language stored as tag (a plan's or a therapist's), or def
// when none is stored (records from before languages).
func Of(tag string, def language.Tag) *Locale {
	if tag == "" {
		return For(def)
	}
	if l, ok := locales[tag]; ok { // as stored: canonical
		return l
	}
	t, err := language.Parse(tag)
	if err != nil {
		return For(def)
	}
	return For(t)
}

// English is the source language.
func English() *Locale { return For(routines.English) }

// Supported reports whether s names one of the supported languages exactly
// (in any letter case: "pt-br" is pt-BR), and returns its canonical tag.
func Supported(s string) (language.Tag, bool) {
	t, err := language.Parse(s)
	if err != nil {
		return language.Und, false
	}
	_, ok := locales[t.String()]
	return t, ok
}

// Negotiate returns the supported language an Accept-Language header asks
// for, or def when it names none of them (a Japanese browser gets the
// studio's language, not English).
func Negotiate(acceptLanguage string, def language.Tag) language.Tag {
	if tag, ok := Requested(acceptLanguage); ok {
		return tag
	}
	return def
}

// Requested returns the supported language an Accept-Language header asks
// for, and false when it names none of them.
func Requested(acceptLanguage string) (language.Tag, bool) {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return language.Und, false
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return language.Und, false
	}
	return routines.Supported()[i], true
}

// Tag is the language's BCP 47 tag.
func (l *Locale) Tag() language.Tag { return l.tag }

// String is the tag as written in plans and HTML: "en", "pt-BR".
func (l *Locale) String() string { return l.tag.String() }

// Text returns message id without placeholders.
func (l *Locale) Text(id string) string { return l.Format(id, nil) }

// Format returns message id with its placeholders filled from data. Messages
// hold nothing but {{.Name}}-style placeholders (routines.ValidateMessages),
// so putting the values where go-i18n rendered their markers gives what
// rendering with the values would.
func (l *Locale) Format(id string, data Data) string {
	key := id
	switch len(data) {
	case 0:
	case 1:
		for k := range data {
			key = id + "\x00" + k
		}
	default:
		names := make([]string, 0, len(data))
		for k := range data {
			names = append(names, k)
		}
		slices.Sort(names)
		key = id + "\x00" + strings.Join(names, "\x00")
	}
	shape, ok := l.shapes.Load(key)
	if !ok {
		marks := make(Data, len(data))
		for k := range data {
			marks[k] = marker(k)
		}
		shape, _ = l.shapes.LoadOrStore(key, l.localize(id, nil, marks))
	}
	s := shape.(string)
	for k, v := range data {
		val, ok := v.(string)
		if !ok {
			val = fmt.Sprint(v)
		}
		s = strings.ReplaceAll(s, marker(k), val)
	}
	return s
}

// marker stands for placeholder name in a message's shape: NUL cannot occur
// in a message or a value (names refuse control characters).
func marker(name string) string { return "\x00" + name + "\x00" }

// Count returns the plural message id for n, with {{.Count}} and data filled.
func (l *Locale) Count(id string, n int, data Data) string {
	d := make(Data, len(data)+1)
	for k, v := range data {
		d[k] = v
	}
	d["Count"] = n
	return l.localize(id, n, d)
}

// Named returns message id+".named" greeting name (its {{.Name}}), or id
// itself when there is no name.
func (l *Locale) Named(id, name string, data Data) string {
	if name == "" {
		return l.Format(id, data)
	}
	if data == nil {
		return l.Format(id+".named", Data{"Name": name})
	}
	return l.Format(id+".named", with(data, "Name", name))
}

// Therapist returns message id naming the therapist ({{.Therapist}}), or its
// id+".unnamed" twin when there is no name: "your therapist" changes with
// the sentence in German, French and Portuguese.
func (l *Locale) Therapist(id, therapist string, data Data) string {
	if therapist == "" {
		return l.Format(id+".unnamed", data)
	}
	return l.Format(id, with(data, "Therapist", therapist))
}

// with returns a copy of data with k set to v.
func with(data Data, k string, v any) Data {
	d := make(Data, len(data)+1)
	for key, val := range data {
		d[key] = val
	}
	d[k] = v
	return d
}

// localize renders a message. A message missing in this language falls back
// to English (go-i18n does that); an id missing from every catalog is a
// defect the tests catch, and shows as the id rather than as nothing.
func (l *Locale) localize(id string, count any, data Data) string {
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: data})
	if s == "" && err != nil {
		return id
	}
	return s
}

// Date styles: message ids whose text lays a date out with the placeholders
// {{.Weekday}}, {{.Day}}, {{.Month}}, {{.Year}} and {{.Time}}. The names of
// weekdays and months are messages too (format.weekday.monday, …), and so is
// the day of the month (format.day, a plural: French writes the first "1er").
const (
	// DateLong is a day with its weekday and year: "Monday 2 January 2006".
	DateLong = "format.date.long"
	// DateWeekday is a day with its weekday: "Monday 2 January".
	DateWeekday = "format.date.weekday"
	// DateShort is a day with its year: "2 January 2006".
	DateShort = "format.date.short"
	// DateWeekdayTime is a day with its weekday and the time: "Monday 2 January at 15:04".
	DateWeekdayTime = "format.date.weekdayTime"
)

// clockLayout is the message holding the language's clock as a Go layout
// ("15:04": every supported language reads the 24-hour clock).
const clockLayout = "format.time"

var (
	weekdays = [...]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
	months   = [...]string{"january", "february", "march", "april", "may", "june", "july", "august",
		"september", "october", "november", "december"}
)

// Date writes t (already in the client's zone) in style, one of the Date* ids.
func (l *Locale) Date(t time.Time, style string) string {
	return l.Format(style, Data{
		"Weekday": l.Text("format.weekday." + weekdays[t.Weekday()]),
		"Day":     l.Count("format.day", t.Day(), nil), // "1er" in French, "1º" in Portuguese
		"Month":   l.Text("format.month." + months[t.Month()-1]),
		"Year":    t.Year(),
		"Time":    l.Clock(t),
	})
}

// Clock writes the time of day of t as the language reads a clock.
func (l *Locale) Clock(t time.Time) string { return t.Format(l.Text(clockLayout)) }

// Capitalize upper-cases the first letter of s: a list item made from a
// phrase that runs on in a sentence elsewhere.
func Capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// FirstName is the first word of a full name, at most 24 letters: how the
// texts greet a client.
func FirstName(full string) string {
	f := strings.Fields(full)
	if len(f) == 0 {
		return ""
	}
	if r := []rune(f[0]); len(r) > 24 {
		return string(r[:24])
	}
	return f[0]
}

// catalog is a language's message file as the app loads it, with a hash of
// its bytes that versions its URL.
type catalog struct {
	data    []byte
	version string
}

// ServerOnly are the namespaces of the message files that only the server
// renders: push texts, therapist alerts, the printed page, the manifest and
// date formats. The app's copy (Catalog) leaves them out: every phone
// downloads its language's copy on the first load of its plan.
var ServerOnly = []string{"reminder.", "alert.", "print.", "manifest.", "format."}

var catalogs = func() map[string]catalog {
	m := map[string]catalog{}
	for _, tag := range routines.Supported() {
		b, got := routines.MessageFile(tag)
		b = appMessages(b)
		sum := sha256.Sum256(b)
		m[got.String()] = catalog{data: b, version: hex.EncodeToString(sum[:6])}
	}
	return m
}()

// appMessages is message file b without the ServerOnly namespaces, its
// messages as written (keys in order, as json.Marshal writes a map).
func appMessages(b []byte) []byte {
	var msgs map[string]json.RawMessage
	if err := json.Unmarshal(b, &msgs); err != nil {
		panic("locale: message file: " + err.Error()) // checked by the bundle at start
	}
	for id := range msgs {
		for _, ns := range ServerOnly {
			if strings.HasPrefix(id, ns) {
				delete(msgs, id)
			}
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // as written: "&" stays "&"
	if err := enc.Encode(msgs); err != nil {
		panic("locale: message file: " + err.Error())
	}
	return bytes.TrimSpace(out.Bytes())
}

// Catalog returns the language's messages as the app loads them (go-i18n
// JSON, placeholders unfilled: the app fills them; without the ServerOnly
// namespaces) and a version that changes with its bytes.
func (l *Locale) Catalog() (data []byte, version string) {
	c := catalogs[l.String()]
	return c.data, c.version
}

// CatalogPath is where the app loads the language's message file: a URL
// that changes whenever the file does, so it can be cached for good.
func (l *Locale) CatalogPath() string {
	_, v := l.Catalog()
	return "/api/messages/" + l.String() + "?v=" + v
}
