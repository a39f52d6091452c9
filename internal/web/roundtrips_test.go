package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
	"github.com/inventera/inventera/internal/web"
)

// statementLog collects the statements a store sends while it is on.
type statementLog struct {
	mu    sync.Mutex
	on    bool
	stmts []string
}

func (l *statementLog) trace(stmt string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.stmts = append(l.stmts, stmt)
	}
}

// during returns the statements sent while fn ran.
func (l *statementLog) during(fn func()) []string {
	l.mu.Lock()
	l.on, l.stmts = true, nil
	l.mu.Unlock()
	fn()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	return l.stmts
}

// TestRoundTrips counts the database round trips (statements, and BEGIN and
// COMMIT) of the requests that carry the load: a respondent's page view, a
// submission of a complete form (with and without an idempotency key, and
// its repeat), and a staff member's round overview. Each must stay within
// its budget, so that a change that adds queries to them shows here. The
// audit trail of a save is one INSERT however many fields it records.
func TestRoundTrips(t *testing.T) {
	var log statementLog
	e := newEnvOn(t, web.Config{}, storetest.MustOpenWith(t, store.Options{Trace: log.trace}))
	respondent := e.client()
	if status, _ := e.get(respondent, "/l/"+e.token); status != http.StatusOK { // the link's first use is recorded once
		t.Fatalf("first page view: status %d", status)
	}
	staffer := e.client()
	e.login(staffer, staff.Samordnare)
	keyed := with(validForm(), map[string][]string{"idem": {"nyckel-for-rundresor-1"}})

	for _, tc := range []struct {
		name       string
		budget     int
		wantStatus int
		do         func() int
		audit      bool // one INSERT of audit events
	}{
		// The review's questions and the carry-forward's lineage are two
		// more queries (7).
		{"GET /l/TOKEN (sidvisning)", 7, http.StatusOK, func() int { s, _ := e.get(respondent, "/l/"+e.token); return s }, false},
		{"POST /l/TOKEN/ny (inlämning)", 7, http.StatusSeeOther, func() int {
			s, _, _ := e.post(respondent, "/l/"+e.token+"/ny", validForm())
			return s
		}, true},
		// A post under a key is one more: the key, inserted with the
		// answer beside the writes.
		{"POST /l/TOKEN/ny med nyckel", 8, http.StatusSeeOther, func() int {
			s, _, _ := e.post(respondent, "/l/"+e.token+"/ny", keyed)
			return s
		}, true},
		// Its repeat does the writes again, finds the key stored, reads
		// the first answer and rolls back (9): repeats are rare, and the
		// first post saves the round trip that a check up front would cost.
		{"POST /l/TOKEN/ny med samma nyckel igen", 9, http.StatusSeeOther, func() int {
			s, _, _ := e.post(respondent, "/l/"+e.token+"/ny", keyed)
			return s
		}, false},
		// The national progress page (12): the kommuner's counts and their
		// open questions are two grouped queries, the filter's områden and
		// the number of matches for the pages two more, and the page's
		// units (with their counts), members and links three. None grows
		// with the round's size.
		{"GET /admin/omgangar/ID (samordnare)", 12, http.StatusOK, func() int {
			s, _ := e.get(staffer, fmt.Sprintf("/admin/omgangar/%d", e.round.ID))
			return s
		}, false},
	} {
		var status int
		stmts := log.during(func() { status = tc.do() })
		if status != tc.wantStatus {
			t.Errorf("%s: status %d, want %d", tc.name, status, tc.wantStatus)
		}
		t.Logf("%s: %d round trips\n\t%s", tc.name, len(stmts), strings.Join(stmts, "\n\t"))
		if len(stmts) > tc.budget {
			t.Errorf("%s: %d round trips, want at most %d", tc.name, len(stmts), tc.budget)
		}
		audits := 0
		for _, s := range stmts {
			if strings.Contains(s, "INSERT INTO \"audit_events\"") || strings.Contains(s, "INSERT INTO `audit_events`") {
				audits++
			}
		}
		if tc.audit && audits != 1 {
			t.Errorf("%s: %d INSERTs of audit events, want 1", tc.name, audits)
		}
	}
	if n := len(e.evaluations(e.unit.ID)); n != 2 {
		t.Errorf("%d evaluations stored, want 2 (the repeat with the same key stores nothing)", n)
	}
}
