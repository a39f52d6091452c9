package store

import (
	"fmt"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
)

type reportTextRow struct {
	ID        int64 `gorm:"primaryKey"`
	RoundID   int64
	KommunID  *int64
	Body      string
	UpdatedBy string
	UpdatedAt time.Time
}

func (reportTextRow) TableName() string { return "report_texts" }

// ReportTexts lists a round's report texts: the network's reflection first
// (Kommun ""), then the kommuner's comments by kommun name.
func (t *Queries) ReportTexts(roundID int64) ([]round.ReportText, error) {
	var rows []struct {
		Kommun    *string
		Body      string
		UpdatedBy string
		UpdatedAt time.Time
	}
	err := t.db.Raw(`SELECT k.name AS kommun, r.body, r.updated_by, r.updated_at
FROM report_texts r LEFT JOIN kommuner k ON k.id = r.kommun_id
WHERE r.round_id = ? ORDER BY r.kommun_id IS NOT NULL, `+t.byText("k.name")+`, r.id`, roundID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: report texts: %w", err)
	}
	out := make([]round.ReportText, len(rows))
	for i, r := range rows {
		out[i] = round.ReportText{Body: r.Body, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt.UTC()}
		if r.Kommun != nil {
			out[i].Kommun = *r.Kommun
		}
	}
	return out, nil
}

// SetReportText stores the round's text for a kommun (kommunID nil: the
// network's reflection) and returns the text it replaced. An empty body
// removes the text.
func (t *Queries) SetReportText(roundID int64, kommunID *int64, body, by string, at time.Time) (old string, err error) {
	q := t.db.Where("round_id = ?", roundID)
	if kommunID == nil {
		q = q.Where("kommun_id IS NULL")
	} else {
		q = q.Where("kommun_id = ?", *kommunID)
	}
	var rows []reportTextRow
	if err := q.Limit(1).Find(&rows).Error; err != nil {
		return "", fmt.Errorf("store: read report text: %w", err)
	}
	switch {
	case len(rows) == 1 && body == "":
		err = t.db.Delete(&reportTextRow{}, rows[0].ID).Error
	case len(rows) == 1:
		err = t.db.Model(&reportTextRow{}).Where("id = ?", rows[0].ID).
			Updates(map[string]any{"body": body, "updated_by": by, "updated_at": at}).Error
	case body != "":
		err = t.db.Create(&reportTextRow{RoundID: roundID, KommunID: kommunID, Body: body, UpdatedBy: by, UpdatedAt: at}).Error
		if isUniqueViolation(err) {
			return "", apperror.New(apperror.Conflict, "Någon annan sparade samma text samtidigt. Ladda om sidan och försök igen.")
		}
	}
	if err != nil {
		return "", fmt.Errorf("store: save report text: %w", err)
	}
	if len(rows) == 1 {
		old = rows[0].Body
	}
	return old, nil
}
