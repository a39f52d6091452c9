package respond

import (
	"sort"
	"time"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/store"
)

func auditEvent(roundID, unitID, evalID int64, at time.Time, actor, action, field, old, new string) store.AuditEvent {
	ev := store.AuditEvent{At: at, Actor: actor, RoundID: &roundID, Action: action, Field: field, OldValue: old, NewValue: new}
	if unitID != 0 {
		ev.UnitID = &unitID
	}
	if evalID != 0 {
		ev.EvaluationID = &evalID
	}
	return ev
}

func union(a, b form.Answers) map[string]bool {
	m := make(map[string]bool, len(a)+len(b))
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return m
}

func sortEvents(evs []store.AuditEvent) {
	sort.Slice(evs, func(i, j int) bool { return evs[i].Field < evs[j].Field })
}
