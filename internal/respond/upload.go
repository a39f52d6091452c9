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
// evaluation, another ID updates that one of the unit's evaluations.
type Row struct {
	Line    int // spreadsheet row, for messages
	ID      int64
	Answers form.Answers
}

// Upload stores the rows of the unit's filled-in Excel form, all or none,
// after the same checks as the web form.
func (s *Service) Upload(ctx context.Context, token string, rows []Row) (int, error) {
	n := 0
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, u, err := resolve(q, token)
		if err != nil {
			return err
		}
		if err := u.Allows(r, round.EditEvaluations); err != nil {
			return err
		}
		n, err = SaveRows(q, s.Form, r, u.ID, rows, "Verksamhetschef via Excel-formulär", s.Now())
		return err
	})
	return n, err
}

// SaveRows validates and stores uploaded rows in q as complete evaluations
// of the unit; the first faulty row refuses them all. It is shared by the
// respondent and by staff uploading on a unit's behalf.
func SaveRows(q *store.Queries, def *form.Definition, r round.Round, unitID int64, rows []Row, actor string, now time.Time) (int, error) {
	if len(rows) == 0 {
		return 0, apperror.New(apperror.Invalid, "Filen innehåller inga utvärderingar. Fyll i en rad per utvärdering på bladet Utvärderingar.")
	}
	existing, err := q.UnitEvaluations(unitID)
	if err != nil {
		return 0, err
	}
	ids := map[int64]bool{}
	for _, e := range existing {
		ids[e.ID] = true
	}
	seen := map[int64]int{}
	for _, row := range rows {
		if row.ID != 0 {
			if !ids[row.ID] {
				return 0, apperror.New(apperror.Invalid, "Rad %d: det finns ingen utvärdering med id %d i enheten. Ta bort id:t om raden är en ny utvärdering.", row.Line, row.ID)
			}
			if prev, dup := seen[row.ID]; dup {
				return 0, apperror.New(apperror.Invalid, "Rad %d och rad %d har samma id (%d). Varje utvärdering får bara finnas på en rad.", prev, row.Line, row.ID)
			}
			seen[row.ID] = row.Line
		}
		if _, errs := def.Validate(row.Answers, form.ModeForm); len(errs) > 0 {
			return 0, apperror.New(apperror.Invalid, "Rad %d, kolumn %s: %s", row.Line, errs[0].Code, errs[0].Message)
		}
	}
	for _, row := range rows {
		answers, _ := def.Validate(row.Answers, form.ModeForm)
		if _, err := SaveEvaluation(q, r, unitID, row.ID, answers, true, actor, now); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}
