package push

import (
	"context"
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
