package store_test

import (
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

func TestUpdateAndDeleteUnit(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		q := open(t).Q(ctx)
		r := network(t, q, "Borlänge", "Falun", "Säter")
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Borlänge"}, ChefEmail: "a@b.se", UpdatedAt: t0}))
		must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Miljö", Kommuner: []string{"Falun"}, UpdatedAt: t0}))

		// Every field changes; the members are replaced in order.
		u.Name, u.Kommuner, u.Omrade, u.Fordelning = "Räddningstjänsten", []string{"Säter", "Borlänge"}, "Räddning", "lika"
		u.ChefName, u.ChefEmail, u.UpdatedAt, u.InvitedAt = "Bo", "bo@b.se", t0.Add(time.Hour), nil
		check(t, q.UpdateUnit(u))
		got := must[round.Unit](t)(q.Unit(u.ID))
		if got.Name != u.Name || got.Omrade != "Räddning" || got.Fordelning != "lika" || got.ChefName != "Bo" ||
			got.ChefEmail != "bo@b.se" || len(got.Kommuner) != 2 || got.Kommuner[0] != "Säter" || got.Kommuner[1] != "Borlänge" {
			t.Fatalf("unit read back as %+v", got)
		}
		// Keeping its own name is no clash; taking another unit's name in a
		// shared kommun is, and so is an unknown kommun.
		check(t, q.UpdateUnit(got))
		clash := got
		clash.Name, clash.Kommuner = "Miljö", []string{"Falun"}
		wantCode(t, q.UpdateUnit(clash), apperror.Conflict)
		unknown := got
		unknown.Kommuner = []string{"Mora"}
		wantCode(t, q.UpdateUnit(unknown), apperror.Invalid)
		if again := must[round.Unit](t)(q.Unit(u.ID)); len(again.Kommuner) != 2 {
			t.Fatalf("refused update changed the members: %v", again.Kommuner)
		}

		// Deleting takes the unit's links, evaluations and mail log with it.
		check(t, q.CreateLink(u.ID, "hash-1", "nonce-1", t0))
		check(t, q.LogMail(store.MailLogEntry{RoundID: r.ID, UnitID: u.ID, At: t0, Kind: "inbjudan", Recipient: "bo@b.se", SentBy: "sam", OK: true}))
		check(t, q.DeleteUnit(u.ID))
		_, err := q.Unit(u.ID)
		wantCode(t, err, apperror.NotFound)
		if log := must[[]store.MailLogEntry](t)(q.MailLog(r.ID)); len(log) != 0 {
			t.Fatalf("mail log of a deleted unit: %+v", log)
		}
		if links := must[map[int64]store.Link](t)(q.ActiveLinks(r.ID)); len(links) != 0 {
			t.Fatalf("links of a deleted unit: %+v", links)
		}
	})
}

func TestPendingMailAndLastMailed(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		q := open(t).Q(ctx)
		r := network(t, q, "Borlänge")
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Socialnämnden", Kommuner: []string{"Borlänge"}, UpdatedAt: t0}))
		mailKinds := []string{"inbjudan", "paminnelse"}
		entry := func(at time.Time, kind, to string) store.MailLogEntry {
			return store.MailLogEntry{RoundID: r.ID, UnitID: u.ID, At: at, Kind: kind, Recipient: to, SentBy: "sam"}
		}
		// A refused send does not count; one accepted does; one being sent
		// counts too, until it is refused.
		id := must[int64](t)(q.StartMail(entry(t0, "inbjudan", "A@b.se")))
		check(t, q.FinishMail(id, false, "550 nej"))
		id = must[int64](t)(q.StartMail(entry(t0.Add(time.Hour), "inbjudan", "a@b.se")))
		check(t, q.FinishMail(id, true, ""))
		pending := must[int64](t)(q.StartMail(entry(t0.Add(2*time.Hour), "paminnelse", "a@b.se")))
		check(t, q.LogMail(entry(t0.Add(3*time.Hour), "manuellt", "a@b.se")))
		must[int64](t)(q.StartMail(entry(t0.Add(4*time.Hour), "paminnelse", "ny@b.se")))

		last := must[map[int64]map[string]time.Time](t)(q.LastMailed(r.ID, mailKinds))
		at := last[u.ID]["a@b.se"]
		if !at.Equal(t0.Add(2 * time.Hour)) {
			t.Fatalf("last mailed a@b.se = %v, want the pending send at %v", at, t0.Add(2*time.Hour))
		}
		check(t, q.FinishMail(pending, false, "421 upptagen"))
		byAddr := must[map[string]time.Time](t)(q.LastMailedUnit(u.ID, mailKinds))
		if at := byAddr["a@b.se"]; !at.Equal(t0.Add(time.Hour)) {
			t.Fatalf("after the refusal, last mailed = %v, want %v", at, t0.Add(time.Hour))
		}
		if at := byAddr["ny@b.se"]; !at.Equal(t0.Add(4 * time.Hour)) {
			t.Fatalf("the other address: %v", byAddr)
		}
		log := must[[]store.MailLogEntry](t)(q.UnitMailLog(u.ID))
		if len(log) != 5 || log[0].Recipient != "ny@b.se" || !log[0].Pending || log[1].Kind != "manuellt" || log[2].Pending || log[2].Error != "421 upptagen" {
			t.Fatalf("unit mail log, newest first: %+v", log)
		}
	})
}
