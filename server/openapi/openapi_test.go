package openapi

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestToJSONKeepsTheWrittenOrderAndTypes(t *testing.T) {
	got, err := toJSON([]byte("openapi: 3.1.0\ninfo: {title: t, version: \"1\"}\nb: &x [1, 2.5, true, null, \"19:00\"]\na: *x\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"b":[1,2.5,true,null,"19:00"],"a":[1,2.5,true,null,"19:00"]}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestToJSONRefusesRepeatedKeys(t *testing.T) {
	if _, err := toJSON([]byte("a: 1\nb: 2\na: 3\n")); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Fatalf("repeated key accepted: %v", err)
	}
}

// TestNoKeyLooksLikeProse catches an unquoted comma inside a YAML flow mapping,
// {description: Removed, or was not there.}, which makes "or was not there." a
// key; inside a schema the meta-schema allows unknown keywords, so nothing else would.
func TestNoKeyLooksLikeProse(t *testing.T) {
	doc, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	var root any
	if err := json.Unmarshal(doc, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if strings.ContainsAny(k, " ,") || strings.HasSuffix(k, ".") {
					t.Errorf("key %q at %s: quote the value before it in openapi.yaml", k, at)
				}
				walk(child, at+"/"+k)
			}
		case []any:
			for _, child := range v {
				walk(child, at+"[]")
			}
		}
	}
	walk(root, "")
}

func TestETagFollowsTheDocument(t *testing.T) {
	a, err := ETag()
	if err != nil || len(a) < 10 || a[0] != '"' {
		t.Fatalf("ETag %q, %v", a, err)
	}
	doc, _ := JSON()
	doc[0] = 'x' // JSON hands out a copy: the served bytes and their ETag stay
	if b, _ := ETag(); b != a {
		t.Fatal("ETag changed when a caller modified its copy")
	}
}
