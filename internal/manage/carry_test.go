package manage_test

import (
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
)

func complete(periodicitet, name string) form.Answers {
	return form.Answers{"benamning": name, "periodicitet": periodicitet, "uppdragsgivare_typ": "extern",
		"syfte": "Statistik", "resultatansvarig": "verksamhetschef", "anvandning": "handlingsplan", "timmar": "10"}
}

func TestCarryForward(t *testing.T) {
	f := newFixture(t)
	tok := f.byLink(f.links["Socialnämnden/Heby"])
	for _, a := range []form.Answers{complete("arligen", "Brukarenkät"), complete("engangs", "Utredning 2009"), complete("flera_per_ar", "Månadsrapport")} {
		if sv, err := f.resp.Save(ctx, tok, respond.Edit{Answers: a}); err != nil || sv.Errors != nil {
			t.Fatal(err, sv.Errors)
		}
	}
	if err := f.resp.Submit(ctx, tok); err != nil {
		t.Fatal(err)
	}
	next, err := f.m.CarryForward(ctx, f.system, f.round.ID, manage.RoundInput{Name: "Resultatstyrning 2010", HourlyRate: "290"})
	if err != nil {
		t.Fatal(err)
	}
	if next.HourlyRate != 290 || next.State != round.Open {
		t.Errorf("new round = %+v", next)
	}
	ov, err := f.m.Overview(ctx, f.system, next.ID, manage.OverviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.Kommuner) != 2 || len(ov.Units) != 5 {
		t.Fatalf("carried %d kommuner, %d units; want 2 and 5", len(ov.Kommuner), len(ov.Units))
	}
	var heby manage.UnitStatus
	for _, u := range ov.Units {
		if u.Name == "Socialnämnden" && u.Kommuner[0] == "Heby" {
			heby = u
		}
		if u.Response != round.NoResponse {
			t.Errorf("%s carried its answer %q", u.Name, u.Response)
		}
		if u.Link == "" || u.Link == f.links[u.Name+"/"+u.Kommuner[0]] {
			t.Errorf("%s has no new link", u.Name)
		}
	}
	if heby.Evaluations != 2 {
		t.Fatalf("Heby Socialnämnden carried %d evaluations, want the 2 recurring", heby.Evaluations)
	}
	page, err := f.resp.Open(ctx, f.byLink(heby.Link))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Evaluations {
		if e.Complete {
			t.Errorf("%s carried as complete; want a draft to confirm", e.Title())
		}
		if e.Answers.Get("periodicitet") == "engangs" {
			t.Errorf("one-off evaluation %s carried", e.Title())
		}
	}
	// The old round's links still open the old round.
	old, err := f.resp.Open(ctx, tok)
	if err != nil || old.Round.ID != f.round.ID {
		t.Errorf("old link opens round %d (%v)", old.Round.ID, err)
	}
	// Only the samordnare may carry forward.
	pl := manage.Actor{Email: "pl@heby.example", Role: "projektledare", Kommun: "Heby"}
	if _, err := f.m.CarryForward(ctx, pl, f.round.ID, manage.RoundInput{Name: "X"}); err == nil {
		t.Error("projektledare carried a round forward")
	}
}

func TestAuditTrail(t *testing.T) {
	f := newFixture(t)
	tok := f.byLink(f.links["Socialnämnden/Heby"])
	saved, err := f.resp.Save(ctx, tok, respond.Edit{Answers: complete("arligen", "Brukarenkät")})
	if err != nil {
		t.Fatal(err)
	}
	pl := manage.Actor{Email: "pl@heby.example", Role: "projektledare", Kommun: "Heby"}
	changed := complete("arligen", "Brukarenkät hemtjänst")
	changed["timmar"] = "12,5"
	if sv, err := f.resp.Save(ctx, pl.UnitScope(f.units["Socialnämnden/Heby"].ID), respond.Edit{ID: saved.Evaluation.ID, Version: saved.Evaluation.Version, Answers: changed}); err != nil || sv.Errors != nil {
		t.Fatal(err, sv.Errors)
	}
	def := form.MustEvaluation()
	trail, err := f.m.AuditTrail(ctx, f.system, def, f.round.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	find := func(actor, field, old, new string) bool {
		for _, e := range trail.Entries {
			if e.Actor == actor && e.Field == field && e.Old == old && e.New == new && e.EvaluationID == saved.Evaluation.ID {
				return true
			}
		}
		return false
	}
	name, hours := def.Field("benamning").Label, def.Field("timmar").Label
	tests := []struct{ actor, field, old, new string }{
		{"Verksamhetschef via personlig länk", name, "", "Brukarenkät"},
		{"Verksamhetschef via personlig länk", hours, "", "10"},
		{"pl@heby.example", name, "Brukarenkät", "Brukarenkät hemtjänst"},
		{"pl@heby.example", hours, "10", "12,5"},
	}
	for _, tt := range tests {
		if !find(tt.actor, tt.field, tt.old, tt.new) {
			t.Errorf("audit trail lacks %s: %s %q → %q", tt.actor, tt.field, tt.old, tt.new)
		}
	}
	if _, err := f.m.AuditTrail(ctx, manage.Actor{Email: "sg@example.se", Role: "styrgrupp"}, def, f.round.ID, 0, 100); err == nil {
		t.Error("styrgrupp read the audit trail")
	}
	// A projektledare of Heby cannot help a Falun unit.
	if _, err := f.resp.Save(ctx, pl.UnitScope(f.units["Miljökontoret/Falun"].ID), respond.Edit{Answers: changed}); err == nil {
		t.Error("Heby's projektledare wrote to a Falun unit")
	}
	// …but can help the unit Heby shares with Falun.
	if _, err := f.resp.Save(ctx, pl.UnitScope(f.units["Gemensam nämnd/Heby+Falun"].ID), respond.Edit{Answers: changed}); err != nil {
		t.Errorf("Heby's projektledare could not help the shared unit: %v", err)
	}
}
