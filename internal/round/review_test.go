package round_test

import (
	"strings"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

func TestStanding(t *testing.T) {
	out := &round.Exclusion{Reason: "Ingen utvärdering"}
	tests := []struct {
		resp     round.Response
		complete bool
		excluded *round.Exclusion
		want     round.Standing
	}{
		{round.Submitted, true, nil, round.Counted},
		{round.Submitted, true, out, round.OutOfScope},
		{round.NoResponse, true, nil, round.NotSubmitted},
		{round.NoResponse, true, out, round.NotSubmitted}, // taken back: left out as unsubmitted, not as excluded
		{round.Declined, true, nil, round.NotSubmitted},
		{round.NoResponse, false, nil, round.NotSubmittedDraft},
		{round.Submitted, false, nil, round.NotSubmittedDraft},
	}
	for _, tt := range tests {
		u := round.Unit{Response: tt.resp}
		e := round.Evaluation{Complete: tt.complete, Excluded: tt.excluded}
		if got := u.Standing(e); got != tt.want {
			t.Errorf("unit %q, complete %v, excluded %v: standing %d, want %d", tt.resp, tt.complete, tt.excluded != nil, got, tt.want)
		}
		if got, want := u.Counts(e), tt.want == round.Counted; got != want {
			t.Errorf("unit %q, complete %v, excluded %v: Counts %v, want %v", tt.resp, tt.complete, tt.excluded != nil, got, want)
		}
	}
}

// TestAllowsReview: exclusions are made and undone until the round is
// published; questions are asked while it is open; only sent-in
// evaluations are reviewed.
func TestAllowsReview(t *testing.T) {
	in := round.Evaluation{Complete: true, Answers: form.Answers{"benamning": "Tillsyn"}}
	out := in
	out.Excluded = &round.Exclusion{Reason: "x"}
	submitted := round.Unit{Response: round.Submitted}
	reopened := round.Unit{}
	tests := []struct {
		state  round.State
		unit   round.Unit
		action round.Action
		e      round.Evaluation
		want   string // "" allowed, else the error code
	}{
		{round.Open, submitted, round.Exclude, in, ""},
		{round.Closed, submitted, round.Exclude, in, ""},
		{round.Published, submitted, round.Exclude, in, apperror.Conflict},
		{round.Open, submitted, round.Exclude, out, apperror.Conflict},
		{round.Open, reopened, round.Exclude, in, apperror.Conflict},
		{round.Open, submitted, round.Include, out, ""},
		{round.Closed, submitted, round.Include, out, ""},
		{round.Published, submitted, round.Include, out, apperror.Conflict},
		{round.Open, submitted, round.Include, in, apperror.Conflict},
		{round.Open, submitted, round.AskQuestion, in, ""},
		{round.Open, submitted, round.AskQuestion, out, ""},
		{round.Closed, submitted, round.AskQuestion, in, apperror.Conflict},
		{round.Open, reopened, round.AskQuestion, in, apperror.Conflict},
		{round.Open, submitted, round.Submit, in, apperror.Invalid},
	}
	for _, tt := range tests {
		r := round.Round{Name: "R", State: tt.state}
		err := tt.unit.AllowsReview(r, tt.action, tt.e)
		if got := apperror.Code(err); (err == nil && tt.want != "") || (err != nil && got != tt.want) {
			t.Errorf("round %s, unit %q, action %d, excluded %v: err %v, want %q", tt.state, tt.unit.Response, tt.action, tt.e.Excluded != nil, err, tt.want)
		}
	}
}

func TestQuestionAllows(t *testing.T) {
	now := time.Now()
	open := round.Question{Text: "?"}
	closed := round.Question{Text: "?", ClosedAt: &now}
	tests := []struct {
		state  round.State
		q      round.Question
		action round.Action
		ok     bool
	}{
		{round.Open, open, round.AnswerQuestion, true},
		{round.Closed, open, round.AnswerQuestion, false},
		{round.Open, closed, round.AnswerQuestion, false},
		{round.Open, open, round.CloseQuestion, true},
		{round.Closed, open, round.CloseQuestion, true},
		{round.Published, open, round.CloseQuestion, false},
		{round.Open, closed, round.CloseQuestion, false},
	}
	for _, tt := range tests {
		err := tt.q.Allows(round.Round{Name: "R", State: tt.state}, tt.action)
		if (err == nil) != tt.ok {
			t.Errorf("round %s, open %v, action %d: err %v, want ok=%v", tt.state, tt.q.Open(), tt.action, err, tt.ok)
		}
	}
}

// TestAllowsCorrection: a sent-in evaluation may be corrected while a
// question about it is open and the round is open; otherwise the usual
// rule holds.
func TestAllowsCorrection(t *testing.T) {
	e := round.Evaluation{Complete: true}
	tests := []struct {
		state round.State
		resp  round.Response
		open  int
		ok    bool
	}{
		{round.Open, round.Submitted, 1, true},
		{round.Open, round.Submitted, 0, false},
		{round.Closed, round.Submitted, 1, false},
		{round.Open, round.NoResponse, 0, true}, // not sent in: ordinary editing
		{round.Open, round.Declined, 1, false},
	}
	for _, tt := range tests {
		err := round.Unit{Response: tt.resp}.AllowsCorrection(round.Round{Name: "R", State: tt.state}, e, tt.open)
		if (err == nil) != tt.ok {
			t.Errorf("round %s, unit %q, %d open: err %v, want ok=%v", tt.state, tt.resp, tt.open, err, tt.ok)
		}
	}
}

func TestReviewTexts(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"  Löpande statistik  ", "Löpande statistik", true},
		{"rad ett\r\nrad två", "rad ett\nrad två", true},
		{"", "", false},
		{" \n\t ", "", false},
		{strings.Repeat("å", round.MaxReasonLength), strings.Repeat("å", round.MaxReasonLength), true},
		{strings.Repeat("å", round.MaxReasonLength+1), "", false},
		{"\xff\xfe", "", false},
	}
	for _, tt := range tests {
		got, err := round.ExclusionReason(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ExclusionReason(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && apperror.Code(err) != apperror.Invalid {
			t.Errorf("ExclusionReason(%q): code %s, want invalid", tt.in, apperror.Code(err))
		}
	}
	if _, err := round.QuestionText(""); err == nil {
		t.Error("an empty question was accepted")
	}
	if _, err := round.AnswerText("Vi har rättat kostnaden."); err != nil {
		t.Errorf("AnswerText: %v", err)
	}
}

func TestParseKommunkod(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"2081", "2081", true},
		{" 2080 ", "2080", true},
		{"0114", "0114", true},
		{"114", "0114", true}, // a spreadsheet dropped the zero
		{"", "", true},
		{"   ", "", true},
		{"20811", "", false},
		{"20", "", false},
		{"2O81", "", false},
		{"-208", "", false},
		{"1662", "", false}, // län 16 is not in use
		{"0200", "", false},
		{"2681", "", false},
		{"２０８１", "", false}, // full-width digits
	}
	for _, tt := range tests {
		got, err := round.ParseKommunkod(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseKommunkod(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && apperror.Code(err) != apperror.Invalid {
			t.Errorf("ParseKommunkod(%q): code %s, want invalid", tt.in, apperror.Code(err))
		}
	}
}

func FuzzParseKommunkod(f *testing.F) {
	for _, s := range []string{"2081", "114", "", "x", "99999", "０１１４"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := round.ParseKommunkod(s)
		if err != nil {
			if got != "" || apperror.Code(err) != apperror.Invalid {
				t.Fatalf("ParseKommunkod(%q) = %q, %v", s, got, err)
			}
			return
		}
		if got == "" {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("ParseKommunkod(%q) = blank", s)
			}
			return
		}
		if len(got) != 4 || strings.Trim(got, "0123456789") != "" {
			t.Fatalf("ParseKommunkod(%q) = %q, not four digits", s, got)
		}
		again, err := round.ParseKommunkod(got)
		if err != nil || again != got {
			t.Fatalf("ParseKommunkod(%q) is not stable: %q, %v", got, again, err)
		}
	})
}
