package store

import "context"

// Q returns the queries over the plain connection (no transaction), for reads
// and single-statement writes.
func (s *Store) Q(ctx context.Context) *Queries { return s.q(ctx) }
