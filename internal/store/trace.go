package store

import (
	"fmt"

	"gorm.io/gorm"
)

// Trace calls fn with the SQL of every statement the store runs from now
// on, on every pool, as the database received it (arguments as
// placeholders), for the tests and benchmarks that count the queries of a
// page (an N+1 shows as a count that grows with the data). fn must be safe
// for concurrent use. Call it once per store.
func (s *Store) Trace(fn func(sql string)) error {
	dbs := []*gorm.DB{s.db}
	if s.reader != nil {
		dbs = append(dbs, s.reader)
	}
	trace := func(db *gorm.DB) { fn(db.Statement.SQL.String()) }
	for _, db := range dbs {
		cb := db.Callback()
		for _, reg := range []func() error{
			func() error { return cb.Query().After("gorm:query").Register("inventera:trace", trace) },
			func() error { return cb.Row().After("gorm:row").Register("inventera:trace", trace) },
			func() error { return cb.Raw().After("gorm:raw").Register("inventera:trace", trace) },
			func() error { return cb.Create().After("gorm:create").Register("inventera:trace", trace) },
			func() error { return cb.Update().After("gorm:update").Register("inventera:trace", trace) },
			func() error { return cb.Delete().After("gorm:delete").Register("inventera:trace", trace) },
		} {
			if err := reg(); err != nil {
				return fmt.Errorf("store: trace: %w", err)
			}
		}
	}
	return nil
}
