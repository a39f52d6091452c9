package round_test

import (
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
)

func TestUnitAllows(t *testing.T) {
	actions := map[round.Action]string{round.EditEvaluations: "edit", round.Submit: "submit",
		round.AnswerNone: "none", round.Decline: "decline", round.ReopenAnswer: "reopen",
		round.Invite: "invite", round.Remind: "remind"}
	// want lists the actions allowed for each round state × unit answer.
	tests := []struct {
		state round.State
		resp  round.Response
		want  []round.Action
	}{
		{round.Open, round.NoResponse, []round.Action{round.EditEvaluations, round.Submit, round.AnswerNone, round.Decline, round.Invite, round.Remind}},
		{round.Open, round.Submitted, []round.Action{round.ReopenAnswer}},
		{round.Open, round.NoEvaluations, []round.Action{round.ReopenAnswer}},
		{round.Open, round.Declined, []round.Action{round.ReopenAnswer}},
		{round.Closed, round.NoResponse, nil},
		{round.Closed, round.Submitted, nil},
		{round.Published, round.NoResponse, nil},
		{round.Published, round.Declined, nil},
	}
	for _, tt := range tests {
		r := round.Round{Name: "R", State: tt.state}
		u := round.Unit{Response: tt.resp}
		for a, name := range actions {
			allowed := false
			for _, w := range tt.want {
				allowed = allowed || w == a
			}
			err := u.Allows(r, a)
			if (err == nil) != allowed {
				t.Errorf("round %s, unit %q, %s: got err %v, want allowed=%v", tt.state, tt.resp, name, err, allowed)
			}
			if err != nil && apperror.Code(err) != apperror.Conflict {
				t.Errorf("round %s, unit %q, %s: code %s, want conflict", tt.state, tt.resp, name, apperror.Code(err))
			}
			if u.Can(r, a) != allowed {
				t.Errorf("Can and Allows disagree for round %s, unit %q, %s", tt.state, tt.resp, name)
			}
		}
	}
}

func TestAllowsDelete(t *testing.T) {
	tests := []struct {
		name  string
		state round.State
		resp  round.Response
		evals int
		want  bool
	}{
		{"silent unit without evaluations", round.Open, round.NoResponse, 0, true},
		{"unit with a draft", round.Open, round.NoResponse, 1, false},
		{"unit that answered inga", round.Open, round.NoEvaluations, 0, false},
		{"unit that declined", round.Open, round.Declined, 0, false},
		{"closed round", round.Closed, round.NoResponse, 0, false},
		{"published round", round.Published, round.NoResponse, 0, false},
	}
	for _, tt := range tests {
		err := round.Unit{Name: "Enhet", Response: tt.resp}.AllowsDelete(round.Round{Name: "R", State: tt.state}, tt.evals)
		if (err == nil) != tt.want {
			t.Errorf("%s: got err %v, want allowed=%v", tt.name, err, tt.want)
		}
		if err != nil && (apperror.Code(err) != apperror.Conflict || apperror.Message(err) == "") {
			t.Errorf("%s: got %v, want a conflict with a message", tt.name, err)
		}
	}
}

func TestCanBecome(t *testing.T) {
	states := []round.State{round.Open, round.Closed, round.Published}
	allowed := map[[2]round.State]bool{
		{round.Open, round.Closed}:      true,
		{round.Closed, round.Open}:      true,
		{round.Closed, round.Published}: true,
	}
	for _, from := range states {
		for _, to := range states {
			err := round.Round{Name: "R", State: from}.CanBecome(to)
			if got := err == nil; got != allowed[[2]round.State{from, to}] {
				t.Errorf("%s → %s: got err %v, want allowed=%v", from, to, err, allowed[[2]round.State{from, to}])
			}
		}
	}
}

func TestSendDecision(t *testing.T) {
	now := time.Date(2009, 10, 1, 12, 0, 0, 0, time.UTC)
	invited := now.Add(-72 * time.Hour)
	recent := now.Add(-2 * time.Hour)
	open := round.Round{Name: "R", State: round.Open}
	fresh := round.Unit{ChefEmail: "a@b.se"}
	inv := round.Unit{ChefEmail: "a@b.se", InvitedAt: &invited}
	shared := round.Unit{ChefEmail: "a@b.se", InvitedAt: &invited, Kommuner: []string{"Borlänge", "Falun"}}
	answered := func(resp round.Response) round.Unit {
		u := inv
		u.Response = resp
		return u
	}
	tests := []struct {
		name     string
		r        round.Round
		u        round.Unit
		kind     round.SendKind
		lastSent *time.Time
		want     bool
	}{
		{"new unit is invited", open, fresh, round.SendInvitation, nil, true},
		{"invited unit is not invited twice", open, inv, round.SendInvitation, &invited, false},
		{"again re-sends to invited unit", open, inv, round.SendAgain, &invited, true},
		{"again also reaches a uninvited unit", open, fresh, round.SendAgain, nil, true},
		{"reminder to invited unit", open, inv, round.SendReminder, &invited, true},
		{"no reminder before invitation", open, fresh, round.SendReminder, nil, false},
		{"shared unit reminded by another kommun today is left alone", open, shared, round.SendReminder, &recent, false},
		{"shared unit again today is left alone", open, shared, round.SendAgain, &recent, false},
		{"no address", open, round.Unit{}, round.SendInvitation, nil, false},
		{"new link always goes out", open, inv, round.SendNewLink, &recent, true},
		{"shared unit being invited by another kommun right now is not invited twice", open, fresh, round.SendInvitation, &recent, false},
		{"uninvited unit mailed an hour ago gets no second mail with again", open, fresh, round.SendAgain, &recent, false},
		{"invitation after the pause when the first never marked the unit", open, fresh, round.SendInvitation, &invited, true},
	}
	for _, resp := range []round.Response{round.Submitted, round.NoEvaluations, round.Declined} {
		for _, kind := range []round.SendKind{round.SendInvitation, round.SendAgain, round.SendReminder, round.SendNewLink} {
			tests = append(tests, struct {
				name     string
				r        round.Round
				u        round.Unit
				kind     round.SendKind
				lastSent *time.Time
				want     bool
			}{"answered " + string(resp) + " gets no " + string(kind), open, answered(resp), kind, &invited, false})
		}
	}
	for _, st := range []round.State{round.Closed, round.Published} {
		for _, kind := range []round.SendKind{round.SendInvitation, round.SendAgain, round.SendReminder, round.SendNewLink} {
			tests = append(tests, struct {
				name     string
				r        round.Round
				u        round.Unit
				kind     round.SendKind
				lastSent *time.Time
				want     bool
			}{string(st) + " round sends no " + string(kind), round.Round{Name: "R", State: st}, fresh, kind, nil, false})
		}
	}
	for _, tt := range tests {
		got, why := round.SendDecision(tt.r, tt.u, tt.kind, tt.lastSent, now)
		if got != tt.want {
			t.Errorf("%s: got %v (%s), want %v", tt.name, got, why, tt.want)
		}
		if !got && why == "" {
			t.Errorf("%s: refused without a reason", tt.name)
		}
	}
}

func TestSwedishTime(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2009, 12, 18, 13, 5, 0, 0, time.UTC), "2009-12-18 14:05 CET"},
		{time.Date(2009, 6, 18, 13, 5, 0, 0, time.UTC), "2009-06-18 15:05 CEST"},
		{time.Time{}, ""},
	}
	for _, tt := range tests {
		if got := round.SwedishTime(tt.in); got != tt.want {
			t.Errorf("SwedishTime(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestReportTextsFreezeOnPublishing: the report's own words may change
// while the round is open or closed, and are frozen when it is published.
func TestReportTextsFreezeOnPublishing(t *testing.T) {
	for _, tt := range []struct {
		state round.State
		want  bool
	}{{round.Open, true}, {"", true}, {round.Closed, true}, {round.Published, false}} {
		err := round.Round{Name: "R", State: tt.state}.Allows(round.WriteReportTexts)
		if (err == nil) != tt.want {
			t.Errorf("state %q: err %v, want allowed=%v", tt.state, err, tt.want)
		}
		if err != nil && apperror.Code(err) != apperror.Conflict {
			t.Errorf("state %q: code %s, want conflict", tt.state, apperror.Code(err))
		}
	}
}
