package manage_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
)

// TestAuditTrailByReader: who reads which events, and in what words.
func TestAuditTrailByReader(t *testing.T) {
	f := newFixture(t)
	def := form.MustEvaluation()
	heby := manage.Actor{Email: "pl@heby.example", DisplayName: "Lena Lind", Role: "projektledare", Kommun: "Heby"}
	falun := manage.Actor{Email: "pl@falun.example", Role: "projektledare", Kommun: "Falun"}
	mora := manage.Actor{Email: "pl@mora.example", Role: "projektledare", Kommun: "Mora"}
	styrgrupp := manage.Actor{Email: "sg@example.se", Role: "styrgrupp"}

	// The Heby chef adds an evaluation, Heby's projektledare corrects it and
	// helps the shared unit; Falun's chef adds one and deletes another.
	saved, err := f.resp.Save(ctx, f.byLink(f.links["Socialnämnden/Heby"]), respond.Edit{Answers: complete("arligen", "Brukarenkät")})
	if err != nil {
		t.Fatal(err)
	}
	changed := complete("flera_per_ar", "Brukarenkät hemtjänst")
	changed["konsult_kr"] = "12500"
	if sv, err := f.resp.Save(ctx, heby.UnitScope(f.units["Socialnämnden/Heby"].ID), respond.Edit{ID: saved.Evaluation.ID, Version: saved.Evaluation.Version, Answers: changed}); err != nil || sv.Errors != nil {
		t.Fatal(err, sv.Errors)
	}
	if _, err := f.resp.Save(ctx, heby.UnitScope(f.units["Gemensam nämnd/Heby+Falun"].ID), respond.Edit{Answers: complete("arligen", "Gemensam enkät")}); err != nil {
		t.Fatal(err)
	}
	falunTok := f.byLink(f.links["Miljökontoret/Falun"])
	if _, err := f.resp.Save(ctx, falunTok, respond.Edit{Answers: complete("arligen", "Tillsynsrapport")}); err != nil {
		t.Fatal(err)
	}
	gone, err := f.resp.Save(ctx, falunTok, respond.Edit{Answers: complete("engangs", "Bortglömd enkät")})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.resp.Delete(ctx, falunTok, gone.Evaluation.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.resp.Submit(ctx, falunTok); err != nil {
		t.Fatal(err)
	}

	type seen struct{ action, unit, evaluation string }
	has := func(tr manage.AuditTrail, want seen) bool {
		for _, e := range tr.Entries {
			if e.Action == want.action && e.Unit == want.unit && e.Evaluation == want.evaluation {
				return true
			}
		}
		return false
	}
	hebyOwn := seen{"Utvärderingen ändrad", "Socialnämnden", "Brukarenkät hemtjänst"}
	shared := seen{"Ny utvärdering", "Gemensam nämnd", "Gemensam enkät"}
	falunNew := seen{"Ny utvärdering", "Miljökontoret", "Tillsynsrapport"}
	falunGone := seen{"Utvärderingen borttagen", "Miljökontoret", "Bortglömd enkät"}
	falunSubmit := seen{"Svaret inskickat", "Miljökontoret", ""}
	created := seen{"Omgången skapad", "", ""}
	hebyAdded := seen{"Kommun tillagd i omgången", "", ""}

	tests := []struct {
		name   string
		actor  manage.Actor
		unitID int64
		code   string // the refusal's code; "" when the trail is shown
		see    []seen
		notSee []seen
	}{
		{name: "samordnare sees everything", actor: f.system,
			see: []seen{hebyOwn, shared, falunNew, falunGone, falunSubmit, created, hebyAdded}},
		{name: "Heby's projektledare sees Heby's and shared units and the round", actor: heby,
			see: []seen{hebyOwn, shared, created, hebyAdded}, notSee: []seen{falunNew, falunGone, falunSubmit}},
		{name: "Falun's projektledare sees Falun's and shared units", actor: falun,
			see: []seen{shared, falunNew, falunGone, falunSubmit, created}, notSee: []seen{hebyOwn}},
		{name: "narrowed to one unit", actor: heby, unitID: f.units["Socialnämnden/Heby"].ID,
			see: []seen{hebyOwn}, notSee: []seen{shared, created}},
		{name: "another kommun's unit is not found", actor: heby, unitID: f.units["Miljökontoret/Falun"].ID, code: apperror.NotFound},
		{name: "a kommun outside the round is not found", actor: mora, code: apperror.NotFound},
		{name: "styrgrupp is refused", actor: styrgrupp, code: apperror.Forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := f.m.AuditTrail(ctx, tt.actor, def, f.round.ID, tt.unitID, 1000)
			if tt.code != "" {
				if got := apperror.Code(err); got != tt.code {
					t.Fatalf("error code %q (%v), want %q", got, err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.see {
				if !has(tr, w) {
					t.Errorf("trail lacks %+v", w)
				}
			}
			for _, w := range tt.notSee {
				if has(tr, w) {
					t.Errorf("trail shows %+v", w)
				}
			}
		})
	}

	// Heby's trail names Heby's kommun event, not Falun's.
	tr, err := f.m.AuditTrail(ctx, heby, def, f.round.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var kommuner []string
	for _, e := range tr.Entries {
		if e.Action == "Kommun tillagd i omgången" {
			kommuner = append(kommuner, e.New)
		}
	}
	if !slices.Equal(kommuner, []string{"Heby"}) {
		t.Errorf("Heby's trail shows kommun events %v, want [Heby]", kommuner)
	}
	// Names, labels and values in words.
	wantEntry := map[string][2]string{ // field label → old, new
		def.Field("benamning").Label:    {"Brukarenkät", "Brukarenkät hemtjänst"},
		def.Field("periodicitet").Label: {def.Field("periodicitet").OptionLabel("arligen"), def.Field("periodicitet").OptionLabel("flera_per_ar")},
		def.Field("konsult_kr").Label:   {"", "12\u00a0500"},
	}
	for _, e := range tr.Entries {
		if e.Action != "Utvärderingen ändrad" {
			continue
		}
		if e.Actor != "Lena Lind (pl@heby.example)" {
			t.Errorf("actor %q, want the name and address", e.Actor)
		}
		if want, ok := wantEntry[e.Field]; ok {
			if e.Old != want[0] || e.New != want[1] {
				t.Errorf("%s: %q → %q, want %q → %q", e.Field, e.Old, e.New, want[0], want[1])
			}
			delete(wantEntry, e.Field)
		}
	}
	for field := range wantEntry {
		t.Errorf("no change of %s in the trail", field)
	}

	// The limit keeps the newest and says the trail was cut.
	short, err := f.m.AuditTrail(ctx, f.system, def, f.round.ID, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(short.Entries) != 3 || !short.Full || !has(short, falunSubmit) {
		t.Errorf("limited trail: %d entries, full %v, newest kept %v", len(short.Entries), short.Full, has(short, falunSubmit))
	}
}

func TestActionLabels(t *testing.T) {
	tests := []struct{ code, want string }{
		{"utvardering_ny", "Ny utvärdering"},
		{"svar_inskickad", "Svaret inskickat"},
		{"svar_inga_utvarderingar", "Svarat: inga utvärderingar"},
		{"omgang_status", "Omgångens status ändrad"},
		{"nagot_nytt", "Nagot nytt"}, // an unknown code reads as its words
		{"", ""},
	}
	for _, tt := range tests {
		if got := manage.ActionLabel(tt.code); got != tt.want {
			t.Errorf("ActionLabel(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
	// Every action the code base records has its own wording: the codes
	// are read from the source of manage and respond (the action is the
	// first string argument of event and auditEvent), so a new action
	// without wording fails here.
	codes := []string{"utvardering_ny", "utvardering_andrad", "svar_inskickad", "svar_inga_utvarderingar", "svar_avbojt"}
	call := regexp.MustCompile(`\b(?:event|auditEvent)\([^"\n]*"([a-z]+(?:_[a-z]+)*)"`)
	for _, glob := range []string{"*.go", "../respond/*.go"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range call.FindAllSubmatch(src, -1) {
				codes = append(codes, string(m[1]))
			}
		}
	}
	if len(codes) < 15 {
		t.Fatalf("found only %d action codes in the source: %q", len(codes), codes)
	}
	for _, code := range codes {
		fallback := strings.ToUpper(code[:1]) + strings.ReplaceAll(code[1:], "_", " ")
		if got := manage.ActionLabel(code); got == fallback {
			t.Errorf("action %q has no wording of its own", code)
		}
	}
}
