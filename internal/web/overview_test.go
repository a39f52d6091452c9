package web_test

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/store"
)

// progressUnit is a unit of progressEnv as the test made it.
type progressUnit struct {
	ID       int64
	Name     string
	Kommuner []string
	Omrade   string
	Chef     string
	Email    string
	Status   round.Progress
}

// progressEnv is newEnv's round with 123 more units in Borlänge, Heby and
// Falun, spread over every progress step, three områden and several chefs:
// 124 units, three pages (Heby's 75, two pages).
func progressEnv(t *testing.T) (*env, []progressUnit) {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	sys := manage.System("test")
	for _, k := range []string{"Heby", "Falun"} {
		if _, err := e.manage.AddKommun(ctx, sys, e.round.ID, k, "10 000"); err != nil {
			t.Fatal(err)
		}
	}
	units := []progressUnit{{ID: e.unit.ID, Name: e.unit.Name, Kommuner: e.unit.Kommuner, Chef: e.unit.ChefName, Email: e.unit.ChefEmail, Status: round.NotInvited}}
	kommuner := [][]string{{"Borlänge"}, {"Heby"}, {"Falun"}, {"Heby"}, {"Heby"}}
	omraden := []string{"Vård och omsorg", "Skola", ""}
	chefs := []string{"Anna Lind", "Bo Ek", "Cia Berg", "Dan Al"}
	at := time.Now().UTC().Add(-time.Hour)
	for i := range 123 {
		in := manage.UnitInput{Name: fmt.Sprintf("Nämnd %03d", i), Kommuner: kommuner[i%len(kommuner)], Omrade: omraden[i%len(omraden)],
			ChefName: chefs[i%len(chefs)], ChefEmail: fmt.Sprintf("chef%d@example.se", i)}
		switch i {
		case 7:
			in.Name, in.ChefName = "Östra skolan", "Åsa Öberg"
		case 8:
			in.Name = "Äldreomsorg 100% i egen regi"
		case 14:
			in.Name, in.ChefName, in.ChefEmail = `=HYPERLINK("http://evil.example","klicka")`, "+46 70 123 45 67", ""
		case 10, 11:
			in.Kommuner, in.Fordelning = []string{"Heby", "Falun"}, "lika"
		}
		u, _, err := e.manage.AddUnit(ctx, sys, e.round.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		step := round.ProgressSteps[i%len(round.ProgressSteps)]
		setProgress(t, e.store, u, step, at)
		units = append(units, progressUnit{ID: u.ID, Name: u.Name, Kommuner: u.Kommuner, Omrade: u.Omrade, Chef: u.ChefName, Email: u.ChefEmail, Status: step})
	}
	// The page's order: by first kommun, then name (code point order).
	slices.SortFunc(units, func(a, b progressUnit) int {
		return cmp.Or(strings.Compare(a.Kommuner[0], b.Kommuner[0]), strings.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return e, units
}

// setProgress brings a new unit to the step as its respondent would.
func setProgress(t *testing.T, st *store.Store, u round.Unit, step round.Progress, at time.Time) {
	t.Helper()
	err := st.InTx(context.Background(), func(q *store.Queries) error {
		invite := step != round.NotInvited
		open := step == round.Opened || step == round.Draft || step == round.ProgressSubmitted
		draft := step == round.Draft || step == round.ProgressSubmitted
		if invite {
			if err := q.MarkInvited(u.ID, at); err != nil {
				return err
			}
		}
		if open {
			if err := q.TouchUnit(u.ID, at, true); err != nil {
				return err
			}
		}
		if draft {
			if _, err := q.CreateEvaluation(round.Evaluation{RoundID: u.RoundID, UnitID: u.ID, Answers: form.Answers{"benamning": "Brukarenkät"}, CreatedAt: at, UpdatedAt: at}); err != nil {
				return err
			}
		}
		switch step {
		case round.ProgressSubmitted:
			return q.SetUnitResponse(u.ID, round.Submitted, "", at)
		case round.ProgressNone:
			return q.SetUnitResponse(u.ID, round.NoEvaluations, "", at)
		case round.ProgressDeclined:
			return q.SetUnitResponse(u.ID, round.Declined, "Omorganisation pågår", at)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var (
	unitRowID   = regexp.MustCompile(`<tr>\s*<td><a href="/admin/enheter/(\d+)">`)
	resultCount = regexp.MustCompile(`Visar (\d+)–(\d+) av (\d+) enhet`)
)

// listed is the unit IDs of the page's unit table, in order.
func listed(body string) []int64 {
	var out []int64
	for _, m := range unitRowID.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, id)
	}
	return out
}

func has(list []string, s string) bool { return slices.Contains(list, s) }

func foldContains(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// TestRoundOverviewFiltersAndPages: the progress page's list of units,
// filtered by kommun, status, område and text, 50 to a page, through the
// real router; a projektledare sees their own kommun's units only, whatever
// the query says.
func TestRoundOverviewFiltersAndPages(t *testing.T) {
	e, units := progressEnv(t)
	sam := e.client()
	e.login(sam, "samordnare")
	pl := e.client()
	e.loginAs(pl, "pl@heby.example", "projektledare", "Heby")
	clients := map[string]*http.Client{"samordnare": sam, "projektledare": pl}
	page := fmt.Sprintf("/admin/omgangar/%d", e.round.ID)

	hebys := func(u progressUnit) bool { return has(u.Kommuner, "Heby") }
	all := func(progressUnit) bool { return true }
	cases := []struct {
		name   string
		role   string
		query  url.Values
		want   func(progressUnit) bool // the units the filter selects
		page   int                     // the page shown
		status int
	}{
		{"everything, first page", "samordnare", nil, all, 1, 200},
		{"second page", "samordnare", url.Values{"sida": {"2"}}, all, 2, 200},
		{"last page", "samordnare", url.Values{"sida": {"3"}}, all, 3, 200},
		{"beyond the last page", "samordnare", url.Values{"sida": {"99"}}, all, 3, 200},
		{"page zero", "samordnare", url.Values{"sida": {"0"}}, all, 1, 200},
		{"page not a number", "samordnare", url.Values{"sida": {"två"}}, all, 1, 200},
		{"kommun", "samordnare", url.Values{"kommun": {"Heby"}}, hebys, 1, 200},
		{"kommun, second page", "samordnare", url.Values{"kommun": {"Heby"}, "sida": {"2"}}, hebys, 2, 200},
		{"status", "samordnare", url.Values{"status": {"avbojt"}}, func(u progressUnit) bool { return u.Status == round.ProgressDeclined }, 1, 200},
		{"område", "samordnare", url.Values{"omrade": {"Vård och omsorg"}}, func(u progressUnit) bool { return u.Omrade == "Vård och omsorg" }, 1, 200},
		{"search by chef, any case, å ö", "samordnare", url.Values{"sok": {"ÅSA öberg"}}, func(u progressUnit) bool { return u.Chef == "Åsa Öberg" }, 1, 200},
		{"search by unit name", "samordnare", url.Values{"sok": {"  östra   SKOLAN "}}, func(u progressUnit) bool { return u.Name == "Östra skolan" }, 1, 200},
		{"search by e-mail", "samordnare", url.Values{"sok": {"chef12@"}}, func(u progressUnit) bool { return strings.HasPrefix(u.Email, "chef12@") }, 1, 200},
		{"search for a wildcard", "samordnare", url.Values{"sok": {"%"}}, func(u progressUnit) bool { return strings.Contains(u.Name, "%") }, 1, 200},
		{"search for an underscore", "samordnare", url.Values{"sok": {"_"}}, func(u progressUnit) bool { return false }, 1, 200},
		{"combined", "samordnare", url.Values{"kommun": {"Falun"}, "status": {"inskickad"}, "omrade": {"Skola"}, "sok": {"bo"}},
			func(u progressUnit) bool {
				return has(u.Kommuner, "Falun") && u.Status == round.ProgressSubmitted && u.Omrade == "Skola" &&
					(foldContains(u.Name, "bo") || foldContains(u.Chef, "bo") || foldContains(u.Email, "bo"))
			}, 1, 200},
		{"nothing matches", "samordnare", url.Values{"sok": {"finns inte"}}, func(progressUnit) bool { return false }, 1, 200},
		{"unknown status", "samordnare", url.Values{"status": {"klar"}}, nil, 0, 422},
		{"kommun not in the round", "samordnare", url.Values{"kommun": {"Mora"}}, nil, 0, 422},

		{"projektledare, everything", "projektledare", nil, hebys, 1, 200},
		{"projektledare, own kommun", "projektledare", url.Values{"kommun": {"Heby"}}, hebys, 1, 200},
		{"projektledare, other kommun", "projektledare", url.Values{"kommun": {"Falun"}}, nil, 0, 422},
		{"projektledare, status", "projektledare", url.Values{"status": {"utkast"}}, func(u progressUnit) bool { return hebys(u) && u.Status == round.Draft }, 1, 200},
		{"projektledare searches another kommun's chef", "projektledare", url.Values{"sok": {"chef2@"}}, func(progressUnit) bool { return false }, 1, 200},
		{"projektledare, page beyond", "projektledare", url.Values{"sida": {"5"}}, hebys, 2, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := page
			if len(tc.query) > 0 {
				path += "?" + tc.query.Encode()
			}
			status, body := e.get(clients[tc.role], path)
			if status != tc.status {
				t.Fatalf("GET %s as %s: %d, want %d", path, tc.role, status, tc.status)
			}
			if tc.role == "projektledare" && strings.Contains(body, "chef2@example.se") {
				t.Errorf("a Falun unit's chef is on the projektledare's page")
			}
			if tc.status != 200 {
				return
			}
			var want []int64
			for _, u := range units {
				if tc.want(u) {
					want = append(want, u.ID)
				}
			}
			first := (tc.page - 1) * manage.UnitsPerPage
			onPage := want[min(first, len(want)):min(first+manage.UnitsPerPage, len(want))]
			if got := listed(body); !slices.Equal(got, onPage) {
				t.Errorf("GET %s lists %d units %v,\nwant %d %v", path, len(got), got, len(onPage), onPage)
			}
			m := resultCount.FindStringSubmatch(body)
			switch {
			case len(want) == 0 && !strings.Contains(body, "Inga enheter matchar filtret."):
				t.Errorf("GET %s: no 'Inga enheter matchar filtret.'", path)
			case len(want) == 0:
			case m == nil:
				t.Errorf("GET %s: no result count", path)
			case m[1] != strconv.Itoa(first+1) || m[2] != strconv.Itoa(first+len(onPage)) || m[3] != strconv.Itoa(len(want)):
				t.Errorf("GET %s: %q, want Visar %d–%d av %d", path, m[0], first+1, first+len(onPage), len(want))
			}
			// The form shows the filter as applied.
			for k, v := range tc.query {
				if k == "sida" {
					continue
				}
				val := strings.Join(strings.Fields(v[0]), " ")
				if k == "sok" && !strings.Contains(body, `name="sok" value="`+html.EscapeString(val)+`"`) {
					t.Errorf("GET %s: the search field does not hold %q", path, val)
				}
				if k == "kommun" && tc.role == "projektledare" {
					continue // their one kommun: no choice to show
				}
				if k != "sok" && !strings.Contains(body, `value="`+html.EscapeString(val)+`" selected`) {
					t.Errorf("GET %s: %s %q is not selected", path, k, val)
				}
			}
		})
	}

	// Page links keep the filter: page 2 of Heby's units links back to the
	// first page and on to the third, and marks itself as the current page.
	_, body := e.get(sam, page+"?kommun=Heby&sida=2")
	body = html.UnescapeString(body)
	for _, want := range []string{
		`<a href="` + page + `?kommun=Heby#enheter" rel="prev">`,
		`<a href="` + page + `?kommun=Heby&sida=2#enheter" aria-current="page">`,
		`<a href="` + page + `/framsteg.xlsx?kommun=Heby">`,
		`<a href="` + page + `/lankar.xlsx?kommun=Heby">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page 2 of Heby's units lacks %s", want)
		}
	}
	if strings.Contains(body, `rel="next"`) {
		t.Error("the last page links to a next page")
	}
	// The kommun table links each kommun to its units, and has the totals.
	_, body = e.get(sam, page)
	if !strings.Contains(html.UnescapeString(body), `<a href="`+page+`?kommun=Falun#enheter">Falun</a>`) {
		t.Error("the kommun table does not link Falun to its units")
	}
	if !strings.Contains(body, "124 enheter har svarat") && !strings.Contains(body, " av 124 enheter har svarat") {
		t.Error("the kommun summary lacks the network's units")
	}
}

// TestRoundOverviewKeepsUnitActions: the list keeps each unit's link and
// actions: "Länken är skickad manuellt" for a unit without address, and
// "Ändra" and "Ny länk".
func TestRoundOverviewKeepsUnitActions(t *testing.T) {
	e, units := progressEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	var noAddress progressUnit
	for _, u := range units {
		if u.Email == "" && u.Status == round.NotInvited {
			noAddress = u
		}
	}
	if noAddress.ID == 0 {
		t.Fatal("no uninvited unit without address")
	}
	path := fmt.Sprintf("/admin/omgangar/%d?sok=%s", e.round.ID, url.QueryEscape("evil.example"))
	_, body := e.get(c, path)
	for _, want := range []string{
		fmt.Sprintf(`action="/admin/enheter/%d/manuellt"`, noAddress.ID),
		fmt.Sprintf(`href="/admin/enheter/%d/uppgifter"`, noAddress.ID),
		fmt.Sprintf(`href="/admin/enheter/%d/ny-lank"`, noAddress.ID),
		`<span class="link-copy">` + e.srv.URL + "/l/",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks %s", path, want)
		}
	}
	status, _, _ := e.post(c, fmt.Sprintf("/admin/enheter/%d/manuellt", noAddress.ID), url.Values{"csrf": {csrf}, "tillbaka": {"omgang"}})
	if status != http.StatusSeeOther {
		t.Fatalf("mark sent by hand: %d", status)
	}
	_, body = e.get(c, fmt.Sprintf("/admin/omgangar/%d?status=inbjuden&sok=%s", e.round.ID, url.QueryEscape("evil.example")))
	if got := listed(body); !slices.Equal(got, []int64{noAddress.ID}) {
		t.Errorf("after marking, the invited units matching the search are %v, want %d", got, noAddress.ID)
	}
}

// TestProgressWorkbook: framsteg.xlsx holds every unit the page's filter
// selects (all pages), with Swedish labels, and formulas as text; a
// projektledare's holds their kommun's units only.
func TestProgressWorkbook(t *testing.T) {
	e, units := progressEnv(t)
	sam := e.client()
	e.login(sam, "samordnare")
	pl := e.client()
	e.loginAs(pl, "pl@heby.example", "projektledare", "Heby")
	base := fmt.Sprintf("/admin/omgangar/%d/framsteg.xlsx", e.round.ID)

	byName := map[string]progressUnit{}
	for _, u := range units {
		byName[u.Name] = u
	}
	for _, tc := range []struct {
		name   string
		c      *http.Client
		query  string
		want   func(progressUnit) bool
		filter [][]string // the Urval sheet's filter lines
	}{
		{"every unit", sam, "", func(progressUnit) bool { return true }, nil},
		{"declined", sam, "?status=avbojt", func(u progressUnit) bool { return u.Status == round.ProgressDeclined }, [][]string{{"Status", "Avböjt"}}},
		{"kommun and område, page ignored", sam, "?kommun=Falun&omrade=Skola&sida=2", func(u progressUnit) bool { return has(u.Kommuner, "Falun") && u.Omrade == "Skola" },
			[][]string{{"Kommun", "Falun"}, {"Område", "Skola"}}},
		{"projektledare", pl, "", func(u progressUnit) bool { return has(u.Kommuner, "Heby") }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.c.Get(e.srv.URL + base + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			data := readAll(resp)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
				!strings.Contains(resp.Header.Get("Content-Disposition"), "framsteg") {
				t.Fatalf("GET %s: %d %s %s", base+tc.query, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
			}
			f, err := excelize.OpenReader(strings.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows(sheet.SheetProgress)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0], sheet.ProgressHeader) {
				t.Errorf("header %q", rows[0])
			}
			var want []string
			for _, u := range units {
				if tc.want(u) {
					want = append(want, u.Name)
				}
			}
			var got []string
			for i, r := range rows[1:] {
				got = append(got, r[1])
				u, ok := byName[r[1]]
				if !ok {
					t.Errorf("row %d: unknown unit %q", i+2, r[1])
					continue
				}
				cell := func(col int) string {
					if col < len(r) {
						return r[col]
					}
					return ""
				}
				if cell(0) != strings.Join(u.Kommuner, ", ") || cell(2) != u.Omrade || cell(3) != u.Chef || cell(4) != u.Email || cell(5) != u.Status.Label() {
					t.Errorf("row %d: %q, want %s %s %s %s %s", i+2, r, u.Kommuner, u.Omrade, u.Chef, u.Email, u.Status.Label())
				}
				wantReason := ""
				if u.Status == round.ProgressDeclined {
					wantReason = "Omorganisation pågår"
				}
				if cell(8) != wantReason {
					t.Errorf("row %d (%s): reason %q, want %q", i+2, u.Status, cell(8), wantReason)
				}
				if invited := cell(9) != ""; invited != (u.Status != round.NotInvited) {
					t.Errorf("row %d (%s): invited %q", i+2, u.Status, cell(9))
				}
				if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d$`).MatchString(cell(6)) {
					t.Errorf("row %d: last activity %q", i+2, cell(6))
				}
				if u.Name == byName[`=HYPERLINK("http://evil.example","klicka")`].Name {
					for col := 1; col <= 4; col++ {
						ref, _ := excelize.CoordinatesToCellName(col, i+2)
						if formula, _ := f.GetCellFormula(sheet.SheetProgress, ref); formula != "" {
							t.Errorf("%s holds the formula %q", ref, formula)
						}
					}
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("GET %s: %d units %q,\nwant %d %q", base+tc.query, len(got), got, len(want), want)
			}
			sel, err := f.GetRows(sheet.SheetSelection)
			if err != nil {
				t.Fatal(err)
			}
			var filter [][]string
			for _, r := range sel {
				if r[0] == "Kommun" || r[0] == "Status" || r[0] == "Område" || r[0] == "Sökning" {
					filter = append(filter, r)
				}
			}
			if !slices.EqualFunc(filter, tc.filter, slices.Equal[[]string]) {
				t.Errorf("Urval's filter %q, want %q", filter, tc.filter)
			}
		})
	}
	for _, q := range []string{"?kommun=Falun", "?status=klar"} {
		if status, body := e.get(pl, base+q); status != http.StatusUnprocessableEntity || strings.Contains(body, "chef2@example.se") {
			t.Errorf("projektledare's %s: %d", q, status)
		}
	}
}

// TestRoundOverviewQueries: a page view runs the same number of queries
// however many units the round has: nothing is loaded unit by unit.
func TestRoundOverviewQueries(t *testing.T) {
	e := newEnv(t)
	var (
		n      atomic.Int64
		mu     sync.Mutex
		stmts  []string
		record atomic.Bool
	)
	if err := e.store.Trace(func(sql string) {
		n.Add(1)
		if record.Load() {
			mu.Lock()
			stmts = append(stmts, sql)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	e.login(c, "samordnare")
	page := fmt.Sprintf("/admin/omgangar/%d", e.round.ID)
	count := func(path string) int64 {
		before := n.Load()
		if status, _ := e.get(c, path); status != 200 {
			t.Fatalf("GET %s: %d", path, status)
		}
		return n.Load() - before
	}
	small := count(page)
	for i := range 60 {
		u, _ := e.addUnit(fmt.Sprintf("Nämnd %02d", i))
		if i%2 == 0 {
			setProgress(t, e.store, u, round.Draft, time.Now().UTC())
		}
	}
	record.Store(true)
	large := count(page)
	record.Store(false)
	filtered := count(page + "?status=utkast&sok=n%C3%A4mnd&sida=2")
	if small != large || large != filtered {
		t.Errorf("queries per page view: %d with 1 unit, %d with 61, %d filtered; want the same", small, large, filtered)
	}
	mu.Lock()
	defer mu.Unlock()
	if large > 20 {
		t.Errorf("%d queries per page view:\n%s", large, strings.Join(stmts, "\n"))
	}
	if testing.Verbose() {
		for _, s := range stmts {
			t.Log(strings.Join(strings.Fields(s), " "))
		}
	}
	t.Logf("%d queries per page view", large)
}
