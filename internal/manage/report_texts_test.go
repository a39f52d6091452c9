package manage_test

import (
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
)

// TestReportTexts: who writes which text, when, and that the report and
// the audit trail carry them.
func TestReportTexts(t *testing.T) {
	f := newFixture(t)
	coord := manage.Actor{Email: "sam@natverk.example", Role: staff.Samordnare}
	plFalun := manage.Actor{Email: "pl@falun.example", Role: staff.Projektledare, Kommun: "Falun"}
	styr := manage.Actor{Email: "styr@natverk.example", Role: staff.Styrgrupp}

	tests := []struct {
		name   string
		actor  manage.Actor
		kommun string
		body   string
		want   string // "": saved
	}{
		{"samordnare writes the reflection", coord, "", "- Det finns ingen tydlig ordning.\r\n- Koppla resultaten till budgeten.  ", ""},
		{"samordnare writes a kommun's comment", coord, "Heby", "Familjebehandlingen följs upp 2010.", ""},
		{"projektledare writes their own kommun's", plFalun, "Falun", "Vi inför ett webbaserat system.", ""},
		{"projektledare may not write another kommun's", plFalun, "Heby", "x", apperror.Forbidden},
		{"projektledare may not write the reflection", plFalun, "", "x", apperror.Forbidden},
		{"styrgrupp writes nothing", styr, "Falun", "x", apperror.NotFound}, // the round is not published: not even seen
		{"a kommun not in the round", coord, "Säter", "x", apperror.NotFound},
		{"too long", coord, "", strings.Repeat("å", round.MaxReportText+1), apperror.Invalid},
	}
	for _, tc := range tests {
		err := f.m.SetReportText(ctx, tc.actor, f.round.ID, tc.kommun, tc.body)
		if got := apperror.Code(err); (err == nil) != (tc.want == "") || err != nil && got != tc.want {
			t.Errorf("%s: err = %v (%v), want %v", tc.name, err, got, tc.want)
		}
	}

	// The report carries them, cleaned; the projektledare's page offers
	// only their own kommun.
	_, ds, err := f.m.ReportData(ctx, coord, f.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := aggregate.Compute(f.round, ds)
	if err != nil {
		t.Fatal(err)
	}
	if want := "- Det finns ingen tydlig ordning.\n- Koppla resultaten till budgeten."; rep.Reflection != want {
		t.Errorf("reflection = %q, want %q", rep.Reflection, want)
	}
	comments := map[string]string{}
	for _, m := range rep.Municipalities {
		comments[m.Name] = m.Comment
	}
	if comments["Heby"] != "Familjebehandlingen följs upp 2010." || comments["Falun"] != "Vi inför ett webbaserat system." {
		t.Errorf("comments = %v", comments)
	}
	page, err := f.m.ReportTexts(ctx, plFalun, f.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Texts) != 1 || page.Texts[0].Kommun != "Falun" || page.Texts[0].UpdatedBy != "pl@falun.example" || !page.Editable {
		t.Errorf("projektledare's page = %+v, want Falun's text only, editable", page)
	}
	page, err = f.m.ReportTexts(ctx, coord, f.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	var scopes []string
	for _, tx := range page.Texts {
		scopes = append(scopes, tx.Kommun)
	}
	if strings.Join(scopes, "|") != "|Falun|Heby" {
		t.Errorf("samordnare's page has texts for %q, want the reflection, Falun and Heby", scopes)
	}

	// Audited: who changed what, old → new.
	trail, err := f.m.AuditTrail(ctx, coord, form.MustEvaluation(), f.round.ID, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range trail.Entries {
		if ev.Action == manage.ActionLabel("rapporttext_andrad") && ev.Field == "kommentar Falun" && ev.Actor == "pl@falun.example" && ev.New == "Vi inför ett webbaserat system." {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit event for Falun's comment in %+v", trail)
	}

	// An empty text removes it.
	if err := f.m.SetReportText(ctx, coord, f.round.ID, "Heby", "  \n "); err != nil {
		t.Fatal(err)
	}
	_, ds, _ = f.m.ReportData(ctx, coord, f.round.ID)
	for _, tx := range ds.Texts {
		if tx.Kommun == "Heby" {
			t.Errorf("Heby's comment still there after it was emptied: %+v", tx)
		}
	}

	// Closed: still open for texts. Published: frozen.
	if _, err := f.m.SetState(ctx, f.system, f.round.ID, round.Closed); err != nil {
		t.Fatal(err)
	}
	if err := f.m.SetReportText(ctx, plFalun, f.round.ID, "Falun", "Efter stängningen."); err != nil {
		t.Errorf("closed round: %v, want the comment saved", err)
	}
	if _, err := f.m.SetState(ctx, f.system, f.round.ID, round.Published); err != nil {
		t.Fatal(err)
	}
	for _, a := range []manage.Actor{coord, plFalun} {
		if err := f.m.SetReportText(ctx, a, f.round.ID, "Falun", "Efter publiceringen."); apperror.Code(err) != apperror.Conflict {
			t.Errorf("%s after publishing: %v, want a conflict", a.Role, err)
		}
	}
	page, err = f.m.ReportTexts(ctx, plFalun, f.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	if page.Editable || !strings.Contains(page.Reason, "publicerad") || page.Texts[0].Body != "Efter stängningen." {
		t.Errorf("published page = %+v, want read-only with the text frozen", page)
	}
}
