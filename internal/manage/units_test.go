package manage_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	inmail "github.com/inventera/inventera/internal/mail"
	"github.com/inventera/inventera/internal/mail/mailtest"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/staff"
)

func change(u round.Unit, edit func(*manage.UnitInput)) manage.UnitChange {
	in := manage.UnitInput{Name: u.Name, Kommuner: u.Kommuner, Omrade: u.Omrade, Fordelning: u.Fordelning, ChefName: u.ChefName, ChefEmail: u.ChefEmail}
	edit(&in)
	return manage.UnitChange{UnitInput: in}
}

// auditOf lists a unit's audit events as "action field: old → new".
func auditOf(t *testing.T, f *fixture, unitID int64) []string {
	t.Helper()
	trail, err := f.st.Q(ctx).AuditTrail(f.round.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range trail {
		if e.UnitID != nil && *e.UnitID == unitID {
			out = append(out, e.Action+" "+e.Field+": "+e.OldValue+" → "+e.NewValue+" ("+e.Actor+")")
		}
	}
	slices.Reverse(out)
	return out
}

func TestUpdateUnit(t *testing.T) {
	f := newFixture(t)
	heby := manage.Actor{Email: "pl@heby.example", Role: staff.Projektledare, Kommun: "Heby"}
	u := f.units["Socialnämnden/Heby"]

	res, err := f.m.UpdateUnit(ctx, heby, nil, u.ID, change(u, func(in *manage.UnitInput) {
		in.Name, in.Kommuner, in.Fordelning = " Vård- och  omsorgsnämnden ", []string{"Heby", "falun"}, "Heby=0,6;Falun=0,4"
		in.Omrade, in.ChefName, in.ChefEmail = "Vård och omsorg", "Anna Ström", "anna.strom@heby.example"
	}))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.m.Unit(ctx, f.system, u.ID)
	if got.Name != "Vård- och omsorgsnämnden" || !slices.Equal(got.Kommuner, []string{"Heby", "Falun"}) || got.Fordelning != "Heby=0,6;Falun=0,4" ||
		got.Omrade != "Vård och omsorg" || got.ChefName != "Anna Ström" || got.ChefEmail != "anna.strom@heby.example" {
		t.Fatalf("unit after the correction: %+v", got)
	}
	if want := []string{"enhet", "kommun", "omrade", "fordelning", "verksamhetschef", "epost"}; !slices.Equal(res.Changed, want) {
		t.Errorf("changed %v, want %v", res.Changed, want)
	}
	wantAudit := []string{
		"enhet_tillagd enhet:  → Socialnämnden (test)",
		"enhet_andrad enhet: Socialnämnden → Vård- och omsorgsnämnden (pl@heby.example)",
		"enhet_andrad kommun: Heby → Heby, Falun (pl@heby.example)",
		"enhet_andrad omrade:  → Vård och omsorg (pl@heby.example)",
		"enhet_andrad fordelning:  → Heby=0,6;Falun=0,4 (pl@heby.example)",
		"enhet_andrad verksamhetschef: Anna Lind → Anna Ström (pl@heby.example)",
		"enhet_andrad epost: anna@heby.example → anna.strom@heby.example (pl@heby.example)",
	}
	if got := auditOf(t, f, u.ID); !slices.Equal(got, wantAudit) {
		t.Errorf("audit\n got %q\nwant %q", got, wantAudit)
	}
	// Saving unchanged details changes and audits nothing.
	again, err := f.m.UpdateUnit(ctx, heby, nil, u.ID, change(got, func(*manage.UnitInput) {}))
	if err != nil || len(again.Changed) != 0 || len(auditOf(t, f, u.ID)) != len(wantAudit) {
		t.Errorf("unchanged save: %+v, %v", again, err)
	}

	tests := []struct {
		name  string
		actor manage.Actor
		unit  string
		edit  func(*manage.UnitInput)
		code  string
		msg   string
	}{
		{"projektledare moves own unit out of own kommun", heby, "Socialnämnden/Heby", func(in *manage.UnitInput) { in.Kommuner = []string{"Falun"}; in.Fordelning = "" }, apperror.Forbidden, "din egen kommun"},
		{"projektledare corrects another kommun's unit", heby, "Miljökontoret/Falun", func(in *manage.UnitInput) { in.ChefName = "X" }, apperror.NotFound, "finns inte"},
		{"styrgrupp", manage.Actor{Email: "sg@example.se", Role: staff.Styrgrupp}, "Miljökontoret/Falun", func(in *manage.UnitInput) { in.ChefName = "X" }, apperror.NotFound, "finns inte"},
		{"anonymous", manage.Actor{}, "Miljökontoret/Falun", func(in *manage.UnitInput) { in.ChefName = "X" }, apperror.NotFound, "finns inte"},
		{"bad e-mail", f.system, "Miljökontoret/Falun", func(in *manage.UnitInput) { in.ChefEmail = "cia@falun" }, apperror.Invalid, "”cia@falun” är ingen giltig e-postadress."},
		{"no name", f.system, "Miljökontoret/Falun", func(in *manage.UnitInput) { in.Name = "  " }, apperror.Invalid, "Skriv enhetens namn"},
		{"kommun not in the round", f.system, "Miljökontoret/Falun", func(in *manage.UnitInput) { in.Kommuner = []string{"Mora"} }, apperror.Invalid, "Kommunen Mora deltar inte i omgången"},
		{"shares not summing to 1", f.system, "Gemensam nämnd/Heby+Falun", func(in *manage.UnitInput) { in.Fordelning = "Heby=0,5;Falun=0,6" }, apperror.Invalid, "summerar till 1,1"},
		{"name of another unit in the kommun", f.system, "Miljökontoret/Falun", func(in *manage.UnitInput) { in.Name = "Socialnämnden" }, apperror.Conflict, "finns redan"},
	}
	for _, tt := range tests {
		unit := f.units[tt.unit]
		before, _ := f.m.Unit(ctx, f.system, unit.ID)
		_, err := f.m.UpdateUnit(ctx, tt.actor, nil, unit.ID, change(before, tt.edit))
		if apperror.Code(err) != tt.code || !strings.Contains(apperror.Message(err), tt.msg) {
			t.Errorf("%s: got %v (%s), want %s containing %q", tt.name, err, apperror.Code(err), tt.code, tt.msg)
		}
		if after, _ := f.m.Unit(ctx, f.system, unit.ID); !equalUnit(before, after) {
			t.Errorf("%s: refused correction changed the unit: %+v", tt.name, after)
		}
	}

	// Not once the round is closed.
	if _, err := f.m.SetState(ctx, f.system, f.round.ID, round.Closed); err != nil {
		t.Fatal(err)
	}
	unit := f.units["Miljökontoret/Falun"]
	if _, err := f.m.UpdateUnit(ctx, f.system, nil, unit.ID, change(unit, func(in *manage.UnitInput) { in.ChefName = "X" })); apperror.Code(err) != apperror.Conflict {
		t.Errorf("correction in a closed round: %v, want conflict", err)
	}
}

func equalUnit(a, b round.Unit) bool {
	return a.Name == b.Name && slices.Equal(a.Kommuner, b.Kommuner) && a.Omrade == b.Omrade && a.Fordelning == b.Fordelning &&
		a.ChefName == b.ChefName && a.ChefEmail == b.ChefEmail
}

// TestChangedAddressGetsTheLink: correcting the e-mail address with "send
// the link to the new address" mails the unit's working link there, over
// the real SMTP server, and the history shows it.
func TestChangedAddressGetsTheLink(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t)
	sender, _ := inmail.NewSender(inmail.Config{Addr: srv.Addr, From: "inventera@natverk.example"})
	u := f.units["Miljökontoret/Falun"]
	if _, err := f.m.Invite(ctx, f.system, sender, f.round.ID, manage.InviteOptions{Units: []int64{u.ID}}); err != nil {
		t.Fatal(err)
	}
	f.clock = f.clock.Add(time.Hour)
	in := change(u, func(in *manage.UnitInput) { in.ChefEmail = "cia.berg@falun.example" })
	in.SendLink = true
	res, err := f.m.UpdateUnit(ctx, f.system, sender, u.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mail == nil || !res.Mail.Sent || res.Mail.Recipient != "cia.berg@falun.example" {
		t.Fatalf("mail result %+v", res.Mail)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 || msgs[1].To[0] != "cia.berg@falun.example" || !strings.Contains(decodedText(t, msgs[1].Raw), f.links["Miljökontoret/Falun"]) {
		t.Fatalf("the new address did not get the unit's link: %d messages", len(msgs))
	}
	if page, err := f.resp.Open(ctx, f.byLink(f.links["Miljökontoret/Falun"])); err != nil || page.Unit.ID != u.ID {
		t.Errorf("the mailed link no longer opens the unit: %v", err)
	}
	admin, err := f.m.UnitAdmin(ctx, f.system, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(admin.Sends) != 2 || admin.Sends[0].Kind != round.SendNewLink || admin.Sends[0].Recipient != "cia.berg@falun.example" ||
		admin.Sends[0].Outcome != "Skickad" || admin.Sends[1].Kind != round.SendInvitation || admin.Sends[0].When() != "2009-09-01 15:00 CEST" {
		t.Errorf("send history %+v", admin.Sends)
	}
	if admin.Unit.InvitedAt == nil {
		t.Error("the unit is not invited after its link reached the new address")
	}

	// Without the box ticked, a new address means the unit is no longer
	// invited, and nothing is sent.
	in = change(admin.Unit, func(in *manage.UnitInput) { in.ChefEmail = "tredje@falun.example" })
	if res, err = f.m.UpdateUnit(ctx, f.system, sender, u.ID, in); err != nil || res.Mail != nil {
		t.Fatalf("%+v %v", res, err)
	}
	if len(srv.Messages()) != 2 {
		t.Error("mail sent without asking")
	}
	if got, _ := f.m.Unit(ctx, f.system, u.ID); got.InvitedAt != nil {
		t.Error("unit still shows as invited at an address that got nothing")
	}
}

func TestDeleteUnit(t *testing.T) {
	f := newFixture(t)
	heby := manage.Actor{Email: "pl@heby.example", Role: staff.Projektledare, Kommun: "Heby"}
	// A draft, and an answer, each keep a unit.
	if _, err := f.resp.Save(ctx, f.byLink(f.links["Socialnämnden/Falun"]), respond.Edit{Answers: form.Answers{"benamning": "Utkast"}, Draft: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.resp.NoEvaluations(ctx, f.byLink(f.links["Socialnämnden/Heby"])); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		actor manage.Actor
		unit  string
		code  string
		msg   string
	}{
		{"unit with a draft", f.system, "Socialnämnden/Falun", apperror.Conflict, "har 1 utvärdering och kan inte tas bort"},
		{"unit that answered", heby, "Socialnämnden/Heby", apperror.Conflict, "har redan svarat"},
		{"another kommun's unit", heby, "Miljökontoret/Falun", apperror.NotFound, "finns inte"},
		{"styrgrupp", manage.Actor{Email: "sg@example.se", Role: staff.Styrgrupp}, "Miljökontoret/Falun", apperror.NotFound, "finns inte"},
		{"anonymous", manage.Actor{}, "Miljökontoret/Falun", apperror.NotFound, "finns inte"},
		{"projektledare, shared unit", heby, "Gemensam nämnd/Heby+Falun", "", ""},
		{"samordnare", f.system, "Miljökontoret/Falun", "", ""},
	}
	for _, tt := range tests {
		u := f.units[tt.unit]
		_, err := f.m.DeleteUnit(ctx, tt.actor, u.ID)
		_, gone := f.m.Unit(ctx, f.system, u.ID)
		if tt.code == "" {
			if err != nil || apperror.Code(gone) != apperror.NotFound {
				t.Errorf("%s: %v; unit still there: %v", tt.name, err, gone == nil)
			}
			continue
		}
		if apperror.Code(err) != tt.code || !strings.Contains(apperror.Message(err), tt.msg) {
			t.Errorf("%s: got %v, want %s containing %q", tt.name, err, tt.code, tt.msg)
		}
		if gone != nil {
			t.Errorf("%s: refused delete removed the unit", tt.name)
		}
	}
	// The audit trail keeps what was deleted.
	if got := auditOf(t, f, f.units["Miljökontoret/Falun"].ID); !slices.Contains(got, "enhet_borttagen enhet: Miljökontoret (Falun), cia@falun.example →  (test)") {
		t.Errorf("audit %q", got)
	}
	ov, _ := f.m.Overview(ctx, f.system, f.round.ID, manage.OverviewFilter{})
	if len(ov.Units) != 3 {
		t.Errorf("%d units left, want 3", len(ov.Units))
	}
}

func TestMarkSentManually(t *testing.T) {
	f := newFixture(t)
	heby := manage.Actor{Email: "pl@heby.example", Role: staff.Projektledare, Kommun: "Heby"}
	u := f.units["Kommunfastigheter/Falun"]
	ov, _ := f.m.Overview(ctx, f.system, f.round.ID, manage.OverviewFilter{})
	for _, st := range ov.Units {
		if got, want := st.ByHand, st.ID == u.ID; got != want {
			t.Errorf("%s: by hand %v, want %v", st.Name, got, want)
		}
	}
	if _, err := f.m.MarkSentManually(ctx, heby, u.ID); apperror.Code(err) != apperror.NotFound {
		t.Errorf("other kommun's projektledare: %v", err)
	}
	if _, err := f.m.MarkSentManually(ctx, f.system, u.ID); err != nil {
		t.Fatal(err)
	}
	ov, _ = f.m.Overview(ctx, f.system, f.round.ID, manage.OverviewFilter{})
	for _, st := range ov.Units {
		if st.ID == u.ID && st.Progress != round.Invited {
			t.Errorf("after the link was sent by hand the unit shows %q", st.Progress.Label())
		}
	}
	admin, _ := f.m.UnitAdmin(ctx, f.system, u.ID)
	if len(admin.Sends) != 1 || admin.Sends[0].Kind.Label() != "Länk skickad manuellt" || admin.Sends[0].SentBy != "test" {
		t.Errorf("history %+v", admin.Sends)
	}
	// Not to an answered unit, nor in a closed round.
	if err := f.resp.NoEvaluations(ctx, f.byLink(f.links["Socialnämnden/Heby"])); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.MarkSentManually(ctx, f.system, f.units["Socialnämnden/Heby"].ID); apperror.Code(err) != apperror.Conflict {
		t.Errorf("answered unit: %v", err)
	}
	if _, err := f.m.SetState(ctx, f.system, f.round.ID, round.Closed); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.MarkSentManually(ctx, f.system, u.ID); apperror.Code(err) != apperror.Conflict {
		t.Errorf("closed round: %v", err)
	}
}

func TestNewLinkMailed(t *testing.T) {
	f := newFixture(t)
	srv := mailtest.Start(t)
	sender, _ := inmail.NewSender(inmail.Config{Addr: srv.Addr, From: "inventera@natverk.example"})
	u := f.units["Socialnämnden/Falun"]
	res, err := f.m.NewLink(ctx, f.system, sender, u.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mail == nil || !res.Mail.Sent {
		t.Fatalf("new link not mailed: %+v", res.Mail)
	}
	msgs := srv.Messages()
	body := decodedText(t, msgs[0].Raw)
	if len(msgs) != 1 || msgs[0].To[0] != "bo@falun.example" || !strings.Contains(body, res.Link) || !strings.Contains(body, "Den tidigare länken fungerar inte längre") {
		t.Fatalf("mail %d %v", len(msgs), msgs)
	}
	if _, err := f.resp.Open(ctx, f.byLink(f.links["Socialnämnden/Falun"])); apperror.Code(err) != apperror.Gone {
		t.Errorf("old link: %v, want gone", err)
	}
	if _, err := f.resp.Open(ctx, f.byLink(res.Link)); err != nil {
		t.Errorf("new link: %v", err)
	}
	// Without mail, nothing is sent; in a closed round nothing is issued.
	if res, err := f.m.NewLink(ctx, f.system, sender, u.ID, false); err != nil || res.Mail != nil || len(srv.Messages()) != 1 {
		t.Errorf("without mail: %+v %v", res, err)
	}
	if _, err := f.m.SetState(ctx, f.system, f.round.ID, round.Closed); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.NewLink(ctx, f.system, sender, u.ID, true); apperror.Code(err) != apperror.Conflict {
		t.Errorf("closed round: %v", err)
	}
}

// TestUnitRulesOnEveryPath: the web form (AddUnit, UpdateUnit), the units
// upload and the import refuse a bad e-mail address with one message, the
// one round.NormalizeUnit gives.
func TestUnitRulesOnEveryPath(t *testing.T) {
	f := newFixture(t)
	const want = "”eva@falun” är ingen giltig e-postadress."
	def := form.MustEvaluation()
	workbookWith := func(sheets map[string][][]any) []byte {
		x := excelize.NewFile()
		first := true
		for name, rows := range sheets {
			if first {
				x.SetSheetName("Sheet1", name)
				first = false
			} else {
				x.NewSheet(name)
			}
			for i, r := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				x.SetSheetRow(name, cell, &r)
			}
		}
		var buf bytes.Buffer
		if _, err := x.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	enheter := [][]any{{"enhet", "kommun", "epost"}, {"Kultur", "Falun", "eva@falun"}}
	paths := map[string]func() error{
		"web form, new unit": func() error {
			_, _, err := f.m.AddUnit(ctx, f.system, f.round.ID, manage.UnitInput{Name: "Kultur", Kommuner: []string{"Falun"}, ChefEmail: "eva@falun"})
			return err
		},
		"web form, correction": func() error {
			u := f.units["Miljökontoret/Falun"]
			_, err := f.m.UpdateUnit(ctx, f.system, nil, u.ID, change(u, func(in *manage.UnitInput) { in.ChefEmail = "eva@falun" }))
			return err
		},
		"units upload": func() error {
			units, err := sheet.ReadUnits(context.Background(), bytes.NewReader(workbookWith(map[string][][]any{"enheter": enheter})), "enheter.xlsx", def, sheet.DefaultLimits())
			if err != nil {
				return err
			}
			_, err = f.m.AddUnits(ctx, f.system, f.round.ID, units)
			return err
		},
		"import": func() error {
			ds, err := sheet.ReadXLSX(context.Background(), bytes.NewReader(workbookWith(map[string][][]any{"kommuner": {{"kommun"}, {"Falun"}}, "enheter": enheter})), def, sheet.DefaultLimits())
			if err != nil {
				return err
			}
			_, err = f.m.ImportDataset(ctx, f.system, "Import 2010", 280, ds)
			return err
		},
		"import of a dataset read elsewhere": func() error {
			ds := round.Dataset{Kommuner: []round.Kommun{{Name: "Falun"}}, Units: []round.UnitData{{Unit: round.Unit{Name: "Kultur", Kommuner: []string{"Falun"}, ChefEmail: "eva@falun"}}}}
			_, err := f.m.ImportDataset(ctx, f.system, "Import 2011", 280, ds)
			return err
		},
	}
	for name, run := range paths {
		err := run()
		if apperror.Code(err) != apperror.Invalid {
			t.Errorf("%s: got %v, want refused as invalid", name, err)
			continue
		}
		var msgs []string
		var ps sheet.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				msgs = append(msgs, p.Message)
			}
		} else {
			msgs = []string{apperror.Message(err)}
		}
		if len(msgs) != 1 || !strings.HasSuffix(msgs[0], want) {
			t.Errorf("%s: messages %q, want %q", name, msgs, want)
		}
	}
	// Nothing of it was stored.
	ov, _ := f.m.Overview(ctx, f.system, f.round.ID, manage.OverviewFilter{})
	if len(ov.Units) != 5 {
		t.Errorf("%d units, want the fixture's 5", len(ov.Units))
	}
	if _, err := f.st.Q(ctx).RoundByName("Import 2010"); apperror.Code(err) != apperror.NotFound {
		t.Errorf("refused import stored its round: %v", err)
	}
}
