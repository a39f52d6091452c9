package manage_test

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/aggregate"
	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/respond"
	"github.com/inventera/inventera/internal/round"
)

// ticking makes the fixture's clock advance a minute at every reading, so
// that "changed after the question was asked" can be told.
func ticking(f *fixture) {
	var mu sync.Mutex
	t := time.Date(2009, 9, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Minute)
		return t
	}
	f.m.Now, f.resp.Now = now, now
}

// submitted saves the answers as the unit's evaluations through its link
// and sends the list in; it returns the evaluations.
func (f *fixture) submitted(t *testing.T, key string, answers ...form.Answers) []round.Evaluation {
	t.Helper()
	sc := f.byLink(f.links[key])
	var out []round.Evaluation
	for _, a := range answers {
		saved, err := f.resp.Save(ctx, sc, respond.Edit{Answers: a})
		e, errs := saved.Evaluation, saved.Errors
		if err != nil || errs != nil {
			t.Fatalf("%s: save %s: %v %v", key, a.Get("benamning"), err, errs)
		}
		out = append(out, e)
	}
	if err := f.resp.Submit(ctx, sc); err != nil {
		t.Fatalf("%s: submit: %v", key, err)
	}
	return out
}

func (f *fixture) report(t *testing.T) *aggregate.Report {
	t.Helper()
	r, ds, err := f.m.ReportData(ctx, f.system, f.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := aggregate.Compute(r, ds)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func municipality(t *testing.T, rep *aggregate.Report, name string) aggregate.Municipality {
	t.Helper()
	for _, m := range rep.Municipalities {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no %s in the report", name)
	return aggregate.Municipality{}
}

// TestExcludeAndInclude: the working group rules a shared unit's sent-in
// evaluation out of scope; it then counts nowhere in the stored round's
// report and is listed with its reason in the network and in both member
// kommuner; taken back in, the report is the one from before. The rules:
// only sent-in evaluations, a reason, each reviewer their own kommun, and
// until the round is published.
func TestExcludeAndInclude(t *testing.T) {
	f := newFixture(t)
	ticking(f)
	f.submitted(t, "Socialnämnden/Heby", complete("arligen", "Brukarenkät"))
	unused := complete("arligen", "Tillsyn")
	unused["anvandning"], unused["brukarundersokning"], unused["malgrupp"], unused["metod"] = "inte_alls", "ja", "Medborgare", "enkat_webb"
	shared := f.submitted(t, "Gemensam nämnd/Heby+Falun", complete("arligen", "Samverkansenkät"), unused)
	saved, err := f.resp.Save(ctx, f.byLink(f.links["Miljökontoret/Falun"]), respond.Edit{Answers: complete("arligen", "Ej inskickad")})
	draft, _ := saved.Evaluation, saved.Errors
	if err != nil {
		t.Fatal(err)
	}
	target := shared[1]
	before := f.report(t)

	plFalun := manage.Actor{Email: "pl@falun.example", Role: "projektledare", Kommun: "Falun"}
	plHeby := manage.Actor{Email: "pl@heby.example", Role: "projektledare", Kommun: "Heby"}
	heby := f.submittedIDs(t, "Socialnämnden/Heby")
	refusals := []struct {
		name  string
		actor manage.Actor
		id    int64
		why   string
		want  string
	}{
		{"no reason", f.system, target.ID, "  ", apperror.Invalid},
		{"not sent in", f.system, draft.ID, "x", apperror.Conflict},
		{"another kommun's unit", plFalun, heby[0], "x", apperror.NotFound},
		{"styrgrupp", manage.Actor{Email: "sg@example.se", Role: "styrgrupp"}, target.ID, "x", apperror.Forbidden},
		{"unknown evaluation", f.system, 999999, "x", apperror.NotFound},
	}
	for _, tc := range refusals {
		if err := f.m.Exclude(ctx, tc.actor, f.round.ID, tc.id, tc.why); codeOf(err) != tc.want {
			t.Errorf("%s: Exclude = %v, want %s", tc.name, err, tc.want)
		}
	}
	if !reflect.DeepEqual(f.report(t), before) {
		t.Fatal("a refused exclusion changed the report")
	}

	// Falun's projektledare reviews the unit Falun shares with Heby.
	const reason = "Löpande tillsyn, ingen utvärdering"
	if err := f.m.Exclude(ctx, plFalun, f.round.ID, target.ID, reason); err != nil {
		t.Fatal(err)
	}
	if err := f.m.Exclude(ctx, plHeby, f.round.ID, target.ID, reason); codeOf(err) != apperror.Conflict {
		t.Errorf("excluding twice = %v, want conflict", err)
	}
	after := f.report(t)
	checks := []struct {
		name          string
		before, after int
		want          int // after − before
	}{
		{"network evaluations", before.Network.Evaluations, after.Network.Evaluations, -1},
		{"Heby evaluations", municipality(t, before, "Heby").Evaluations, municipality(t, after, "Heby").Evaluations, -1},
		{"Falun evaluations", municipality(t, before, "Falun").Evaluations, municipality(t, after, "Falun").Evaluations, -1},
		{"network unused", before.Network.Unused, after.Network.Unused, -1},
		{"network user surveys", before.Network.UserSurveys, after.Network.UserSurveys, -1},
		{"Falun unused listed", len(municipality(t, before, "Falun").Unused), len(municipality(t, after, "Falun").Unused), -1},
		{"Heby with cost", municipality(t, before, "Heby").Costs.WithCost, municipality(t, after, "Heby").Costs.WithCost, -1},
		{"network excluded", len(before.Network.Excluded), len(after.Network.Excluded), 1},
		{"Heby excluded", len(municipality(t, before, "Heby").Excluded), len(municipality(t, after, "Heby").Excluded), 1},
		{"Falun excluded", len(municipality(t, before, "Falun").Excluded), len(municipality(t, after, "Falun").Excluded), 1},
		{"Falun submitted units", municipality(t, before, "Falun").Response.Submitted, municipality(t, after, "Falun").Response.Submitted, 0},
		{"Falun unsubmitted", municipality(t, before, "Falun").UnsubmittedEvaluations, municipality(t, after, "Falun").UnsubmittedEvaluations, 0},
	}
	for _, c := range checks {
		if c.after-c.before != c.want {
			t.Errorf("%s: %d → %d, want a change of %d", c.name, c.before, c.after, c.want)
		}
	}
	if a, b := before.Network.Costs.Total, after.Network.Costs.Total; !(b < a) {
		t.Errorf("network cost %v → %v, want less", a, b)
	}
	want := aggregate.ExcludedEvaluation{Benamning: "Tillsyn", Enhet: "Gemensam nämnd", Kommun: "Heby, Falun", Reason: reason, Kommuner: []string{"Heby", "Falun"}}
	if len(after.Network.Excluded) != 1 || !reflect.DeepEqual(after.Network.Excluded[0], want) {
		t.Errorf("network.excluded = %+v, want %+v", after.Network.Excluded, want)
	}

	// The export leaves it out, like the report.
	_, ds, err := f.m.ExportData(ctx, f.system, f.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ds.Units {
		for _, e := range u.Evaluations {
			if e.ID == target.ID {
				t.Error("the export holds the excluded evaluation")
			}
		}
	}

	// Undone after the round is closed, the report is the one from before.
	if _, err := f.m.SetState(ctx, f.system, f.round.ID, round.Closed); err != nil {
		t.Fatal(err)
	}
	if err := f.m.Include(ctx, plHeby, f.round.ID, target.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.report(t); !reflect.DeepEqual(got, before) {
		t.Errorf("re-included report differs from the report before:\n got %+v\nwant %+v", got.Network, before.Network)
	}
	if err := f.m.Include(ctx, f.system, f.round.ID, target.ID); codeOf(err) != apperror.Conflict {
		t.Errorf("including an included evaluation = %v, want conflict", err)
	}
	// Once published, the review is final.
	if err := f.m.Exclude(ctx, f.system, f.round.ID, target.ID, reason); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.SetState(ctx, f.system, f.round.ID, round.Published); err != nil {
		t.Fatal(err)
	}
	if err := f.m.Include(ctx, f.system, f.round.ID, target.ID); codeOf(err) != apperror.Conflict {
		t.Errorf("include after publishing = %v, want conflict", err)
	}

	// Every step is audited, in words, on the evaluation.
	trail, err := f.m.AuditTrail(ctx, f.system, form.MustEvaluation(), f.round.ID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for i := len(trail.Entries) - 1; i >= 0; i-- {
		e := trail.Entries[i]
		if e.EvaluationID == target.ID && (e.Action == "Markerad utanför avgränsningen" || e.Action == "Tagen med igen i rapporten") {
			steps = append(steps, e.Actor+": "+e.Action+": "+e.Field+" "+e.Old+"→"+e.New+" ("+e.Evaluation+")")
		}
	}
	wantSteps := []string{
		"pl@falun.example: Markerad utanför avgränsningen: Skäl →" + reason + " (Tillsyn)",
		"pl@heby.example: Tagen med igen i rapporten: Skäl " + reason + "→ (Tillsyn)",
		"test: Markerad utanför avgränsningen: Skäl →" + reason + " (Tillsyn)",
	}
	if !reflect.DeepEqual(steps, wantSteps) {
		t.Errorf("audit trail:\n got %q\nwant %q", steps, wantSteps)
	}
}

func (f *fixture) submittedIDs(t *testing.T, key string) []int64 {
	t.Helper()
	evs, err := f.st.Q(ctx).UnitEvaluations(f.units[key].ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	return ids
}

// TestQuestionRoundTrip: a reviewer asks about a sent-in evaluation; the
// verksamhetschef sees it on the link's page, answers and corrects the
// evaluation without taking the unit's answer back; the progress page
// counts it per kommun; closing the round warns of it; the reviewer closes
// it.
func TestQuestionRoundTrip(t *testing.T) {
	f := newFixture(t)
	ticking(f)
	evs := f.submitted(t, "Socialnämnden/Falun", complete("arligen", "Brukarenkät"))
	e := evs[0]
	link := f.byLink(f.links["Socialnämnden/Falun"])
	plFalun := manage.Actor{Email: "pl@falun.example", Role: "projektledare", Kommun: "Falun"}
	plHeby := manage.Actor{Email: "pl@heby.example", Role: "projektledare", Kommun: "Heby"}

	if _, err := f.m.Ask(ctx, plFalun, f.round.ID, e.ID, " "); codeOf(err) != apperror.Invalid {
		t.Errorf("empty question = %v, want invalid", err)
	}
	if _, err := f.m.Ask(ctx, plHeby, f.round.ID, e.ID, "Hur?"); codeOf(err) != apperror.NotFound {
		t.Errorf("Heby's projektledare asked Falun's unit: %v, want not found", err)
	}
	q, err := f.m.Ask(ctx, plFalun, f.round.ID, e.ID, "Timmarna verkar höga: stämmer 10 timmar?")
	if err != nil {
		t.Fatal(err)
	}

	// The progress page and the review list count it.
	ov, err := f.m.Overview(ctx, f.system, f.round.ID, manage.OverviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ov.Kommuner {
		if want := map[string]int{"Falun": 1, "Heby": 0}[k.Name]; k.OpenQuestions != want {
			t.Errorf("overview: %s has %d open questions, want %d", k.Name, k.OpenQuestions, want)
		}
	}
	rv, err := f.m.Review(ctx, plFalun, f.round.ID, manage.ReviewFilter{Status: manage.ReviewQuestions})
	if err != nil {
		t.Fatal(err)
	}
	if len(rv.Items) != 1 || rv.Items[0].Evaluation.ID != e.ID || rv.OpenQuestions != 1 {
		t.Errorf("review list with open questions = %+v", rv.Items)
	}

	// The chef sees it, answers and corrects.
	page, err := f.resp.Open(ctx, link)
	if err != nil {
		t.Fatal(err)
	}
	open := page.OpenQuestions()
	if len(open) != 1 || open[0].Text != q.Text || open[0].Evaluation != "Brukarenkät" || !open[0].CanAnswer || !open[0].CanCorrect {
		t.Fatalf("chef's open questions = %+v", open)
	}
	if err := f.resp.Answer(ctx, link, q.ID, "Ja, det stämmer inte – det var 4 timmar."); err != nil {
		t.Fatal(err)
	}
	if err := f.resp.Answer(ctx, f.byLink(f.links["Miljökontoret/Falun"]), q.ID, "Fel enhet"); codeOf(err) != apperror.NotFound {
		t.Errorf("another unit's link answered the question: %v", err)
	}
	corrected := complete("arligen", "Brukarenkät")
	corrected["timmar"] = "4"
	if _, errs, err := f.resp.Correct(ctx, link, e.ID, 0, with(corrected, "syfte", "")); err != nil || len(errs) == 0 {
		t.Errorf("a correction missing a required answer: %v, %v; want it refused with errors", errs, err)
	}
	if _, errs, err := f.resp.Correct(ctx, link, e.ID, 0, corrected); err != nil || errs != nil {
		t.Fatal(err, errs)
	}
	stored, err := f.st.Q(ctx).Evaluation(e.UnitID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	unit, err := f.st.Q(ctx).Unit(e.UnitID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Answers.Get("timmar") != "4" || !stored.Complete || unit.Response != round.Submitted {
		t.Errorf("after correction: timmar %q, complete %v, unit %q; want 4, true, inskickad", stored.Answers.Get("timmar"), stored.Complete, unit.Response)
	}
	if got := municipality(t, f.report(t), "Falun").Costs.Lon; got != 4*280 {
		t.Errorf("Falun's lön after the correction = %v, want %v", got, 4*280)
	}
	panel, err := f.m.ReviewEvaluation(ctx, plFalun, f.round.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !panel.CorrectedSinceAsked() || len(panel.Questions) != 1 || !panel.Questions[0].Answered() || !panel.CanClose(panel.Questions[0]) {
		t.Errorf("panel = %+v", panel)
	}
	// Without an open question, a sent-in list is not changed in place.
	if _, _, err := f.resp.Correct(ctx, f.byLink(f.links["Socialnämnden/Heby"]), e.ID, 0, corrected); codeOf(err) != apperror.NotFound {
		t.Errorf("another unit corrected it: %v", err)
	}

	// Closing warns of it, and only a confirmation that was shown it closes.
	ch, err := f.m.PreviewState(ctx, f.system, f.round.ID, round.Closed)
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Warns() || len(ch.OpenQuestions) != 1 || ch.OpenQuestions[0].Evaluation != "Brukarenkät" || ch.OpenQuestions[0].Unit.Name != "Socialnämnden" {
		t.Fatalf("closing preview = %+v, want a warning of the open question", ch)
	}
	if _, done, err := f.m.ConfirmState(ctx, f.system, f.round.ID, round.Closed, manage.Shown{}); err != nil || done {
		t.Fatalf("closing without being shown the question: done=%v, %v; want not done", done, err)
	}
	if _, done, err := f.m.ConfirmState(ctx, f.system, f.round.ID, round.Closed, manage.Shown{Questions: []int64{q.ID}}); err != nil || !done {
		t.Fatalf("closing after being shown the question: done=%v, %v", done, err)
	}
	// Closed: the chef can no longer answer; the reviewer can close it.
	if err := f.resp.Answer(ctx, link, q.ID, "Ett svar till"); codeOf(err) != apperror.Conflict {
		t.Errorf("answer in a closed round = %v, want conflict", err)
	}
	if _, err := f.m.Ask(ctx, plFalun, f.round.ID, e.ID, "En fråga till?"); codeOf(err) != apperror.Conflict {
		t.Errorf("question in a closed round = %v, want conflict", err)
	}
	if _, err := f.m.CloseQuestion(ctx, plHeby, f.round.ID, q.ID); codeOf(err) != apperror.NotFound {
		t.Errorf("Heby's projektledare closed Falun's question: %v", err)
	}
	closed, err := f.m.CloseQuestion(ctx, plFalun, f.round.ID, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if closed.Open() || closed.EvaluationID != e.ID {
		t.Errorf("closed question = %+v", closed)
	}
	if _, err := f.m.CloseQuestion(ctx, plFalun, f.round.ID, q.ID); codeOf(err) != apperror.Conflict {
		t.Errorf("closing twice = %v, want conflict", err)
	}
	if ch, err := f.m.PreviewState(ctx, f.system, f.round.ID, round.Published); err != nil || ch.Warns() {
		t.Errorf("publishing preview = %+v, %v", ch, err)
	}

	trail, err := f.m.AuditTrail(ctx, f.system, form.MustEvaluation(), f.round.ID, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(trail.Entries) - 1; i >= 0; i-- {
		if en := trail.Entries[i]; en.EvaluationID == e.ID && (strings.HasPrefix(en.Action, "Fråga") || strings.Contains(en.Action, "rättad")) {
			actions = append(actions, en.Actor+": "+en.Action)
		}
	}
	wantActions := []string{
		"pl@falun.example: Fråga till enheten",
		"Verksamhetschef via personlig länk: Frågan besvarad",
		"Verksamhetschef via personlig länk: Utvärderingen rättad efter en fråga",
		"pl@falun.example: Frågan avslutad",
	}
	if !reflect.DeepEqual(actions, wantActions) {
		t.Errorf("audit trail:\n got %q\nwant %q", actions, wantActions)
	}
}

func with(a form.Answers, kv ...string) form.Answers {
	out := a.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestReviewList: the filters by kommun, unit and status, and a
// projektledare's view of their own kommun's units only.
func TestReviewList(t *testing.T) {
	f := newFixture(t)
	f.submitted(t, "Socialnämnden/Heby", complete("arligen", "A"), complete("arligen", "B"))
	shared := f.submitted(t, "Gemensam nämnd/Heby+Falun", complete("arligen", "C"))
	f.submitted(t, "Miljökontoret/Falun", complete("arligen", "D"))
	if _, err := f.resp.Save(ctx, f.byLink(f.links["Socialnämnden/Falun"]), respond.Edit{Answers: complete("arligen", "Ej inskickad")}); err != nil {
		t.Fatal(err)
	}
	if err := f.m.Exclude(ctx, f.system, f.round.ID, shared[0].ID, "Utanför"); err != nil {
		t.Fatal(err)
	}
	plFalun := manage.Actor{Email: "pl@falun.example", Role: "projektledare", Kommun: "Falun"}
	names := func(rv manage.Review) []string {
		var out []string
		for _, it := range rv.Items {
			out = append(out, it.Evaluation.Title()+":"+it.Status())
		}
		return out
	}
	tests := []struct {
		name   string
		actor  manage.Actor
		filter manage.ReviewFilter
		want   []string
	}{
		{"all", f.system, manage.ReviewFilter{}, []string{"C:utesluten", "D:med", "A:med", "B:med"}},
		{"Falun", f.system, manage.ReviewFilter{Kommun: "Falun"}, []string{"C:utesluten", "D:med"}},
		{"excluded", f.system, manage.ReviewFilter{Status: manage.ReviewExcluded}, []string{"C:utesluten"}},
		{"included in Heby", f.system, manage.ReviewFilter{Kommun: "Heby", Status: manage.ReviewIncluded}, []string{"A:med", "B:med"}},
		{"one unit", f.system, manage.ReviewFilter{UnitID: f.units["Socialnämnden/Heby"].ID}, []string{"A:med", "B:med"}},
		{"limited", f.system, manage.ReviewFilter{Limit: 1}, []string{"C:utesluten"}},
		{"projektledare", plFalun, manage.ReviewFilter{}, []string{"C:utesluten", "D:med"}},
		{"projektledare asks for Heby's unit", plFalun, manage.ReviewFilter{UnitID: f.units["Socialnämnden/Heby"].ID}, nil},
	}
	for _, tc := range tests {
		rv, err := f.m.Review(ctx, tc.actor, f.round.ID, tc.filter)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := names(rv); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: items %v, want %v", tc.name, got, tc.want)
		}
	}
	rv, err := f.m.Review(ctx, f.system, f.round.ID, manage.ReviewFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rv.Matched != 4 || rv.Included != 3 || rv.Excluded != 1 || len(rv.Kommuner) != 2 {
		t.Errorf("counts: matched %d, included %d, excluded %d, kommuner %v; want 4, 3, 1, both", rv.Matched, rv.Included, rv.Excluded, rv.Kommuner)
	}
	if _, err := f.m.Review(ctx, f.system, f.round.ID, manage.ReviewFilter{Status: "annat"}); codeOf(err) != apperror.Invalid {
		t.Errorf("unknown status = %v, want invalid", err)
	}
	if _, err := f.m.Review(ctx, manage.Actor{Email: "sg@example.se", Role: "styrgrupp"}, f.round.ID, manage.ReviewFilter{}); codeOf(err) != apperror.Forbidden {
		t.Errorf("styrgrupp's review = %v, want forbidden", err)
	}
}
