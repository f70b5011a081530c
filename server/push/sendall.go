package push

import (
	"context"
	"net/url"
	"strings"
	"sync"
)

// Job pairs a subscription with the message for it.
type Job struct {
	Sub Subscription
	Msg Message
}

// SendAll delivers jobs through a pool of Workers goroutines and returns the
// results in input order. Workers always take the next job from the push
// service with the fewest requests in flight, so a slow service holds at most
// its fair share of workers and never stalls delivery to the others.
func (s *Sender) SendAll(ctx context.Context, jobs []Job) []Result {
	return s.fanOut(len(jobs), func(i int) string { return jobs[i].Sub.Endpoint },
		func(i int) Result { return s.Send(ctx, jobs[i].Sub, jobs[i].Msg) })
}

// SendAllSealed is SendAll for messages sealed ahead of time (SendSealed).
func (s *Sender) SendAllSealed(ctx context.Context, msgs []Sealed) []Result {
	return s.fanOut(len(msgs), func(i int) string { return msgs[i].Endpoint },
		func(i int) Result { return s.SendSealed(ctx, msgs[i]) })
}

// fanOut runs send(i) for i in [0, n) on the worker pool, fairly across the
// push service hosts that endpoint(i) names.
func (s *Sender) fanOut(n int, endpoint func(int) string, send func(int) Result) []Result {
	results := make([]Result, n)
	if n == 0 {
		return results
	}
	q := newHostQueues(n, endpoint)
	var wg sync.WaitGroup
	for range min(s.workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, h, ok := q.next()
				if !ok {
					return
				}
				results[i] = send(i)
				q.done(h)
			}
		}()
	}
	wg.Wait()
	return results
}

// hostQueues hands out job indexes, grouped by push service host.
type hostQueues struct {
	mu    sync.Mutex
	hosts []*hostQueue
}

type hostQueue struct {
	jobs     []int // pending job indexes, in input order
	inFlight int
}

func newHostQueues(n int, endpoint func(int) string) *hostQueues {
	q := &hostQueues{}
	byHost := make(map[string]*hostQueue)
	for i := range n {
		host := hostOf(endpoint(i))
		h, ok := byHost[host]
		if !ok {
			h = &hostQueue{}
			byHost[host] = h
			q.hosts = append(q.hosts, h)
		}
		h.jobs = append(h.jobs, i)
	}
	return q
}

// hostOf returns the lower-cased host[:port] of an endpoint URL for grouping
// only (Send checks the endpoint properly): a string cut instead of a
// url.Parse per job, which was most of SendAll's own allocations.
func hostOf(endpoint string) string {
	_, rest, ok := strings.Cut(endpoint, "://")
	if !ok {
		if u, err := url.Parse(endpoint); err == nil {
			return strings.ToLower(u.Host)
		}
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	return strings.ToLower(rest)
}

// next returns a pending job from the host with the fewest requests in flight.
func (q *hostQueues) next() (int, *hostQueue, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var best *hostQueue
	for _, h := range q.hosts {
		if len(h.jobs) > 0 && (best == nil || h.inFlight < best.inFlight) {
			best = h
		}
	}
	if best == nil {
		return 0, nil, false
	}
	i := best.jobs[0]
	best.jobs = best.jobs[1:]
	best.inFlight++
	return i, best, true
}

func (q *hostQueues) done(h *hostQueue) {
	q.mu.Lock()
	h.inFlight--
	q.mu.Unlock()
}
