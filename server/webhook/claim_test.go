package webhook

import "testing"

// A delivery that finishes while the dispatcher iterates an outbox read taken
// before it finished must not be handed out again from that read: the copy
// read is stale (the event is delivered), so it would go out twice
// (TestPlanLifeArrivesSigned saw "delivered twice" once under load).
func TestStaleReadDoesNotDeliverAgain(t *testing.T) {
	s := &Service{inflight: map[string]bool{}, released: map[string]uint64{}}
	read := s.readStarted() // the dispatcher reads X among the due events…
	if !s.claim("X", read) {
		t.Fatal("a due event could not be claimed")
	}
	if s.claim("X", read) {
		t.Fatal("an event being delivered was claimed again")
	}
	stale := s.readStarted() // …reads again while X is still in flight…
	s.release("X")           // …X is delivered and recorded…
	if s.claim("X", stale) { // …and the stale read still lists X.
		t.Fatal("an event whose delivery finished after the read began was claimed from that read")
	}
	fresh := s.readStarted() // a read after the delivery sees it as it is
	if !s.claim("Y", fresh) {
		t.Fatal("another event could not be claimed")
	}
	if !s.claim("X", fresh) {
		t.Fatal("a read begun after the delivery finished could not claim the event (e.g. due again for a retry)")
	}
	if len(s.released) != 0 {
		t.Errorf("finished deliveries kept after a later read: %v", s.released)
	}
}
