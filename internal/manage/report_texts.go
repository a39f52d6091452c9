package manage

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// ReportTexts is what the report-texts page shows an actor: the round, and
// each text the actor may write (the network's reflection first, for the
// samordnare), with whether it may still change.
type ReportTexts struct {
	Round    round.Round
	Texts    []round.ReportText // Kommun "" is the reflection
	Editable bool
	Reason   string // why not, when not editable
}

// ReportTexts returns the texts the actor may write in the round, blank
// ones included.
func (s *Service) ReportTexts(ctx context.Context, actor Actor, roundID int64) (ReportTexts, error) {
	var out ReportTexts
	err := s.Store.ReadTx(ctx, func(q *store.Queries) error {
		r, err := q.Round(roundID)
		if err != nil {
			return err
		}
		if err := s.requireRound(q, actor, r); err != nil {
			return err
		}
		out.Round = r
		if err := r.Allows(round.WriteReportTexts); err != nil {
			out.Reason = apperror.Message(err)
		} else {
			out.Editable = true
		}
		kommuner, err := q.Kommuner(roundID)
		if err != nil {
			return err
		}
		stored, err := q.ReportTexts(roundID)
		if err != nil {
			return err
		}
		byKommun := map[string]round.ReportText{}
		for _, t := range stored {
			byKommun[t.Kommun] = t
		}
		scopes := []string{""}
		for _, k := range kommuner {
			scopes = append(scopes, k.Name)
		}
		for _, k := range scopes {
			if !actor.WritesReportText(k) {
				continue
			}
			t, ok := byKommun[k]
			if !ok {
				t = round.ReportText{Kommun: k}
			}
			out.Texts = append(out.Texts, t)
		}
		if len(out.Texts) == 0 {
			return apperror.New(apperror.Forbidden, "Din roll skriver inga texter i rapporten.")
		}
		return nil
	})
	return out, err
}

// SetReportText saves the report's text for a kommun, or (kommun "") the
// network's reflection; an empty text removes it. The change is audited.
// A published round's texts are frozen.
func (s *Service) SetReportText(ctx context.Context, actor Actor, roundID int64, kommun, body string) error {
	body = cleanText(body)
	if n := utf8.RuneCountInString(body); n > round.MaxReportText {
		return apperror.New(apperror.Invalid, "Texten är för lång: %d tecken, högst %d.", n, round.MaxReportText)
	}
	return s.Store.InTx(ctx, func(q *store.Queries) error {
		r, err := q.RoundForWrite(roundID)
		if err != nil {
			return err
		}
		if err := s.requireRound(q, actor, r); err != nil {
			return err
		}
		if !actor.WritesReportText(kommun) {
			if kommun == "" {
				return apperror.New(apperror.Forbidden, "Nätverkets reflektioner skrivs av samordnaren.")
			}
			return apperror.New(apperror.Forbidden, "Du kan bara skriva kommentaren för din egen kommun.")
		}
		if err := r.Allows(round.WriteReportTexts); err != nil {
			return err
		}
		var kommunID *int64
		field := "reflektioner"
		if kommun != "" {
			ks, err := q.Kommuner(roundID)
			if err != nil {
				return err
			}
			for _, k := range ks {
				if k.Name == kommun {
					id := k.ID
					kommunID = &id
				}
			}
			if kommunID == nil {
				return apperror.New(apperror.NotFound, "Kommunen ”%s” deltar inte i omgången.", kommun)
			}
			field = "kommentar " + kommun
		}
		old, err := q.SetReportText(roundID, kommunID, body, actor.Name(), s.Now())
		if err != nil {
			return err
		}
		if old == body {
			return nil
		}
		return q.Audit(event(roundID, 0, s.Now(), actor.Name(), "rapporttext_andrad", field, old, body))
	})
}

// cleanText normalises line ends, trims each line's trailing spaces and the
// text's blank lines at either end, and drops control characters.
func cleanText(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r >= 0x20 && r != 0x7f && r != utf8.RuneError {
			return r
		}
		return -1
	}, s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n ")
}
