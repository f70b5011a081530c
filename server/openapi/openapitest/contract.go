// Package openapitest checks HTTP exchanges against aftercare's OpenAPI
// document, for tests: the API test harnesses pass every request and response
// through Check (or Transport), so a response the document does not describe
// fails the test that caused it.
//
// It uses pb33f/libopenapi-validator, which validates OpenAPI 3.1 natively
// (JSON Schema 2020-12, compiled once per schema) and the document itself
// against the OpenAPI 3.1 meta-schema.
package openapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	vderrors "github.com/pb33f/libopenapi-validator/errors"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"

	"github.com/aftercare/aftercare/server/openapi"
)

// RestParam is the name of the path parameter that stands for Fiber's "*":
// the rest of the path, slashes included (OpenAPI has no such parameter).
const RestParam = "path"

// Contract is a loaded document, ready to check exchanges; safe for concurrent use.
type Contract struct {
	model *v3.Document
	// mu serialises every use of v: the validator renders a schema the first
	// time it compiles it, and libopenapi's renderer keeps its state in the
	// shared model (DynamicValue's inline and renderCtx, libopenapi v0.41.8),
	// so two goroutines compiling the same schema race
	// (TestContractIsSafeForConcurrentUse). The API tests check from the test's
	// goroutine while the webhook receiver checks from its own.
	mu  sync.Mutex
	v   validator.Validator
	ops []operation
	// anyRoute are the statuses the server answers before routing (body or
	// header limits), listed in the document's x-aftercare-any-route.
	anyRoute map[int]bool
}

// operation is one method of one documented path.
type operation struct {
	method   string
	template string   // "/api/p/{token}/checkins"
	segments []string // "api", "p", "{token}", "checkins"
	rest     bool     // the last segment is {path}: one or more segments
	item     *v3.PathItem
	op       *v3.Operation
}

var shared = sync.OnceValues(func() (*Contract, error) {
	doc, err := openapi.JSON()
	if err != nil {
		return nil, err
	}
	return Load(doc)
})

// Shared returns the contract of the embedded document, loaded once per test binary.
func Shared(tb testing.TB) *Contract {
	tb.Helper()
	c, err := shared()
	if err != nil {
		tb.Fatalf("OpenAPI document: %v", err)
	}
	return c
}

// Load parses an OpenAPI document and prepares its validators.
func Load(doc []byte) (*Contract, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	m, err := d.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build model: %w", err)
	}
	v, errs := validator.NewValidator(d, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("validator: %v", errs)
	}
	c := &Contract{model: &m.Model, v: v, anyRoute: map[int]bool{}}
	var top struct {
		AnyRoute map[string]json.RawMessage `json:"x-aftercare-any-route"`
	}
	if err := json.Unmarshal(doc, &top); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	for code := range top.AnyRoute {
		n, err := strconv.Atoi(code)
		if err != nil {
			return nil, fmt.Errorf("x-aftercare-any-route: %q is not a status code", code)
		}
		c.anyRoute[n] = true
	}
	if c.model.Paths != nil {
		for template, item := range c.model.Paths.PathItems.FromOldest() {
			for method, op := range item.GetOperations().FromOldest() {
				o := operation{method: strings.ToUpper(method), template: template, item: item, op: op,
					segments: strings.Split(strings.Trim(template, "/"), "/")}
				o.rest = strings.HasSuffix(template, "/{"+RestParam+"}")
				c.ops = append(c.ops, o)
			}
		}
	}
	return c, nil
}

// ValidateDocument checks the document against the OpenAPI meta-schema of its version.
func (c *Contract) ValidateDocument() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok, errs := c.v.ValidateDocument(); !ok {
		return describe(errs)
	}
	return nil
}

// Operations lists "METHOD /path/{param}" for every documented operation, sorted.
func (c *Contract) Operations() []string {
	out := make([]string, 0, len(c.ops))
	for _, o := range c.ops {
		out = append(out, o.method+" "+o.template)
	}
	sort.Strings(out)
	return out
}

// find returns the operation for method and path: concrete segments win over
// parameters, and parameters over a rest-of-path; nil if none matches.
func (c *Contract) find(method, path string) (*operation, bool) {
	if method == http.MethodHead {
		method = http.MethodGet // Fiber answers HEAD for every GET route
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best *operation
	bestScore, pathKnown := -1, false
	for i := range c.ops {
		o := &c.ops[i]
		score, ok := o.match(segs)
		if !ok {
			continue
		}
		pathKnown = true
		if o.method == method && score > bestScore {
			best, bestScore = o, score
		}
	}
	return best, pathKnown
}

func (o *operation) match(segs []string) (int, bool) {
	tpl := o.segments
	if o.rest {
		if len(segs) < len(tpl) {
			return 0, false
		}
	} else if len(segs) != len(tpl) {
		return 0, false
	}
	score := 0
	for i, t := range tpl {
		if o.rest && i == len(tpl)-1 {
			if segs[i] == "" {
				return 0, false
			}
			continue // the rest of the path scores nothing
		}
		n, ok := matchSegment(t, segs[i])
		if !ok {
			return 0, false
		}
		score += n
	}
	return score, true
}

// matchSegment matches one path segment against a template segment: a
// literal ("plans") scores 4, a parameter with literal text around it
// ("{feed}.ics") 3, a bare parameter ("{token}") 2; a parameter stands for
// at least one character.
func matchSegment(tpl, seg string) (int, bool) {
	open, end := strings.IndexByte(tpl, '{'), strings.IndexByte(tpl, '}')
	if open < 0 || end < open {
		return 4, tpl == seg
	}
	prefix, suffix := tpl[:open], tpl[end+1:]
	if len(seg) <= len(prefix)+len(suffix) || !strings.HasPrefix(seg, prefix) || !strings.HasSuffix(seg, suffix) {
		return 0, false
	}
	if prefix == "" && suffix == "" {
		return 2, true
	}
	return 3, true
}

// Check validates one exchange: the response must be one the document lists for
// the operation (status, content type, body schema, required headers); a
// request the document refuses must not succeed. An exchange on no documented
// operation must be answered 404 or 405 with the error body.
func (c *Contract) Check(req *http.Request, reqBody []byte, res *http.Response, resBody []byte) error {
	o, _ := c.find(req.Method, req.URL.Path)
	if c.anyRoute[res.StatusCode] && (o == nil || o.response(res.StatusCode) == nil) {
		if req.Method == http.MethodHead {
			return nil
		}
		if err := checkErrorBody(res.Header.Get("Content-Type"), resBody); err != nil {
			return fmt.Errorf("%s %s answered %d: %v", req.Method, clipPath(req.URL.Path), res.StatusCode, err)
		}
		return nil
	}
	if o == nil {
		return checkUnknownRoute(req, res, resBody)
	}
	where := o.method + " " + o.template
	vreq := req.Clone(req.Context())
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	vreq.ContentLength = int64(len(reqBody))
	if o.rest {
		vreq.URL = restAsOneSegment(req.URL, len(o.segments))
	}
	var problems []string
	c.mu.Lock()
	defer c.mu.Unlock()
	if req.Method != http.MethodHead {
		vres := *res
		vres.Body = io.NopCloser(bytes.NewReader(resBody))
		if ok, errs := c.v.GetResponseBodyValidator().ValidateResponseBodyWithPathItem(vreq, &vres, o.item, o.template); !ok {
			problems = append(problems, describe(errs).Error())
		}
		if r := o.response(res.StatusCode); r != nil && orderedmap.Len(r.Content) == 0 && len(bytes.TrimSpace(resBody)) > 0 {
			problems = append(problems, fmt.Sprintf("%d is documented without a body, but the server sent %q", res.StatusCode, clip(resBody)))
		}
	} else if o.response(res.StatusCode) == nil {
		problems = append(problems, fmt.Sprintf("status %d is not documented", res.StatusCode))
	}
	if ok, errs := c.v.ValidateHttpRequestSyncWithPathItem(vreq, o.item, o.template); !ok && res.StatusCode < 400 {
		problems = append(problems, fmt.Sprintf("the server answered %d to a request the document refuses: %v", res.StatusCode, describe(errs)))
	}
	if len(problems) > 0 {
		if where == req.Method+" "+req.URL.Path || len(req.URL.Path) > 120 {
			where = ""
		} else {
			where = " (" + where + ")"
		}
		return fmt.Errorf("%s %s%s answered %d %s: %s", req.Method, clipPath(req.URL.Path), where, res.StatusCode,
			res.Header.Get("Content-Type"), strings.Join(problems, "; "))
	}
	return nil
}

// CheckWebhook validates one delivery of the studio's webhook (the POST the
// server sends to the owner's URL, headers and body) against the document's
// webhooks entry that the body's "type" names.
func (c *Contract) CheckWebhook(req *http.Request, body []byte) error {
	var env struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("webhook delivery: the body is not a JSON object: %v", err)
	}
	var item *v3.PathItem
	if c.model.Webhooks != nil {
		item, _ = c.model.Webhooks.Get(env.Type)
	}
	if item == nil || item.Post == nil || req.Method != http.MethodPost {
		return fmt.Errorf("webhook delivery: %s of event %q is not in the OpenAPI document's webhooks", req.Method, env.Type)
	}
	vreq := req.Clone(req.Context())
	vreq.Body = io.NopCloser(bytes.NewReader(body))
	vreq.ContentLength = int64(len(body))
	c.mu.Lock()
	defer c.mu.Unlock()
	if ok, errs := c.v.ValidateHttpRequestSyncWithPathItem(vreq, item, req.URL.Path); !ok {
		return fmt.Errorf("webhook delivery of %s: %v", env.Type, describe(errs))
	}
	return nil
}

// response is the documented response for status, or nil.
func (o *operation) response(status int) *v3.Response {
	if o.op.Responses == nil {
		return nil
	}
	if r := o.op.Responses.FindResponseByCode(status); r != nil {
		return r
	}
	return o.op.Responses.Default
}

// restAsOneSegment escapes the slashes of the rest of the path, so the
// validator sees the one path parameter the document describes.
func restAsOneSegment(u *url.URL, n int) *url.URL {
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	head := segs[:n-1]
	rest := strings.Join(segs[n-1:], "%2F")
	out := *u
	out.Path = "/" + strings.Join(append(slices.Clone(head), rest), "/")
	out.RawPath = ""
	return &out
}

// checkUnknownRoute accepts only the error answers for a route nobody registered.
func checkUnknownRoute(req *http.Request, res *http.Response, body []byte) error {
	if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed {
		return fmt.Errorf("%s %s is not in the OpenAPI document, yet the server answered %d (add the route to server/openapi/openapi.yaml)",
			req.Method, clipPath(req.URL.Path), res.StatusCode)
	}
	if req.Method == http.MethodHead {
		return nil
	}
	if err := checkErrorBody(res.Header.Get("Content-Type"), body); err != nil {
		return fmt.Errorf("%s %s (no such route) answered %d: %v", req.Method, clipPath(req.URL.Path), res.StatusCode, err)
	}
	return nil
}

// checkErrorBody checks the shared error body {"error": "..."}.
func checkErrorBody(contentType string, body []byte) error {
	if !strings.HasPrefix(contentType, "application/json") {
		return fmt.Errorf("want an application/json error body, got %q", contentType)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var e struct {
		Error *string `json:"error"`
	}
	if err := dec.Decode(&e); err != nil || e.Error == nil || *e.Error == "" {
		return fmt.Errorf(`want {"error": "..."}, got %q`, clip(body))
	}
	return nil
}

func clipPath(p string) string {
	if len(p) > 120 {
		return p[:120] + "…"
	}
	return p
}

func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// describe joins validation errors into one error that says where and why.
func describe(errs []*vderrors.ValidationError) error {
	var parts []string
	for _, e := range errs {
		s := e.Message
		if e.Reason != "" && e.Reason != e.Message {
			s += ": " + e.Reason
		}
		for _, f := range e.SchemaValidationErrors {
			where := f.FieldPath
			if where == "" {
				where = f.KeywordLocation
			}
			s += fmt.Sprintf(" [%s %s]", where, f.Reason)
		}
		parts = append(parts, s)
	}
	return fmt.Errorf("%s", strings.Join(parts, "; "))
}

// Transport returns a RoundTripper that sends through base and checks every
// exchange, failing tb (without stopping it) on a mismatch.
func (c *Contract) Transport(tb testing.TB, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &checkingTransport{c: c, tb: tb, base: base}
}

type checkingTransport struct {
	c    *Contract
	tb   testing.TB
	base http.RoundTripper
}

func (t *checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		sent := req.Clone(req.Context())
		sent.Body = io.NopCloser(bytes.NewReader(reqBody))
		sent.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
		req = sent
	}
	res, err := t.base.RoundTrip(req)
	if err != nil {
		return res, err
	}
	resBody, err := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	if err != nil {
		return res, nil // the caller's read would have failed the same way; nothing to check
	}
	if cerr := t.c.Check(req, reqBody, res, resBody); cerr != nil {
		t.tb.Errorf("OpenAPI contract: %v", cerr)
	}
	return res, nil
}

// FiberPath turns a Fiber route pattern into the document's path template:
// ":name" is "{name}" (a name ends at "." or "-", as in Fiber: ":feed.ics" is
// "{feed}.ics"), a trailing "*" is "{path}", a trailing slash goes.
func FiberPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, ":"):
			name, rest := s[1:], ""
			if j := strings.IndexAny(name, ".-"); j >= 0 {
				name, rest = name[:j], name[j:]
			}
			segs[i] = "{" + strings.TrimSuffix(name, "?") + "}" + rest
		case s == "*" || s == "+":
			segs[i] = "{" + RestParam + "}"
		}
	}
	out := strings.Join(segs, "/")
	if len(out) > 1 {
		out = strings.TrimSuffix(out, "/")
	}
	return out
}

// RouteDiff compares the app's operations with the document's ("METHOD /path"):
// missing are registered but not documented, extra documented but not registered.
func RouteDiff(app, doc []string) (missing, extra []string) {
	has := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range list {
			m[s] = true
		}
		return m
	}
	inApp, inDoc := has(app), has(doc)
	for s := range inApp {
		if !inDoc[s] {
			missing = append(missing, s)
		}
	}
	for s := range inDoc {
		if !inApp[s] {
			extra = append(extra, s)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return missing, extra
}
