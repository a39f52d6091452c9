package respond

import (
	"fmt"
	"strings"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// No lost update. Every evaluation carries a version that every write
// advances (store.Queries.UpdateEvaluation), and every form that changes
// one carries the version it was loaded with: the web form as a hidden
// field (which autosave keeps up to date), the unit's Excel form as a
// column. A save against the version stored is a plain save. A save from a
// stale form (a second tab, an old Excel file, an autosave of a page left
// open) is merged three ways, per field:
//
//   - base: the answers as they were at the version the form was loaded
//     with, recovered from the audit trail (see answersAt);
//   - mine: what the save posts;
//   - theirs: what is stored now.
//
// A field only one side changed takes that side's value; a field both
// changed to the same value keeps it. A field both changed differently is a
// conflict: nothing is stored, and the save is refused with a
// *ConflictError that says, per field, what was posted and what is stored,
// so the user can choose and save again against the stored version.
//
// The base comes from the audit trail rather than from the form (hidden
// copies of the loaded values) because the trail is written in the same
// transaction as every change, by the server, and so cannot drift from the
// version or be altered by the client; the client sends one number. It also
// works unchanged for the Excel form, whose cells the user edits and which
// could not carry an untouched copy of the loaded values. When the base
// cannot be recovered (a form without a version, from before versions
// were kept), every field that differs from what is stored counts as a
// conflict: nothing is guessed.

// Conflict is one evaluation whose save was refused because someone else
// changed it after the form was loaded.
type Conflict struct {
	ID      int64
	Line    int    // the Excel form's row; 0 for the web form
	Title   string // the evaluation's name as stored now
	Version int64  // the version stored now: a save against it is current
	Stored  form.Answers
	// Merged is what was posted with the changes someone else made to other
	// fields taken in; a conflicting field holds what was posted. Saved
	// against Version, with each conflicting field as the user chooses, it
	// loses nothing of either side.
	Merged form.Answers
	// Fields are the codes changed both in the save and by someone else,
	// to different values, in form order.
	Fields []string
	// Others are the codes only someone else changed (taken into Merged),
	// in form order.
	Others []string
	// Deleted says the evaluation was deleted after the form was loaded:
	// what was posted (Merged) can only be saved as a new evaluation.
	Deleted bool
}

// ConflictError refuses a save from a stale form, or an upload holding
// stale rows, with the conflicts. It is an apperror.Conflict to every
// caller that does not look closer.
type ConflictError struct {
	Conflicts []Conflict
	err       *apperror.Error
}

func newConflictError(cs []Conflict) *ConflictError {
	var msg string
	switch c := cs[0]; {
	case len(cs) > 1:
		msg = fmt.Sprintf("Någon annan har ändrat %d av utvärderingarna i filen sedan du laddade ner den. Ingenting sparades.", len(cs))
	case c.Line > 0:
		msg = fmt.Sprintf("Någon annan har ändrat utvärderingen på rad %d (”%s”) sedan du laddade ner filen. Ingenting sparades.", c.Line, c.Title)
	case c.Deleted:
		msg = "Utvärderingen har tagits bort av någon annan sedan du öppnade den. Ingenting sparades."
	default:
		msg = fmt.Sprintf("Någon annan har ändrat utvärderingen ”%s” sedan du öppnade den. Ingenting sparades.", c.Title)
	}
	return &ConflictError{Conflicts: cs, err: apperror.New(apperror.Conflict, "%s", msg)}
}

func (e *ConflictError) Error() string { return e.err.Message }
func (e *ConflictError) Unwrap() error { return e.err }

// merged is the outcome of a three-way merge.
type merged struct {
	answers   form.Answers
	conflicts []string // changed on both sides, differently
	others    []string // changed by someone else only: taken in
}

// merge merges a save from a stale form (mine) with what is stored now
// (theirs), field by field over the definition, against the answers at the
// version the form was loaded with (base; known false when they could not
// be recovered, and then every field that differs is a conflict). Values
// are compared as the rules read them (canonical where valid, so "1 234,5"
// and "1234.5" are the same answer); the merged answers hold each side's
// own text.
func merge(def *form.Definition, base form.Answers, known bool, mine, theirs form.Answers) merged {
	b, m, t := comparable(def, base), comparable(def, mine), comparable(def, theirs)
	out := merged{answers: form.Answers{}}
	for _, f := range def.Fields {
		code := f.Code
		mineChanged, theirsChanged := true, true
		if known {
			mineChanged, theirsChanged = m[code] != b[code], t[code] != b[code]
		}
		v := mine[code]
		switch {
		case m[code] == t[code]:
		case !theirsChanged:
		case !mineChanged:
			v = theirs[code]
			out.others = append(out.others, code)
		default:
			out.conflicts = append(out.conflicts, code)
		}
		if strings.TrimSpace(v) != "" {
			out.answers[code] = v
		}
	}
	return out
}

// comparable is a as the rules read it: each value canonical where it is
// valid on its own, else trimmed as typed; a blank field with a default
// holds the default.
func comparable(def *form.Definition, a form.Answers) form.Answers {
	c, _ := def.Validate(a, form.ModeForm)
	for _, f := range def.Fields {
		if _, ok := c[f.Code]; !ok {
			if v := strings.TrimSpace(a[f.Code]); v != "" {
				c[f.Code] = v
			}
		}
	}
	return c
}

// answersAt returns the evaluation's answers as they were at version v: the
// answers stored now with the changes after v undone, newest first, from
// their audit events' old values. ok is false when v is no earlier version
// of the evaluation or a change after it left no trail (every change leaves
// at least one event carrying its version, so a missing version shows).
func answersAt(q *store.Queries, cur round.Evaluation, v int64) (a form.Answers, ok bool, err error) {
	if v <= 0 || v > cur.Version {
		return nil, false, nil
	}
	a = cur.Answers.Clone()
	if v == cur.Version {
		return a, true, nil
	}
	evs, err := q.EvaluationChanges(cur.ID, v)
	if err != nil {
		return nil, false, err
	}
	versions := map[int64]bool{}
	for _, ev := range evs {
		if ev.EvaluationVersion == nil || *ev.EvaluationVersion > cur.Version {
			return nil, false, nil
		}
		versions[*ev.EvaluationVersion] = true
		if ev.Field == "" {
			continue
		}
		if ev.OldValue == "" {
			delete(a, ev.Field)
		} else {
			a[ev.Field] = ev.OldValue
		}
	}
	if int64(len(versions)) != cur.Version-v {
		return nil, false, nil
	}
	return a, true, nil
}

// reconcile brings a save from a stale form up to the stored evaluation
// cur: it returns the answers to store (what was posted with the others'
// changes merged in) and the fields someone else changed, or a Conflict
// when the same field was changed on both sides. background refuses any
// merge that takes in others' changes: the page that sent it does not show
// them, so its next save would undo them.
func (s *Service) reconcile(q *store.Queries, cur round.Evaluation, loaded int64, posted form.Answers, background bool) (form.Answers, []string, *Conflict, error) {
	if cur.Version == loaded {
		return posted, nil, nil, nil
	}
	base, known, err := answersAt(q, cur, loaded)
	if err != nil {
		return nil, nil, nil, err
	}
	m := merge(s.Form, base, known, posted, cur.Answers)
	if len(m.conflicts) > 0 || (background && len(m.others) > 0) {
		return nil, nil, &Conflict{ID: cur.ID, Title: cur.Title(), Version: cur.Version, Stored: cur.Answers,
			Merged: m.answers, Fields: m.conflicts, Others: m.others}, nil
	}
	return m.answers, m.others, nil, nil
}
