package respond

import (
	"context"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// Row is one evaluation from an uploaded Excel form: ID 0 adds a new
// evaluation, another ID updates that one of the unit's evaluations, from
// the Version the form was downloaded with (0 when the file does not say).
type Row struct {
	Line    int // spreadsheet row, for messages
	ID      int64
	Version int64
	Answers form.Answers
}

// Uploaded is what an upload stored.
type Uploaded struct {
	Saved int // evaluations stored
	// Others are the codes of the fields someone else changed after the
	// file was downloaded, which the upload kept (form order).
	Others []string
}

// Upload stores the rows of the unit's filled-in Excel form as complete
// evaluations, all or none, after the same checks as the web form. A row of
// an evaluation someone changed after the file was downloaded is merged as
// the web form's save is (see merge.go); if any row changes a field that
// was changed since, nothing is stored and the upload is refused with a
// *ConflictError listing each such row. The audit trail names the scope's
// actor "via Excel-formulär".
func (s *Service) Upload(ctx context.Context, sc Scope, rows []Row) (Uploaded, error) {
	var out Uploaded
	err := s.change(ctx, sc, round.EditEvaluations, func(q *store.Queries, r round.Round, u round.Unit, now time.Time) error {
		var err error
		out.Others, err = s.saveRows(q, r, u.ID, rows, sc.excelActor(), now)
		return err
	})
	if err != nil {
		return Uploaded{}, err
	}
	out.Saved = len(rows)
	return out, nil
}

// saveRows validates and stores uploaded rows in q as complete evaluations
// of the unit; the first faulty row refuses them all, and so does any
// conflict (all of them listed). It returns the fields others changed that
// were kept.
func (s *Service) saveRows(q *store.Queries, r round.Round, unitID int64, rows []Row, actor string, now time.Time) ([]string, error) {
	if len(rows) == 0 {
		return nil, apperror.New(apperror.Invalid, "Filen innehåller inga utvärderingar. Fyll i en rad per utvärdering på bladet Utvärderingar.")
	}
	existing, err := q.UnitEvaluations(unitID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]round.Evaluation{}
	for _, e := range existing {
		byID[e.ID] = e
	}
	seen := map[int64]int{}
	for _, row := range rows {
		if row.ID == 0 {
			continue
		}
		if _, ok := byID[row.ID]; !ok {
			return nil, apperror.New(apperror.Invalid, "Rad %d: det finns ingen utvärdering med id %d i enheten. Ta bort id:t om raden är en ny utvärdering.", row.Line, row.ID)
		}
		if prev, dup := seen[row.ID]; dup {
			return nil, apperror.New(apperror.Invalid, "Rad %d och rad %d har samma id (%d). Varje utvärdering får bara finnas på en rad.", prev, row.Line, row.ID)
		}
		seen[row.ID] = row.Line
	}
	var (
		conflicts []Conflict
		others    = map[string]bool{}
		valid     = make([]form.Answers, len(rows))
	)
	for i, row := range rows {
		posted := row.Answers
		if row.ID != 0 {
			var kept []string
			var c *Conflict
			if posted, kept, c, err = s.reconcile(q, byID[row.ID], row.Version, posted, false); err != nil {
				return nil, err
			}
			if c != nil {
				c.Line = row.Line
				conflicts = append(conflicts, *c)
				continue
			}
			for _, code := range kept {
				others[code] = true
			}
		}
		answers, errs := s.Form.Validate(posted, form.ModeForm)
		if len(errs) > 0 {
			return nil, apperror.New(apperror.Invalid, "Rad %d, kolumn %s: %s", row.Line, errs[0].Code, errs[0].Message)
		}
		valid[i] = answers
	}
	if len(conflicts) > 0 {
		return nil, newConflictError(conflicts)
	}
	for i, row := range rows {
		if _, err := saveEvaluation(q, r, unitID, byID[row.ID], valid[i], true, actor, now); err != nil {
			return nil, err
		}
	}
	var kept []string
	for _, f := range s.Form.Fields {
		if others[f.Code] {
			kept = append(kept, f.Code)
		}
	}
	return kept, nil
}
