package respond_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/respond"
)

// loaded is the evaluation both tabs open: complete, with a few optional
// answers.
func loaded() form.Answers {
	a := complete("Brukarenkät")
	a["uppdragsgivare"] = "SCB"
	a["timmar"] = "12.5"
	return a
}

// edited is the answers a tab posts: what it loaded, with changes ("" clears
// a field).
func edited(changes map[string]string) form.Answers {
	a := loaded()
	for k, v := range changes {
		a[k] = v
	}
	return a
}

// TestStaleSave: tab A saves first, from the version both tabs loaded (or
// from later ones); then tab B saves from the version it loaded. Either B's
// save merges and nothing of A's is lost, or it is refused with the fields
// changed on both sides and nothing of B's is stored.
func TestStaleSave(t *testing.T) {
	type tab struct {
		changes map[string]string
		draft   bool
		delete  bool
	}
	tests := []struct {
		name string
		a    []tab // saved one after the other, each from the version the previous made
		b    tab
		// bVersion is the version B loaded: 1 (with A's first), or -1 for
		// none (a form without a version).
		bVersion   int64
		background bool
		// want: the answers stored after B (checked for these fields), and
		// B's outcome.
		want      map[string]string
		others    []string // fields A changed that B's merge kept
		conflicts []string // nil: B is stored
		deleted   bool
		ruleError string // B is refused by a rule on the merged answers
	}{
		{
			name:     "different fields merge",
			a:        []tab{{changes: map[string]string{"syfte": "A:s syfte"}}},
			b:        tab{changes: map[string]string{"kommentar": "B:s kommentar"}},
			bVersion: 1,
			want:     map[string]string{"syfte": "A:s syfte", "kommentar": "B:s kommentar"},
			others:   []string{"syfte"},
		},
		{
			name:     "same field, same value",
			a:        []tab{{changes: map[string]string{"syfte": "Samma"}}},
			b:        tab{changes: map[string]string{"syfte": "Samma", "kommentar": "B"}},
			bVersion: 1,
			want:     map[string]string{"syfte": "Samma", "kommentar": "B"},
		},
		{
			name:      "same field, different values",
			a:         []tab{{changes: map[string]string{"syfte": "A:s syfte"}}},
			b:         tab{changes: map[string]string{"syfte": "B:s syfte", "kommentar": "B:s kommentar"}},
			bVersion:  1,
			want:      map[string]string{"syfte": "A:s syfte", "kommentar": ""},
			others:    nil,
			conflicts: []string{"syfte"},
		},
		{
			name:      "a conflict refuses the merge of the other fields too",
			a:         []tab{{changes: map[string]string{"syfte": "A:s syfte", "timmar": "10"}}},
			b:         tab{changes: map[string]string{"syfte": "B:s syfte", "kommentar": "B"}},
			bVersion:  1,
			want:      map[string]string{"syfte": "A:s syfte", "timmar": "10", "kommentar": ""},
			others:    []string{"timmar"},
			conflicts: []string{"syfte"},
		},
		{
			name:     "a field cleared on one side",
			a:        []tab{{changes: map[string]string{"uppdragsgivare": ""}}},
			b:        tab{changes: map[string]string{"syfte": "B:s syfte"}},
			bVersion: 1,
			want:     map[string]string{"uppdragsgivare": "", "syfte": "B:s syfte"},
			others:   []string{"uppdragsgivare"},
		},
		{
			name:     "a number written the Swedish way is no change",
			a:        []tab{{changes: map[string]string{"timmar": "20"}}},
			b:        tab{changes: map[string]string{"timmar": "12,5", "periodicitet": "Årligen", "kommentar": "B"}},
			bVersion: 1,
			want:     map[string]string{"timmar": "20", "kommentar": "B"},
			others:   []string{"timmar"},
		},
		{
			name: "several saves since",
			a: []tab{{changes: map[string]string{"syfte": "A1"}},
				{changes: map[string]string{"syfte": "A1", "kommentar": "A2"}}},
			b:        tab{changes: map[string]string{"timmar": "7"}},
			bVersion: 1,
			want:     map[string]string{"syfte": "A1", "kommentar": "A2", "timmar": "7"},
			others:   []string{"syfte", "kommentar"},
		},
		{
			name:      "several saves since, one of them on B's field",
			a:         []tab{{changes: map[string]string{"kommentar": "A1"}}, {changes: map[string]string{"kommentar": "A1", "syfte": "A2"}}},
			b:         tab{changes: map[string]string{"kommentar": "B"}},
			bVersion:  1,
			want:      map[string]string{"kommentar": "A1", "syfte": "A2"},
			others:    []string{"syfte"},
			conflicts: []string{"kommentar"},
		},
		{
			name:      "no version: every difference is a conflict",
			a:         []tab{{changes: map[string]string{"syfte": "A:s syfte"}}},
			b:         tab{changes: map[string]string{"kommentar": "B"}},
			bVersion:  -1,
			want:      map[string]string{"syfte": "A:s syfte", "kommentar": ""},
			conflicts: []string{"syfte", "kommentar"},
		},
		{
			name:     "no version, nothing differs",
			a:        []tab{{changes: map[string]string{"syfte": "A:s syfte"}}},
			b:        tab{changes: map[string]string{"syfte": "A:s syfte"}},
			bVersion: -1,
			want:     map[string]string{"syfte": "A:s syfte"},
		},
		{
			name:       "autosave with others' changes is refused",
			a:          []tab{{changes: map[string]string{"syfte": "A:s syfte"}}},
			b:          tab{changes: map[string]string{"kommentar": "B"}, draft: true},
			bVersion:   1,
			background: true,
			want:       map[string]string{"syfte": "A:s syfte", "kommentar": ""},
			others:     []string{"syfte"},
			conflicts:  []string{},
		},
		{
			name:       "autosave after a save that changed nothing",
			a:          []tab{{changes: map[string]string{}}},
			b:          tab{changes: map[string]string{"kommentar": "B"}, draft: true},
			bVersion:   1,
			background: true,
			want:       map[string]string{"kommentar": "B"},
		},
		{
			name:     "a draft merges too",
			a:        []tab{{changes: map[string]string{"syfte": "A:s syfte"}}},
			b:        tab{changes: map[string]string{"kommentar": "B", "timmar": "tolv"}, draft: true},
			bVersion: 1,
			want:     map[string]string{"syfte": "A:s syfte", "kommentar": "B", "timmar": "tolv"},
			others:   []string{"syfte"},
		},
		{
			name:      "a merge that breaks a rule is refused by the rule",
			a:         []tab{{changes: map[string]string{"konsult_kr": "5000", "timmar": ""}}},
			b:         tab{changes: map[string]string{"kostnad_totalt_kr": "9000", "timmar": ""}},
			bVersion:  1,
			want:      map[string]string{"konsult_kr": "5000", "kostnad_totalt_kr": ""},
			others:    []string{"konsult_kr"},
			ruleError: "kostnad_totalt_kr",
		},
		{
			name:     "deleted meanwhile",
			a:        []tab{{delete: true}},
			b:        tab{changes: map[string]string{"kommentar": "B"}},
			bVersion: 1,
			deleted:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			sc := f.resp.ByLink(f.tokens["heby"])
			first, err := f.resp.Save(ctx, sc, respond.Edit{Answers: loaded()})
			if err != nil || len(first.Errors) > 0 {
				t.Fatalf("first save: %v %v", err, first.Errors)
			}
			id := first.Evaluation.ID
			version := first.Evaluation.Version
			for i, a := range tt.a {
				if a.delete {
					if err := f.resp.Delete(ctx, sc, id, 0); err != nil {
						t.Fatal(err)
					}
					continue
				}
				s, err := f.resp.Save(ctx, sc, respond.Edit{ID: id, Version: version, Answers: edited(a.changes), Draft: a.draft})
				if err != nil || (!a.draft && len(s.Errors) > 0) || len(s.Others) > 0 {
					t.Fatalf("tab A, save %d: %v %v others %v", i+1, err, s.Errors, s.Others)
				}
				if s.Evaluation.Version != version+1 {
					t.Fatalf("tab A, save %d: version %d, want %d", i+1, s.Evaluation.Version, version+1)
				}
				version = s.Evaluation.Version
			}
			bVersion := tt.bVersion
			if bVersion < 0 {
				bVersion = 0
			}
			b, err := f.resp.Save(ctx, sc, respond.Edit{ID: id, Version: bVersion, Answers: edited(tt.b.changes),
				Draft: tt.b.draft, Background: tt.background})

			var ce *respond.ConflictError
			switch {
			case tt.deleted:
				if !errors.As(err, &ce) || !ce.Conflicts[0].Deleted {
					t.Fatalf("B after a delete: %v, want a conflict saying it was deleted", err)
				}
				if got := ce.Conflicts[0].Merged.Get("kommentar"); got != "B" {
					t.Errorf("the conflict keeps kommentar %q, want what B typed", got)
				}
				return
			case tt.conflicts != nil:
				if !errors.As(err, &ce) || apperror.Code(err) != apperror.Conflict {
					t.Fatalf("B: %v, want a conflict", err)
				}
				c := ce.Conflicts[0]
				if !slices.Equal(c.Fields, tt.conflicts) || !slices.Equal(c.Others, tt.others) {
					t.Errorf("conflict fields %v others %v, want %v and %v", c.Fields, c.Others, tt.conflicts, tt.others)
				}
				if c.ID != id || c.Version != version || c.Title != "Brukarenkät" {
					t.Errorf("conflict names evaluation %d version %d %q, want %d version %d", c.ID, c.Version, c.Title, id, version)
				}
				// Nothing B typed is lost: the conflict holds it, and the
				// others' changes to other fields.
				for k, v := range tt.b.changes {
					if !slices.Contains(c.Others, k) && c.Merged.Get(k) != v {
						t.Errorf("conflict keeps %s = %q, want B's %q", k, c.Merged.Get(k), v)
					}
				}
				for _, k := range c.Fields {
					if c.Stored.Get(k) != tt.want[k] {
						t.Errorf("conflict says %s is stored as %q, want %q", k, c.Stored.Get(k), tt.want[k])
					}
				}
			case tt.ruleError != "":
				if err != nil || b.Errors.For(tt.ruleError) == "" {
					t.Fatalf("B: %v %v, want a rule error on %s", err, b.Errors, tt.ruleError)
				}
				if b.Evaluation.Version != version || !slices.Equal(b.Others, tt.others) {
					t.Errorf("refused B shows version %d others %v, want %d and %v", b.Evaluation.Version, b.Others, version, tt.others)
				}
				if b.Evaluation.Answers.Get("konsult_kr") != "5000" || b.Evaluation.Answers.Get("kostnad_totalt_kr") != "9000" {
					t.Errorf("refused B shows %v, want both sides' answers", b.Evaluation.Answers)
				}
			default:
				if err != nil || (!tt.b.draft && len(b.Errors) > 0) {
					t.Fatalf("B: %v %v, want it stored", err, b.Errors)
				}
				if !slices.Equal(b.Others, tt.others) {
					t.Errorf("B kept others' changes in %v, want %v", b.Others, tt.others)
				}
				if b.Evaluation.Version != version+1 {
					t.Errorf("B stored version %d, want %d", b.Evaluation.Version, version+1)
				}
				version++
			}
			got, err := f.st.Q(ctx).Evaluation(f.units["heby"].ID, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != version {
				t.Errorf("stored version %d, want %d", got.Version, version)
			}
			for k, v := range tt.want {
				if got.Answers.Get(k) != v {
					t.Errorf("stored %s = %q, want %q", k, got.Answers.Get(k), v)
				}
			}
		})
	}
}

// TestStaleUpload: rows of an old Excel form merge as the web form does; a
// row that changes a field changed since refuses the whole upload, every
// such row named, and nothing is stored.
func TestStaleUpload(t *testing.T) {
	f := newFixture(t)
	sc := f.resp.ByLink(f.tokens["heby"])
	unit := f.units["heby"].ID
	var ids []int64
	for _, name := range []string{"Brukarenkät", "Medarbetarenkät"} {
		s, err := f.resp.Save(ctx, sc, respond.Edit{Answers: complete(name)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.Evaluation.ID)
	}
	// The file is downloaded at version 1 of both; then both are changed
	// on the web.
	for _, id := range ids {
		cur, _ := f.st.Q(ctx).Evaluation(unit, id)
		changed := cur.Answers.Clone()
		changed["syfte"] = "Ändrat på webben"
		if _, err := f.resp.Save(ctx, sc, respond.Edit{ID: id, Version: 1, Answers: changed}); err != nil {
			t.Fatal(err)
		}
	}
	row := func(line int, id int64, name string, changes map[string]string) respond.Row {
		a := complete(name)
		for k, v := range changes {
			a[k] = v
		}
		return respond.Row{Line: line, ID: id, Version: 1, Answers: a}
	}

	// The file changes syfte in one row: refused, nothing stored, not even
	// the new row or the other row's harmless change.
	_, err := f.resp.Upload(ctx, sc, []respond.Row{
		row(3, ids[0], "Brukarenkät", map[string]string{"syfte": "Ändrat i filen", "kommentar": "Från filen"}),
		row(4, ids[1], "Medarbetarenkät", map[string]string{"kommentar": "Från filen"}),
		{Line: 5, Answers: complete("Ny i filen")},
	})
	var ce *respond.ConflictError
	if !errors.As(err, &ce) || len(ce.Conflicts) != 1 {
		t.Fatalf("stale upload: %v, want one conflicting row", err)
	}
	if c := ce.Conflicts[0]; c.Line != 3 || !slices.Equal(c.Fields, []string{"syfte"}) || c.Stored.Get("syfte") != "Ändrat på webben" || c.Merged.Get("syfte") != "Ändrat i filen" {
		t.Errorf("conflict %+v, want row 3, syfte, both values", c)
	}
	evs, _ := f.st.Q(ctx).UnitEvaluations(unit)
	if len(evs) != 2 || evs[0].Version != 2 || evs[1].Version != 2 || evs[1].Answers.Get("kommentar") != "" {
		t.Fatalf("a refused upload changed the unit's evaluations: %+v", evs)
	}

	// Without the conflicting change: merged, the web's syfte kept.
	up, err := f.resp.Upload(ctx, sc, []respond.Row{
		row(3, ids[0], "Brukarenkät", map[string]string{"kommentar": "Från filen"}),
		row(4, ids[1], "Medarbetarenkät", map[string]string{"kommentar": "Från filen"}),
		{Line: 5, Answers: complete("Ny i filen")},
	})
	if err != nil || up.Saved != 3 || !slices.Equal(up.Others, []string{"syfte"}) {
		t.Fatalf("merged upload: %+v %v, want 3 saved, syfte kept", up, err)
	}
	evs, _ = f.st.Q(ctx).UnitEvaluations(unit)
	if len(evs) != 3 {
		t.Fatalf("%d evaluations after the upload, want 3", len(evs))
	}
	for _, e := range evs[:2] {
		if e.Answers.Get("syfte") != "Ändrat på webben" || e.Answers.Get("kommentar") != "Från filen" || e.Version != 3 {
			t.Errorf("%s: syfte %q kommentar %q version %d, want both changes at version 3", e.Title(), e.Answers.Get("syfte"), e.Answers.Get("kommentar"), e.Version)
		}
	}
}

// TestMergeAudited: a merged save is audited like any other, its events
// carry the version it made, and the answers at every earlier version are
// still recovered (a third stale tab merges against the right base).
func TestMergeAudited(t *testing.T) {
	f := newFixture(t)
	sc := f.resp.ByLink(f.tokens["heby"])
	first, err := f.resp.Save(ctx, sc, respond.Edit{Answers: loaded()})
	if err != nil {
		t.Fatal(err)
	}
	id := first.Evaluation.ID
	steps := []struct {
		from    int64
		changes map[string]string
		others  []string
	}{
		{1, map[string]string{"syfte": "A"}, nil},
		{1, map[string]string{"kommentar": "B"}, []string{"syfte"}},
		{1, map[string]string{"uppdragsgivare": "C"}, []string{"syfte", "kommentar"}},
		{2, map[string]string{"syfte": "A", "timmar": "3"}, []string{"uppdragsgivare", "kommentar"}}, // form order
	}
	for i, s := range steps {
		got, err := f.resp.Save(ctx, sc, respond.Edit{ID: id, Version: s.from, Answers: edited(s.changes)})
		if err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		if !slices.Equal(got.Others, s.others) || got.Evaluation.Version != int64(i+2) {
			t.Errorf("step %d: others %v version %d, want %v and %d", i+1, got.Others, got.Evaluation.Version, s.others, i+2)
		}
	}
	e, _ := f.st.Q(ctx).Evaluation(f.units["heby"].ID, id)
	want := map[string]string{"syfte": "A", "kommentar": "B", "uppdragsgivare": "C", "timmar": "3"}
	for k, v := range want {
		if e.Answers.Get(k) != v {
			t.Errorf("stored %s = %q, want %q", k, e.Answers.Get(k), v)
		}
	}
	trail, err := f.st.Q(ctx).EvaluationChanges(id, 0)
	if err != nil {
		t.Fatal(err)
	}
	versions := map[int64]bool{}
	for _, ev := range trail {
		versions[*ev.EvaluationVersion] = true
		if ev.Actor != "Verksamhetschef via personlig länk" {
			t.Errorf("event by %q", ev.Actor)
		}
	}
	if len(versions) != 5 {
		t.Errorf("events carry versions %v, want 1 to 5", versions)
	}
}

// TestConflictIsAnAppErrorConflict: a caller that does not look closer maps
// a stale save to 409 with a Swedish message.
func TestConflictIsAnAppErrorConflict(t *testing.T) {
	f := newFixture(t)
	sc := f.resp.ByLink(f.tokens["heby"])
	s, _ := f.resp.Save(ctx, sc, respond.Edit{Answers: loaded()})
	if _, err := f.resp.Save(ctx, sc, respond.Edit{ID: s.Evaluation.ID, Version: 1, Answers: edited(map[string]string{"syfte": "A"})}); err != nil {
		t.Fatal(err)
	}
	_, err := f.resp.Save(ctx, sc, respond.Edit{ID: s.Evaluation.ID, Version: 1, Answers: edited(map[string]string{"syfte": "B"})})
	if apperror.Code(err) != apperror.Conflict || apperror.Message(err) != "Någon annan har ändrat utvärderingen ”Brukarenkät” sedan du öppnade den. Ingenting sparades." {
		t.Errorf("got %s %q", apperror.Code(err), apperror.Message(err))
	}
}
