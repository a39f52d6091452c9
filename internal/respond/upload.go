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

// Upload stores the rows of the unit's filled-in Excel form as complete
// evaluations, all or none, after the same checks as the web form. The audit
// trail names the scope's actor "via Excel-formulär".
func (s *Service) Upload(ctx context.Context, sc Scope, rows []Row) (int, error) {
	err := s.change(ctx, sc, round.EditEvaluations, func(q *store.Queries, r round.Round, u round.Unit, now time.Time) error {
		return saveRows(q, s.Form, r, u.ID, rows, sc.excelActor(), now)
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// saveRows validates and stores uploaded rows in q as complete evaluations
// of the unit; the first faulty row refuses them all.
func saveRows(q *store.Queries, def *form.Definition, r round.Round, unitID int64, rows []Row, actor string, now time.Time) error {
	if len(rows) == 0 {
		return apperror.New(apperror.Invalid, "Filen innehåller inga utvärderingar. Fyll i en rad per utvärdering på bladet Utvärderingar.")
	}
	existing, err := q.UnitEvaluations(unitID)
	if err != nil {
		return err
	}
	ids := map[int64]bool{}
	for _, e := range existing {
		ids[e.ID] = true
	}
	seen := map[int64]int{}
	valid := make([]form.Answers, len(rows))
	for i, row := range rows {
		if row.ID != 0 {
			if !ids[row.ID] {
				return apperror.New(apperror.Invalid, "Rad %d: det finns ingen utvärdering med id %d i enheten. Ta bort id:t om raden är en ny utvärdering.", row.Line, row.ID)
			}
			if prev, dup := seen[row.ID]; dup {
				return apperror.New(apperror.Invalid, "Rad %d och rad %d har samma id (%d). Varje utvärdering får bara finnas på en rad.", prev, row.Line, row.ID)
			}
			seen[row.ID] = row.Line
		}
		answers, errs := def.Validate(row.Answers, form.ModeForm)
		if len(errs) > 0 {
			return apperror.New(apperror.Invalid, "Rad %d, kolumn %s: %s", row.Line, errs[0].Code, errs[0].Message)
		}
		valid[i] = answers
	}
	for i, row := range rows {
		if _, err := saveEvaluation(q, r, unitID, row.ID, valid[i], true, actor, now); err != nil {
			return err
		}
	}
	return nil
}
