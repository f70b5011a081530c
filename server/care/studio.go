package care

import (
	"io"
	"time"
)

// Clock is the service's current time, the one it stamps and decides by.
func (s *Service) Clock() time.Time { return s.now() }

// Ping reports whether the database still answers (GET /healthz).
func (s *Service) Ping() error { return s.DB.Ping() }

// Backup is a compacted, verified snapshot of the database (live records
// only), open for reading, with its length; closing it frees its space.
func (s *Service) Backup() (io.ReadCloser, int64, error) {
	f, size, err := s.DB.Snapshot()
	if err != nil {
		return nil, 0, err
	}
	return f, size, nil
}

// CheckPlan reports ErrNotFound unless token is a stored plan's.
func (s *Service) CheckPlan(token string) error {
	_, err := s.DB.Plan(token)
	return err
}

// ClientName is the name of the plan's client (the home-screen app's title).
func (s *Service) ClientName(token string) (string, error) {
	p, err := s.DB.Plan(token)
	return p.ClientName, err
}
