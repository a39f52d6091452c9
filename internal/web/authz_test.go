package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/staff"
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
		"own2":   {Name: "Hebys fritidsnämnd", Kommuner: []string{"Heby"}},
	} {
		u, link, err := e.manage.AddUnit(ctx, sys, e.round.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		units[key], tokens[key] = u, link[strings.LastIndex(link, "/")+1:]
	}
	evals := map[string]int64{}
	for key, tok := range tokens {
		if key == "own2" {
			continue // no evaluations: it answers "inga" and declines below
		}
		c := e.client()
		e.post(c, "/l/"+tok+"/ny", validForm())
		e.post(c, "/l/"+tok+"/skicka-in", nil)
		evs := e.evaluations(units[key].ID)
		evals[key] = evs[0].ID
	}

	// Units that have not answered, for the routes that correct, mark and
	// delete units.
	for key, in := range map[string]manage.UnitInput{
		"ownFresh":   {Name: "Hebys kulturnämnd", Kommuner: []string{"Heby"}},
		"otherFresh": {Name: "Faluns kulturnämnd", Kommuner: []string{"Falun"}},
	} {
		u, _, err := e.manage.AddUnit(ctx, sys, e.round.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		units[key] = u
	}
	// The form of a unit's details, unchanged or moved to a kommun.
	details := func(key string, kommuner ...string) url.Values {
		u := units[key]
		if kommuner == nil {
			kommuner = u.Kommuner
		}
		return url.Values{"enhet": {u.Name}, "kommun": kommuner, "omrade": {u.Omrade}, "fordelning": {u.Fordelning},
			"verksamhetschef": {u.ChefName}, "epost": {u.ChefEmail}}
	}
	// The review's questions about the shared unit's and the other
	// kommun's evaluations.
	questions := map[string]int64{}
	for _, key := range []string{"shared", "other"} {
		q, err := e.manage.Ask(ctx, sys, e.round.ID, evals[key], "Stämmer timmarna?")
		if err != nil {
			t.Fatal(err)
		}
		questions[key] = q.ID
	}

	type client struct {
		c    *http.Client
		csrf string
	}
	// "lank" holds a personal link (own2's) and no staff session.
	clients := map[string]client{"anonym": {c: e.client()}, "lank": {c: e.client()}}
	for _, role := range []string{"samordnare", "styrgrupp"} {
		c := e.client()
		clients[role] = client{c: c, csrf: e.loginAs(c, role+"@example.se", role, "")}
	}
	pl := e.client()
	clients["projektledare"] = client{c: pl, csrf: e.loginAs(pl, "pl@heby.example", "projektledare", "Heby")}
	// A projektledare whose kommun is known to another round only.
	other, err := e.manage.CreateRound(ctx, sys, manage.RoundInput{Name: "Annan omgång", HourlyRate: "280"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.manage.AddKommun(ctx, sys, other.ID, "Mora", "20 000"); err != nil {
		t.Fatal(err)
	}
	outside := e.client()
	clients["projektledare utanför"] = client{c: outside, csrf: e.loginAs(outside, "pl@mora.example", "projektledare", "Mora")}
	// The account the samordnare acts on.
	victim, _, err := e.staff.AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: "offer@example.se", Role: "styrgrupp", Password: "ett-langt-losenord"})
	if err != nil {
		t.Fatal(err)
	}
	accountPath := fmt.Sprintf("/admin/konton/%d", victim.ID)
	trailPath := fmt.Sprintf("/admin/omgangar/%d/andringslogg", e.round.ID)

	rid := e.round.ID
	unitPath := func(key string) string { return fmt.Sprintf("/admin/enheter/%d", units[key].ID) }
	reviewPath := fmt.Sprintf("/admin/omgangar/%d/granskning", rid)
	evalReview := func(key string) string { return fmt.Sprintf("%s/%d", reviewPath, evals[key]) }
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
		// Staff helping a unit do what the verksamhetschef can, under the
		// same rules: a submitted list is reopened before it is changed.
		{"write to own submitted unit", req{"POST", unitPath("own") + "/ny", validForm()}, map[string]int{"projektledare": 409}},
		{"reopen own unit", req{"POST", unitPath("own") + "/andra", nil}, map[string]int{"projektledare": 303}},
		{"write to own unit", req{"POST", unitPath("own") + "/ny", validForm()}, map[string]int{"projektledare": 303}},
		{"submit for own unit", req{"POST", unitPath("own") + "/skicka-in", nil}, map[string]int{"projektledare": 303}},
		{"reopen own unit again", req{"POST", unitPath("own") + "/andra", nil}, map[string]int{"projektledare": 303}},
		{"inga for own unit", req{"POST", unitPath("own2") + "/inga", nil}, map[string]int{"projektledare": 303}},
		{"reopen own unit's inga", req{"POST", unitPath("own2") + "/andra", nil}, map[string]int{"projektledare": 303}},
		{"decline for own unit", req{"POST", unitPath("own2") + "/avboj", url.Values{"orsak": {"Omorganisation"}}}, map[string]int{"projektledare": 303}},
		{"reopen own unit's decline", req{"POST", unitPath("own2") + "/andra", nil}, map[string]int{"projektledare": 303}},
		{"reopen shared unit", req{"POST", unitPath("shared") + "/andra", nil}, map[string]int{"projektledare": 303}},
		{"submit for shared unit", req{"POST", unitPath("shared") + "/skicka-in", nil}, map[string]int{"projektledare": 303}},
		{"upload to own unit without a file", req{"POST", unitPath("own") + "/excel/fil", nil}, map[string]int{"projektledare": 422}},
		{"new evaluation form of own unit", req{"GET", unitPath("own") + "/ny", nil}, map[string]int{"projektledare": 200, "styrgrupp": 403, "anonym": 303, "lank": 303}},
		{"delete page of own evaluation", req{"GET", fmt.Sprintf("%s/u/%d/ta-bort", unitPath("own"), evals["own"]), nil}, map[string]int{"projektledare": 200, "styrgrupp": 403}},
		{"own unit's Excel form", req{"GET", unitPath("own") + "/excel", nil}, map[string]int{"projektledare": 200, "styrgrupp": 403, "anonym": 303}},
		{"submit for other kommun's unit", req{"POST", unitPath("other") + "/skicka-in", nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"inga for other kommun's unit", req{"POST", unitPath("other") + "/inga", nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"decline for other kommun's unit", req{"POST", unitPath("other") + "/avboj", url.Values{"orsak": {"x"}}}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"reopen other kommun's unit", req{"POST", unitPath("other") + "/andra", nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"upload to other kommun's unit", req{"POST", unitPath("other") + "/excel/fil", nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"update other kommun's evaluation", req{"POST", fmt.Sprintf("%s/u/%d", unitPath("other"), evals["other"]), validForm()}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"new evaluation form of other kommun's unit", req{"GET", unitPath("other") + "/ny", nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 303}},
		{"delete page of other kommun's evaluation", req{"GET", fmt.Sprintf("%s/u/%d/ta-bort", unitPath("other"), evals["other"]), nil}, map[string]int{"projektledare": 404, "styrgrupp": 403}},
		{"samordnare reopens other kommun's unit", req{"POST", unitPath("other") + "/andra", nil}, map[string]int{"samordnare": 303}},
		{"samordnare submits for other kommun's unit", req{"POST", unitPath("other") + "/skicka-in", nil}, map[string]int{"samordnare": 303}},
		{"unknown unit", req{"GET", "/admin/enheter/999999", nil}, map[string]int{"samordnare": 404, "projektledare": 404, "styrgrupp": 403}},
		{"confirm closing the round", req{"POST", fmt.Sprintf("/admin/omgangar/%d/status", rid), url.Values{"status": {"stangd"}, "bekrafta": {"1"}}}, map[string]int{"projektledare": 403, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		// Another unit's personal link reaches none of this unit's evaluations.
		{"own link's page", req{"GET", "/l/" + tokens["own2"], nil}, map[string]int{"lank": 200}},
		{"evaluation through another unit's link", req{"GET", fmt.Sprintf("/l/%s/u/%d", tokens["own2"], evals["own"]), nil}, map[string]int{"lank": 404}},
		{"update through another unit's link", req{"POST", fmt.Sprintf("/l/%s/u/%d", tokens["own2"], evals["own"]), validForm()}, map[string]int{"lank": 404}},
		{"delete through another unit's link", req{"POST", fmt.Sprintf("/l/%s/u/%d/ta-bort", tokens["own2"], evals["own"]), nil}, map[string]int{"lank": 404}},
		{"staff unit page with a link", req{"GET", unitPath("own2"), nil}, map[string]int{"lank": 303}},
		{"delete other kommun's evaluation", req{"POST", fmt.Sprintf("%s/u/%d/ta-bort", unitPath("other"), evals["other"]), nil}, map[string]int{"projektledare": 404, "styrgrupp": 403}},
		{"new link for other kommun's unit", req{"POST", unitPath("other") + "/ny-lank", nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401}},
		{"new link for own unit", req{"POST", unitPath("own") + "/ny-lank", nil}, map[string]int{"projektledare": 303}},
		{"register unit in other kommun", req{"POST", fmt.Sprintf("/admin/omgangar/%d/enheter", rid), url.Values{"enhet": {"Ny"}, "kommun": {"Falun"}}}, map[string]int{"projektledare": 403, "styrgrupp": 403}},
		{"audit trail", req{"GET", trailPath, nil}, map[string]int{"samordnare": 200, "projektledare": 200, "projektledare utanför": 404, "styrgrupp": 403, "anonym": 303}},
		{"own unit's audit trail", req{"GET", fmt.Sprintf("%s?enhet=%d", trailPath, units["own"].ID), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "projektledare utanför": 404, "styrgrupp": 403, "anonym": 303}},
		{"shared unit's audit trail", req{"GET", fmt.Sprintf("%s?enhet=%d", trailPath, units["shared"].ID), nil}, map[string]int{"samordnare": 200, "projektledare": 200}},
		{"other kommun's unit's audit trail", req{"GET", fmt.Sprintf("%s?enhet=%d", trailPath, units["other"].ID), nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 403}},
		{"accounts", req{"GET", "/admin/konton", nil}, map[string]int{"samordnare": 200, "projektledare": 403, "projektledare utanför": 403, "styrgrupp": 403, "anonym": 303}},
		{"create account", req{"POST", "/admin/konton", url.Values{"epost": {"ny@example.se"}, "roll": {"styrgrupp"}}}, map[string]int{"samordnare": 200, "projektledare": 403, "styrgrupp": 403, "anonym": 401}},
		{"disable account", req{"POST", accountPath + "/avstang", nil}, map[string]int{"samordnare": 303, "projektledare": 403, "styrgrupp": 403, "anonym": 401}},
		{"enable account", req{"POST", accountPath + "/aktivera", nil}, map[string]int{"samordnare": 303, "projektledare": 403, "styrgrupp": 403, "anonym": 401}},
		{"confirm password reset", req{"GET", accountPath + "/nytt-losenord", nil}, map[string]int{"samordnare": 200, "projektledare": 403, "styrgrupp": 403, "anonym": 303}},
		{"reset password", req{"POST", accountPath + "/nytt-losenord", nil}, map[string]int{"samordnare": 200, "projektledare": 403, "styrgrupp": 403, "anonym": 401}},
		{"own password page", req{"GET", "/konto/losenord", nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 200, "anonym": 303}},
		{"change own password, wrongly", req{"POST", "/konto/losenord", url.Values{"nuvarande": {"fel"}, "nytt": {"ett-nytt-losenord"}, "upprepa": {"ett-nytt-losenord"}}}, map[string]int{"samordnare": 422, "projektledare": 422, "styrgrupp": 422, "anonym": 401}},
		{"security log", req{"GET", "/admin/sakerhetslogg", nil}, map[string]int{"samordnare": 200, "projektledare": 403, "styrgrupp": 403, "anonym": 303}},
		{"links list", req{"GET", fmt.Sprintf("/admin/omgangar/%d/lankar.xlsx", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403}},
		// The progress page's filter and its workbook: a projektledare
		// cannot filter their way into another kommun's units.
		{"round overview filtered", req{"GET", fmt.Sprintf("/admin/omgangar/%d?kommun=Heby&status=inskickad&sok=heby&sida=2", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "projektledare utanför": 404, "styrgrupp": 403, "anonym": 303}},
		{"round overview filtered by other kommun", req{"GET", fmt.Sprintf("/admin/omgangar/%d?kommun=Falun", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 422, "projektledare utanför": 404, "styrgrupp": 403}},
		{"progress workbook", req{"GET", fmt.Sprintf("/admin/omgangar/%d/framsteg.xlsx", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "projektledare utanför": 404, "styrgrupp": 403, "anonym": 303, "lank": 303}},
		{"progress workbook of other kommun", req{"GET", fmt.Sprintf("/admin/omgangar/%d/framsteg.xlsx?kommun=Falun", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 422, "styrgrupp": 403}},
		{"progress workbook of unknown round", req{"GET", "/admin/omgangar/999999/framsteg.xlsx", nil}, map[string]int{"samordnare": 404, "projektledare": 404, "styrgrupp": 403}},
		{"other kommun's Excel form", req{"GET", unitPath("other") + "/excel", nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 403}},
		{"add kommun", req{"POST", fmt.Sprintf("/admin/omgangar/%d/kommuner", rid), url.Values{"kommun": {"Mora"}}}, map[string]int{"projektledare": 403, "styrgrupp": 403}},
		{"change round state", req{"POST", fmt.Sprintf("/admin/omgangar/%d/status", rid), url.Values{"status": {"stangd"}}}, map[string]int{"projektledare": 403, "styrgrupp": 403}},
		{"export", req{"GET", fmt.Sprintf("/admin/omgangar/%d/export.xlsx", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403, "anonym": 303}},
		// The working group's review: the samordnare, and a projektledare
		// for their kommun's units (the shared one included).
		{"review list", req{"GET", reviewPath, nil}, map[string]int{"samordnare": 200, "projektledare": 200, "projektledare utanför": 404, "styrgrupp": 403, "anonym": 303}},
		{"review list of a kommun", req{"GET", reviewPath + "?kommun=Heby&status=fragor", nil}, map[string]int{"samordnare": 200, "projektledare": 200}},
		{"review list with a bad filter", req{"GET", reviewPath + "?status=fel", nil}, map[string]int{"samordnare": 422, "projektledare": 422}},
		{"own evaluation's review", req{"GET", evalReview("shared"), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "projektledare utanför": 404, "styrgrupp": 403, "anonym": 303}},
		{"other kommun's evaluation's review", req{"GET", evalReview("other"), nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 403}},
		{"exclude other kommun's evaluation", req{"POST", evalReview("other") + "/utanfor", url.Values{"skal": {"x"}}}, map[string]int{"projektledare": 404, "projektledare utanför": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"exclude without a reason", req{"POST", evalReview("shared") + "/utanfor", nil}, map[string]int{"projektledare": 422}},
		{"exclude own evaluation", req{"POST", evalReview("shared") + "/utanfor", url.Values{"skal": {"Ingen utvärdering"}}}, map[string]int{"projektledare": 303}},
		{"include other kommun's evaluation", req{"POST", evalReview("other") + "/med", nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"include own evaluation", req{"POST", evalReview("shared") + "/med", nil}, map[string]int{"projektledare": 303}},
		{"ask about other kommun's evaluation", req{"POST", evalReview("other") + "/fraga", url.Values{"fraga": {"?"}}}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"ask about own evaluation", req{"POST", evalReview("shared") + "/fraga", url.Values{"fraga": {"Vem beställde?"}}}, map[string]int{"projektledare": 303}},
		{"answer other kommun's question", req{"POST", fmt.Sprintf("%s/fragor/%d/svar", unitPath("other"), questions["other"]), url.Values{"svar": {"x"}}}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"answer another unit's question through a link", req{"POST", fmt.Sprintf("/l/%s/fragor/%d/svar", tokens["own2"], questions["shared"]), url.Values{"svar": {"x"}}}, map[string]int{"lank": 404}},
		{"answer own question", req{"POST", fmt.Sprintf("%s/fragor/%d/svar", unitPath("shared"), questions["shared"]), url.Values{"svar": {"Ja"}}}, map[string]int{"projektledare": 303}},
		{"correction page of other kommun's evaluation", req{"GET", fmt.Sprintf("%s/u/%d/ratta", unitPath("other"), evals["other"]), nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 303}},
		{"correction page through another unit's link", req{"GET", fmt.Sprintf("/l/%s/u/%d/ratta", tokens["own2"], evals["shared"]), nil}, map[string]int{"lank": 404}},
		{"correction page of own evaluation", req{"GET", fmt.Sprintf("%s/u/%d/ratta", unitPath("shared"), evals["shared"]), nil}, map[string]int{"samordnare": 200, "projektledare": 200}},
		{"correct other kommun's evaluation", req{"POST", fmt.Sprintf("%s/u/%d/ratta", unitPath("other"), evals["other"]), validForm()}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"correct own evaluation", req{"POST", fmt.Sprintf("%s/u/%d/ratta", unitPath("shared"), evals["shared"]), validForm()}, map[string]int{"projektledare": 303}},
		{"confirm other kommun's evaluation", req{"POST", fmt.Sprintf("%s/u/%d/bekrafta", unitPath("other"), evals["other"]), nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"confirm a sent-in evaluation", req{"POST", fmt.Sprintf("%s/u/%d/bekrafta", unitPath("shared"), evals["shared"]), nil}, map[string]int{"projektledare": 409}},
		{"drop other kommun's evaluation", req{"POST", fmt.Sprintf("%s/u/%d/upphor", unitPath("other"), evals["other"]), nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"drop a sent-in evaluation", req{"POST", fmt.Sprintf("%s/u/%d/upphor", unitPath("shared"), evals["shared"]), nil}, map[string]int{"projektledare": 409}},
		{"drop through another unit's link", req{"POST", fmt.Sprintf("/l/%s/u/%d/upphor", tokens["own2"], evals["shared"]), nil}, map[string]int{"lank": 404}},
		{"previous answers of other kommun's unit", req{"GET", unitPath("other") + "/forra", nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 303}},
		{"previous answers in a first round", req{"GET", unitPath("shared") + "/forra", nil}, map[string]int{"samordnare": 404, "projektledare": 404}},
		{"previous answers through a link", req{"GET", "/l/" + tokens["own2"] + "/forra", nil}, map[string]int{"lank": 404}},
		{"close other kommun's question", req{"POST", fmt.Sprintf("/admin/omgangar/%d/fragor/%d/avsluta", rid, questions["other"]), nil}, map[string]int{"projektledare": 404, "projektledare utanför": 404, "styrgrupp": 403, "anonym": 401, "lank": 401}},
		{"close own question", req{"POST", fmt.Sprintf("/admin/omgangar/%d/fragor/%d/avsluta", rid, questions["shared"]), nil}, map[string]int{"projektledare": 303}},
		{"close it again", req{"POST", fmt.Sprintf("/admin/omgangar/%d/fragor/%d/avsluta", rid, questions["shared"]), nil}, map[string]int{"samordnare": 409}},
		{"unknown question", req{"POST", fmt.Sprintf("/admin/omgangar/%d/fragor/999999/avsluta", rid), nil}, map[string]int{"samordnare": 404, "projektledare": 404}},
		{"unpublished report", req{"GET", fmt.Sprintf("/rapporter/%d", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 404, "anonym": 303}},
		{"unpublished report file", req{"GET", fmt.Sprintf("/rapporter/%d/fil/json", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 404}},
		{"unpublished chart", req{"GET", fmt.Sprintf("/rapporter/%d/diagram/anvandning/png", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 404}},

		// Sending: the preview, and a post without the confirmed list (it
		// shows the preview and sends nothing).
		{"invitation preview", req{"GET", fmt.Sprintf("/admin/omgangar/%d/utskick?slag=inbjudan", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403, "anonym": 303}},
		{"reminder preview", req{"GET", fmt.Sprintf("/admin/omgangar/%d/utskick?slag=paminnelse", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403}},
		{"preview for another kommun", req{"GET", fmt.Sprintf("/admin/omgangar/%d/utskick?slag=inbjudan&kommun=Falun", rid), nil}, map[string]int{"samordnare": 200, "projektledare": 403}},
		{"preview for a kommun not in the round", req{"GET", fmt.Sprintf("/admin/omgangar/%d/utskick?slag=inbjudan&kommun=Mora", rid), nil}, map[string]int{"samordnare": 422}},
		{"unconfirmed send", req{"POST", fmt.Sprintf("/admin/omgangar/%d/utskick", rid), url.Values{"slag": {"paminnelse"}}}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403, "anonym": 401}},
		{"unknown kind of send", req{"GET", fmt.Sprintf("/admin/omgangar/%d/utskick?slag=spam", rid), nil}, map[string]int{"samordnare": 422, "projektledare": 422}},

		// Correcting units.
		{"edit form, own unit", req{"GET", unitPath("own") + "/uppgifter", nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403, "anonym": 303}},
		{"edit form, shared unit", req{"GET", unitPath("shared") + "/uppgifter", nil}, map[string]int{"projektledare": 200}},
		{"edit form, other kommun's unit", req{"GET", unitPath("other") + "/uppgifter", nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 403}},
		{"correct own unit", req{"POST", unitPath("own") + "/uppgifter", details("own")}, map[string]int{"samordnare": 303, "projektledare": 303, "styrgrupp": 403, "anonym": 401}},
		{"correct other kommun's unit", req{"POST", unitPath("other") + "/uppgifter", details("other")}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401}},
		{"move own unit out of own kommun", req{"POST", unitPath("own") + "/uppgifter", details("own", "Falun")}, map[string]int{"projektledare": 403}},
		{"move other kommun's unit into own", req{"POST", unitPath("other") + "/uppgifter", details("other", "Heby")}, map[string]int{"projektledare": 404}},
		{"new link page, own unit", req{"GET", unitPath("own") + "/ny-lank", nil}, map[string]int{"samordnare": 200, "projektledare": 200, "styrgrupp": 403, "anonym": 303}},
		{"new link page, other kommun's unit", req{"GET", unitPath("other") + "/ny-lank", nil}, map[string]int{"projektledare": 404}},
		{"link sent by hand, other kommun's unit", req{"POST", unitPath("otherFresh") + "/manuellt", nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401}},
		{"link sent by hand, own unit", req{"POST", unitPath("ownFresh") + "/manuellt", nil}, map[string]int{"samordnare": 303, "projektledare": 303, "styrgrupp": 403, "anonym": 401}},
		{"link sent by hand, answered unit", req{"POST", unitPath("shared") + "/manuellt", nil}, map[string]int{"projektledare": 409}},
		{"delete page, unit with evaluations", req{"GET", unitPath("own") + "/radera", nil}, map[string]int{"samordnare": 409, "projektledare": 409, "styrgrupp": 403}},
		{"delete page, other kommun's unit", req{"GET", unitPath("otherFresh") + "/radera", nil}, map[string]int{"samordnare": 200, "projektledare": 404, "styrgrupp": 403, "anonym": 303}},
		{"delete page, own unit", req{"GET", unitPath("ownFresh") + "/radera", nil}, map[string]int{"samordnare": 200, "projektledare": 200}},
		{"delete unit with evaluations", req{"POST", unitPath("own") + "/radera", nil}, map[string]int{"samordnare": 409, "projektledare": 409, "styrgrupp": 403, "anonym": 401}},
		{"delete other kommun's unit", req{"POST", unitPath("otherFresh") + "/radera", nil}, map[string]int{"projektledare": 404, "styrgrupp": 403, "anonym": 401}},
		{"delete own unit", req{"POST", unitPath("ownFresh") + "/radera", nil}, map[string]int{"styrgrupp": 403, "anonym": 401, "projektledare": 303}},
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

	// Heby's projektledare reads the trail of Heby's units and the shared
	// one, by name, and nothing of Falun's.
	_, body := do("projektledare", req{"GET", trailPath, nil})
	for _, want := range []string{"Hebys socialnämnd", "Gemensam nämnd", "Ny utvärdering", "Svaret inskickat"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("projektledare's audit trail lacks %q", want)
		}
	}
	if bytes.Contains(body, []byte("Faluns miljökontor")) {
		t.Error("projektledare's audit trail shows Falun's unit")
	}

	// The overview shows Heby's projektledare only Heby's units.
	_, body = do("projektledare", req{"GET", fmt.Sprintf("/admin/omgangar/%d", rid), nil})
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
	if len(ds.Units) != 3 {
		t.Errorf("projektledare's export holds %d units, want 3 (Heby's two and the shared one)", len(ds.Units))
	}

	// The projektledare's progress workbook holds Heby's units only.
	_, body = do("projektledare", req{"GET", fmt.Sprintf("/admin/omgangar/%d/framsteg.xlsx", rid), nil})
	book, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	progress, err := book.GetRows(sheet.SheetProgress)
	book.Close()
	if err != nil {
		t.Fatal(err)
	}
	var inBook []string
	for _, r := range progress[1:] {
		inBook = append(inBook, r[1])
	}
	if slices.Sort(inBook); !slices.Equal(inBook, []string{"Gemensam nämnd", "Hebys fritidsnämnd", "Hebys socialnämnd"}) {
		t.Errorf("projektledare's progress workbook holds %q, want Heby's units and the shared one", inBook)
	}

	// Before publishing, the report list shows the round to the samordnare only.
	for role, want := range map[string]bool{"samordnare": true, "projektledare": false, "styrgrupp": false} {
		_, body := do(role, req{"GET", "/rapporter", nil})
		if got := bytes.Contains(body, []byte(e.round.Name)); got != want {
			t.Errorf("report list as %s lists the unpublished round: %v, want %v", role, got, want)
		}
	}

	// Once published, the report opens for every staff role.
	if _, err := e.manage.SetState(ctx, sys, rid, round.Closed); err != nil {
		t.Fatal(err)
	}
	if _, err := e.manage.SetState(ctx, sys, rid, round.Published); err != nil {
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
