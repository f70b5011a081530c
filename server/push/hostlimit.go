package push

import (
	"context"
	"io"
	"net/http"
	"sync"
)

// hostLimit bounds the requests in flight to each push service host across
// every send of a Sender. Hosts are few (the allowlist names a handful of
// push services); a host's entry lives while someone holds or waits for one
// of its slots.
type hostLimit struct {
	max   int
	mu    sync.Mutex
	hosts map[string]*hostSlots
}

type hostSlots struct {
	slots chan struct{}
	users int // holding or waiting
}

func newHostLimit(max int) *hostLimit {
	return &hostLimit{max: max, hosts: make(map[string]*hostSlots)}
}

// acquire waits for a slot of host, or until ctx ends; release gives it back.
func (l *hostLimit) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	h := l.hosts[host]
	if h == nil {
		h = &hostSlots{slots: make(chan struct{}, l.max)}
		l.hosts[host] = h
	}
	h.users++
	l.mu.Unlock()
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		l.leave(host, h)
		return nil, ctx.Err()
	}
	return func() {
		<-h.slots
		l.leave(host, h)
	}, nil
}

func (l *hostLimit) leave(host string, h *hostSlots) {
	l.mu.Lock()
	h.users--
	if h.users == 0 {
		delete(l.hosts, host)
	}
	l.mu.Unlock()
}

// countingClient records the body size; it holds one of the host's slots
// from the request until the response body is closed.
type countingClient struct {
	c     *http.Client
	limit *hostLimit
	host  string
	bytes int
}

func (cc *countingClient) Do(req *http.Request) (*http.Response, error) {
	cc.bytes = int(req.ContentLength)
	release, err := cc.limit.acquire(req.Context(), cc.host)
	if err != nil {
		return nil, err
	}
	resp, err := cc.c.Do(req)
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// releasingBody gives the host's slot back when the body is closed.
type releasingBody struct {
	io.ReadCloser
	release func()
	once    sync.Once
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}
