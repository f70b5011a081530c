package pwa

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/routines"
)

var (
	// A message id written out in the workspace's code: 'settings.title', 'cadence.7'.
	quotedID = regexp.MustCompile(`'([a-z]+(?:\.[A-Za-z0-9-]+)+)'`)
	// An id the code builds: t(`cadence.${d}`), `assign.variant.${how}`, named('redflag', …).
	builtID = regexp.MustCompile("`([a-z][A-Za-z]*(?:\\.[A-Za-z]+)*\\.)\\$\\{|named\\('([a-z]+)'")
)

// TestWorkspaceWordsAreInTheCatalog reads the workspace's modules: every message
// id they name is in the English workspace catalog (a typo would show the id on
// screen), and every id of the catalog is used (a screen that lost a text leaves
// no translation behind that nobody reviews).
func TestWorkspaceWordsAreInTheCatalog(t *testing.T) {
	b, _ := routines.WorkspaceMessageFile(routines.English)
	var catalog map[string]any
	if err := json.Unmarshal(b, &catalog); err != nil {
		t.Fatal(err)
	}
	prefixes := map[string]bool{}
	for id := range catalog {
		prefixes[strings.SplitN(id, ".", 2)[0]] = true
	}
	files, err := fs.Glob(Static(), "therapist/*.js")
	if err != nil || len(files) < 5 {
		t.Fatalf("workspace modules: %v %v", files, err)
	}
	used := map[string]bool{}
	var built []string
	for _, f := range files {
		src, err := fs.ReadFile(Static(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range quotedID.FindAllStringSubmatch(string(src), -1) {
			id := m[1]
			if !prefixes[strings.SplitN(id, ".", 2)[0]] {
				continue // not a message id ('aftercare_csrf', a CSS selector …)
			}
			used[id] = true
			if _, ok := catalog[id]; !ok {
				t.Errorf("%s names %q, which the workspace catalog does not have", f, id)
			}
		}
		for _, m := range builtID.FindAllStringSubmatch(string(src), -1) {
			p := m[1]
			if p == "" {
				p = m[2] + "."
			}
			if prefixes[strings.SplitN(p, ".", 2)[0]] {
				built = append(built, p)
			}
		}
	}
	if len(built) < 3 {
		t.Fatalf("found only %v as built ids", built)
	}
	var unused []string
	for id := range catalog {
		if used[id] {
			continue
		}
		if !slicesHasPrefix(built, id) {
			unused = append(unused, id)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("catalog ids no workspace module uses: %v", unused)
	}
}

func slicesHasPrefix(prefixes []string, s string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
