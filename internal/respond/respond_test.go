package respond_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

var ctx = context.Background()

// fixture: an open round with Heby and Falun, a unit in each and one they
// share. Runs on PostgreSQL when INVENTERA_TEST_DATABASE_URL is set.
type fixture struct {
	st     *store.Store
	m      *manage.Service
	resp   *respond.Service
	round  round.Round
	units  map[string]round.Unit
	tokens map[string]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := storetest.MustOpen(t)
	now := func() time.Time { return time.Date(2009, 10, 1, 9, 0, 0, 0, time.UTC) }
	f := &fixture{st: st, units: map[string]round.Unit{}, tokens: map[string]string{},
		m:    &manage.Service{Store: st, Keys: round.LinkKey("0123456789abcdef0123456789abcdef"), BaseURL: "https://inventera.example", Now: now},
		resp: &respond.Service{Store: st, Form: form.MustEvaluation(), Now: now}}
	sys := manage.System("test")
	var err error
	if f.round, err = f.m.CreateRound(ctx, sys, manage.RoundInput{Name: "Resultatstyrning 2009"}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Heby", "Falun"} {
		if _, err := f.m.AddKommun(ctx, sys, f.round.ID, k, "13 000"); err != nil {
			t.Fatal(err)
		}
	}
	for key, in := range map[string]manage.UnitInput{
		"heby":   {Name: "Socialnämnden", Kommuner: []string{"Heby"}},
		"falun":  {Name: "Miljökontoret", Kommuner: []string{"Falun"}},
		"shared": {Name: "Gemensam nämnd", Kommuner: []string{"Heby", "Falun"}, Fordelning: "lika"},
	} {
		u, link, err := f.m.AddUnit(ctx, sys, f.round.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		f.units[key], f.tokens[key] = u, link[strings.LastIndex(link, "/")+1:]
	}
	return f
}

func complete(name string) form.Answers {
	return form.Answers{"benamning": name, "periodicitet": "arligen", "uppdragsgivare_typ": "extern",
		"syfte": "Statistik", "resultatansvarig": "verksamhetschef", "anvandning": "handlingsplan"}
}

var (
	samordnare = manage.Actor{Email: "sam@natverket.example", Role: "samordnare"}
	hebyPL     = manage.Actor{Email: "pl@heby.example", Role: "projektledare", Kommun: "Heby"}
	falunPL    = manage.Actor{Email: "pl@falun.example", Role: "projektledare", Kommun: "Falun"}
	styrgrupp  = manage.Actor{Email: "politiker@heby.example", Role: "styrgrupp", Kommun: "Heby"}
)

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return apperror.Code(err)
}

// TestStaffScope: every action of the unit page, done by staff in a unit
// scope. The samordnare and a projektledare of the unit's kommun (also for a
// unit their kommun shares) may do all the verksamhetschef can; another
// kommun's projektledare gets NotFound, the styrgrupp Forbidden; and
// nothing is changed by a refused actor.
func TestStaffScope(t *testing.T) {
	tests := []struct {
		name  string
		actor manage.Actor
		unit  string
		want  string // apperror code of every action; "" = allowed
	}{
		{"samordnare", samordnare, "falun", ""},
		{"projektledare of the kommun", hebyPL, "heby", ""},
		{"projektledare of a member kommun", falunPL, "shared", ""},
		{"projektledare of another kommun", falunPL, "heby", apperror.NotFound},
		{"styrgrupp", styrgrupp, "heby", apperror.Forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			u := f.units[tt.unit]
			sc := tt.actor.UnitScope(u.ID)
			check := func(what string, err error) {
				t.Helper()
				if got := codeOf(err); got != tt.want {
					t.Fatalf("%s: got %q (%v), want %q", what, got, err, tt.want)
				}
			}
			p, err := f.resp.Open(ctx, sc)
			check("open", err)
			if tt.want != "" {
				// A refused actor changes nothing either.
				_, err = f.resp.Save(ctx, sc, respond.Edit{Answers: complete("Brukarenkät")})
				check("save", err)
				check("submit", f.resp.Submit(ctx, sc))
				check("inga", f.resp.NoEvaluations(ctx, sc))
				check("decline", f.resp.Decline(ctx, sc, "Ingen tid"))
				check("reopen", f.resp.Reopen(ctx, sc))
				_, err = f.resp.Upload(ctx, sc, []respond.Row{{Line: 2, Answers: complete("Uppladdad")}})
				check("upload", err)
				if evs, _ := f.st.Q(ctx).UnitEvaluations(u.ID); len(evs) != 0 {
					t.Errorf("refused actor stored %d evaluations", len(evs))
				}
				if got, _ := f.st.Q(ctx).Unit(u.ID); got.Response != round.NoResponse {
					t.Errorf("refused actor set the answer %q", got.Response)
				}
				return
			}
			if p.Unit.ID != u.ID || !p.Editable() || !p.CanSubmit() || p.CanReopen() {
				t.Fatalf("page: unit %d editable=%v submit=%v reopen=%v", p.Unit.ID, p.Editable(), p.CanSubmit(), p.CanReopen())
			}
			if p.Unit.OpenedAt != nil {
				t.Error("staff opening the page marked the link as opened")
			}
			// By hand: a draft, completed; then one from the Excel form.
			d, err := f.resp.Save(ctx, sc, respond.Edit{Answers: form.Answers{"benamning": "Brukarenkät"}, Draft: true})
			check("save draft", err)
			if len(d.Errors) == 0 {
				t.Error("draft: no hints of what is missing")
			}
			if err := f.resp.Submit(ctx, sc); apperror.Code(err) != apperror.Invalid {
				t.Errorf("submit with a draft: %v, want invalid", err)
			}
			_, err = f.resp.Save(ctx, sc, respond.Edit{ID: d.Evaluation.ID, Version: d.Evaluation.Version, Answers: complete("Brukarenkät")})
			check("complete", err)
			up, err := f.resp.Upload(ctx, sc, []respond.Row{{Line: 2, Answers: complete("Uppladdad")}})
			check("upload", err)
			if up.Saved != 1 {
				t.Errorf("upload stored %d, want 1", up.Saved)
			}
			check("submit", f.resp.Submit(ctx, sc))
			if got, _ := f.st.Q(ctx).Unit(u.ID); got.Response != round.Submitted {
				t.Fatalf("after submit the unit's answer is %q", got.Response)
			}
			// Submitted: changes wait until the answer is reopened.
			if _, err := f.resp.Save(ctx, sc, respond.Edit{Answers: complete("Sen")}); apperror.Code(err) != apperror.Conflict {
				t.Errorf("save after submit: %v, want conflict", err)
			}
			check("reopen", f.resp.Reopen(ctx, sc))
			evs, _ := f.st.Q(ctx).UnitEvaluations(u.ID)
			for _, e := range evs {
				check("delete", f.resp.Delete(ctx, sc, e.ID, 0))
			}
			check("inga", f.resp.NoEvaluations(ctx, sc))
			check("reopen inga", f.resp.Reopen(ctx, sc))
			if err := f.resp.Decline(ctx, sc, " "); apperror.Code(err) != apperror.Invalid {
				t.Errorf("decline without reason: %v, want invalid", err)
			}
			check("decline", f.resp.Decline(ctx, sc, "Omorganisation"))
			got, _ := f.st.Q(ctx).Unit(u.ID)
			if got.Response != round.Declined || got.Reason != "Omorganisation" {
				t.Errorf("declined unit: %q %q", got.Response, got.Reason)
			}

			// Every step is in the audit trail under the staff member's name.
			trail, err := f.st.Q(ctx).AuditTrail(f.round.ID, 1000)
			if err != nil {
				t.Fatal(err)
			}
			type entry struct{ action, actor string }
			seen := map[entry]bool{}
			for _, ev := range trail {
				if ev.UnitID != nil && *ev.UnitID == u.ID {
					seen[entry{ev.Action, ev.Actor}] = true
					if ev.Action != "enhet_tillagd" && !strings.HasPrefix(ev.Actor, tt.actor.Name()) {
						t.Errorf("audit %s by %q, want %s", ev.Action, ev.Actor, tt.actor.Name())
					}
				}
			}
			name := tt.actor.Name()
			for _, want := range []entry{
				{"utvardering_ny", name}, {"utvardering_andrad", name}, {"utvardering_ny", name + " via Excel-formulär"},
				{"utvardering_borttagen", name}, {"svar_inskickad", name}, {"svar_ateroppnat", name},
				{"svar_inga_utvarderingar", name}, {"svar_avbojt", name},
			} {
				if !seen[want] {
					t.Errorf("audit trail lacks %s by %q", want.action, want.actor)
				}
			}
		})
	}
}

// TestLinkScope: the personal link resolves to its own unit only, and the
// audit trail names the verksamhetschef.
func TestLinkScope(t *testing.T) {
	f := newFixture(t)
	sc := f.resp.ByLink(f.tokens["heby"])
	p, err := f.resp.Open(ctx, sc)
	if err != nil || p.Unit.ID != f.units["heby"].ID {
		t.Fatalf("open: unit %d, %v", p.Unit.ID, err)
	}
	if p.Unit.OpenedAt == nil {
		t.Error("opening the link did not record it")
	}
	saved, err := f.resp.Save(ctx, sc, respond.Edit{Answers: complete("Brukarenkät")})
	if err != nil {
		t.Fatal(err)
	}
	other := f.resp.ByLink(f.tokens["falun"])
	if _, _, err := f.resp.Evaluation(ctx, other, saved.Evaluation.ID); apperror.Code(err) != apperror.NotFound {
		t.Errorf("another unit's link reads the evaluation: %v", err)
	}
	if err := f.resp.Delete(ctx, other, saved.Evaluation.ID, 0); apperror.Code(err) != apperror.NotFound {
		t.Errorf("another unit's link deletes the evaluation: %v", err)
	}
	for _, tok := range []string{"", "nonsense", strings.Repeat("A", 43)} {
		if _, err := f.resp.Open(ctx, f.resp.ByLink(tok)); apperror.Code(err) != apperror.NotFound {
			t.Errorf("link %q: %v, want not found", tok, err)
		}
	}
	if _, err := f.resp.Open(ctx, respond.Scope{}); apperror.Code(err) != apperror.NotFound {
		t.Errorf("zero scope: %v, want not found", err)
	}
	if _, err := f.m.ReissueLink(ctx, manage.System("test"), f.units["heby"].ID); err != nil {
		t.Fatal(err)
	}
	if err := f.resp.Submit(ctx, sc); apperror.Code(err) != apperror.Gone {
		t.Errorf("submit through a revoked link: %v, want gone", err)
	}
	trail, _ := f.st.Q(ctx).AuditTrail(f.round.ID, 100)
	found := false
	for _, ev := range trail {
		if ev.Action == "utvardering_ny" && ev.EvaluationID != nil && *ev.EvaluationID == saved.Evaluation.ID {
			found = ev.Actor == "Verksamhetschef via personlig länk"
		}
	}
	if !found {
		t.Error("the link's save is not audited as the verksamhetschef's")
	}
}

// TestClosedRoundRefusesEveryScope: once the round is closed nothing is
// changed through the link or by staff.
func TestClosedRoundRefusesEveryScope(t *testing.T) {
	f := newFixture(t)
	link := f.resp.ByLink(f.tokens["heby"])
	saved, err := f.resp.Save(ctx, link, respond.Edit{Answers: complete("Brukarenkät")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.SetState(ctx, manage.System("test"), f.round.ID, round.Closed); err != nil {
		t.Fatal(err)
	}
	for name, sc := range map[string]respond.Scope{"link": link, "projektledare": hebyPL.UnitScope(f.units["heby"].ID), "samordnare": samordnare.UnitScope(f.units["heby"].ID)} {
		p, err := f.resp.Open(ctx, sc)
		if err != nil {
			t.Fatalf("%s: open a closed round: %v", name, err)
		}
		if p.Editable() || p.CanSubmit() || p.CanAnswerNone() || p.CanDecline() || p.CanReopen() || p.Closed() == "" {
			t.Errorf("%s: closed round's page offers actions", name)
		}
		_, serr := f.resp.Save(ctx, sc, respond.Edit{ID: saved.Evaluation.ID, Version: saved.Evaluation.Version, Answers: complete("Ändrad")})
		_, uerr := f.resp.Upload(ctx, sc, []respond.Row{{Line: 2, Answers: complete("Ny")}})
		for what, err := range map[string]error{"save": serr, "upload": uerr, "delete": f.resp.Delete(ctx, sc, saved.Evaluation.ID, 0),
			"submit": f.resp.Submit(ctx, sc), "decline": f.resp.Decline(ctx, sc, "x"), "reopen": f.resp.Reopen(ctx, sc)} {
			if apperror.Code(err) != apperror.Conflict {
				t.Errorf("%s: %s in a closed round: %v, want conflict", name, what, err)
			}
		}
	}
	evs, _ := f.st.Q(ctx).UnitEvaluations(f.units["heby"].ID)
	if len(evs) != 1 || evs[0].Title() != "Brukarenkät" {
		t.Errorf("closed round changed: %+v", evs)
	}
}
