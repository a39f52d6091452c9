package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
)

// TestAuthorisationMatrix walks role × object kind × own/other kommun
// through the real router. Heby's projektledare must reach Heby's units and
// the unit Heby shares with Falun, and get 404 for everything of Falun's.
func TestAuthorisationMatrix(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sys := manage.System("test")
	for _, k := range []string{"Heby", "Falun"} {
		if _, err := e.manage.AddKommun(ctx, sys, e.round.ID, k, "10 000"); err != nil {
			t.Fatal(err)
		}
	}
	units := map[string]round.Unit{}
	tokens := map[string]string{}
	for key, in := range map[string]manage.UnitInput{
		"own":    {Name: "Hebys socialnämnd", Kommuner: []string{"Heby"}, ChefEmail: "h@heby.example"},
		"other":  {Name: "Faluns miljökontor", Kommuner: []string{"Falun"}, ChefEmail: "f@falun.example"},
		"shared": {Name: "Gemensam nämnd", Kommuner: []string{"Heby", "Falun"}, Fordelning: "lika"},
	} {
		u, link, err := e.manage.AddUnit(ctx, sys, e.round.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		units[key], tokens[key] = u, link[strings.LastIndex(link, "/")+1:]
	}
	evals := map[string]int64{}
	for key, tok := range tokens {
		c := e.client()
		e.post(c, "/l/"+tok+"/ny", validForm())
		e.post(c, "/l/"+tok+"/skicka-in", nil)
		evs := e.evaluations(units[key].ID)
		evals[key] = evs[0].ID
	}

	type client struct {
		c    *http.Client
		csrf string
	}
	clients := map[string]client{"anonym": {c: e.client()}}
	for _, role := range []string{"samordnare", "styrgrupp"} {
		c := e.client()
		clients[role] = client{c: c, csrf: e.loginAs(c, role+"@example.se", role, "")}
	}
	pl := e.client()
	clients["projektledare"] = client{c: pl, csrf: e.loginAs(pl, "pl@heby.example", "projektledare", "Heby")}

	rid := e.round.ID
	unitPath := func(key string) string { return fmt.Sprintf("/admin/enheter/%d", units[key].ID) }
	type req struct {
		method, path string
		form         url.Values
	}
	cases := []struct {
		name string
		req  req
		want map[string]int // role → status
	}{
		{"round overview", req{"GET", fmt.Sprintf("/admin/omgangar/%d", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403, "anonym": 303}},
		{"own unit", req{"GET", unitPath("own"), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403, "anonym": 303}},
		{"shared unit", req{"GET", unitPath("shared"), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403}},
		{"other kommun's unit", req{"GET", unitPath("other"), nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 403}},
		{"own evaluation", req{"GET", fmt.Sprintf("%s/u/%d", unitPath("own"), evals["own"]), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403}},
		{"other kommun's evaluation", req{"GET", fmt.Sprintf("%s/u/%d", unitPath("other"), evals["other"]), nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 403}},
		{"other's evaluation via own unit", req{"GET", fmt.Sprintf("%s/u/%d", unitPath("own"), evals["other"]), nil}, map[string]int{"projektledare": 404}},
		{"write to other kommun's unit", req{"POST", unitPath("other") + "/ny", validForm()}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401}},
		{"write to own unit", req{"POST", unitPath("own") + "/ny", validForm()}, map[string]int{"projektledare": 303}},
		{"delete other kommun's evaluation", req{"POST", fmt.Sprintf("%s/u/%d/ta-bort", unitPath("other"), evals["other"]), nil}, map[string]int{"projektledare": 404, "styrgrupp": 403}},
		{"new link for other kommun's unit", req{"POST", fmt.Sprintf("/admin/omgangar/%d/enheter/%d/ny-lank", rid, units["other"].ID), nil}, map[string]int{"projektledare": 404, "styrgrupp": 403}},
		{"new link for own unit", req{"POST", fmt.Sprintf("/admin/omgangar/%d/enheter/%d/ny-lank", rid, units["own"].ID), nil}, map[string]int{"projektledare": 303}},
		{"register unit in other kommun", req{"POST", fmt.Sprintf("/admin/omgangar/%d/enheter", rid), url.Values{"enhet": {"Ny"}, "kommun": {"Falun"}}}, map[string]int{"projektledare": 403, "styrgrupp": 403}},
		{"audit trail", req{"GET", fmt.Sprintf("/admin/omgangar/%d/andringslogg", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 403, "styrgrupp": 403}},
		{"security log", req{"GET", "/admin/sakerhetslogg", nil}, map[string]int{"samordnare": 200, "projektledare": 403, "styrgrupp": 403, "anonym": 303}},
		{"links list", req{"GET", fmt.Sprintf("/admin/omgangar/%d/lankar.xlsx", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403}},
		{"other kommun's Excel form", req{"GET", unitPath("other") + "/excel", nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 403}},
		{"add kommun", req{"POST", fmt.Sprintf("/admin/omgangar/%d/kommuner", rid), url.Values{"kommun": {"Mora"}}}, map[string]int{"projektledare": 403, "styrgrupp": 403}},
		{"change round state", req{"POST", fmt.Sprintf("/admin/omgangar/%d/status", rid), url.Values{"status": {"stangd"}}}, map[string]int{"projektledare": 403, "styrgrupp": 403}},
		{"export", req{"GET", fmt.Sprintf("/admin/omgangar/%d/export.xlsx", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403, "anonym": 303}},
		{"unpublished report", req{"GET", fmt.Sprintf("/rapporter/%d", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 404, "anonym": 303}},
		{"unpublished report file", req{"GET", fmt.Sprintf("/rapporter/%d/fil/json", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 404}},
		{"unpublished chart", req{"GET", fmt.Sprintf("/rapporter/%d/diagram/anvandning/png", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 404}},
	}
	do := func(role string, r req) (int, []byte) {
		cl := clients[role]
		var resp *http.Response
		var err error
		if r.method == "GET" {
			resp, err = cl.c.Get(e.srv.URL + r.path)
		} else {
			f := with(r.form, map[string][]string{"csrf": {cl.csrf}})
			resp, err = cl.c.PostForm(e.srv.URL+r.path, f)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	for _, tc := range cases {
		for role, want := range tc.want {
			status, body := do(role, tc.req)
			if status != want {
				t.Errorf("%s as %s: %s %s = %d, want %d", tc.name, role, tc.req.method, tc.req.path, status, want)
			}
			if role == "projektledare" && status != 200 && bytes.Contains(body, []byte("Faluns miljökontor")) {
				t.Errorf("%s as projektledare: refusal reveals the other kommun's unit", tc.name)
			}
		}
	}

	// The overview shows Heby's projektledare only Heby's units.
	_, body := do("projektledare", req{"GET", fmt.Sprintf("/admin/omgangar/%d", rid), nil})
	if bytes.Contains(body, []byte("Faluns miljökontor")) || !bytes.Contains(body, []byte("Gemensam nämnd")) {
		t.Error("projektledare's overview: wrong units listed")
	}
	// The projektledare's export holds Heby's units only.
	_, body = do("projektledare", req{"GET", fmt.Sprintf("/admin/omgangar/%d/export.xlsx", rid), nil})
	ds, err := sheet.ReadXLSX(context.Background(), bytes.NewReader(body), form.MustEvaluation(), sheet.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ds.Units {
		if u.Name == "Faluns miljökontor" {
			t.Error("projektledare's export holds Falun's unit")
		}
	}
	if len(ds.Units) != 2 {
		t.Errorf("projektledare's export holds %d units, want 2 (own and shared)", len(ds.Units))
	}

	// Before publishing, the report list shows the round to the samordnare only.
	for role, want := range map[string]bool{"samordnare": true, "projektledare": false, "styrgrupp": false} {
		_, body := do(role, req{"GET", "/rapporter", nil})
		if got := bytes.Contains(body, []byte(e.round.Name)); got != want {
			t.Errorf("report list as %s lists the unpublished round: %v, want %v", role, got, want)
		}
	}

	// Once published, the report opens for every staff role.
	if err := e.manage.SetState(ctx, sys, rid, round.Published); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"samordnare", "projektledare", "styrgrupp"} {
		if status, _ := do(role, req{"GET", fmt.Sprintf("/rapporter/%d", rid), nil}); status != 200 {
			t.Errorf("published report as %s: %d", role, status)
		}
	}
	if status, _ := do("anonym", req{"GET", fmt.Sprintf("/rapporter/%d/fil/xlsx", rid), nil}); status != 303 {
		t.Errorf("published report file without login: %d, want redirect to login", status)
	}
}
