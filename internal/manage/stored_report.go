package manage

import (
	"context"

	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
)

// StoredReport returns a round's kept report (store.ReportKey) when the
// actor may read the round's report; ok is false when none is kept, and
// the caller builds it (ReportData) after ReserveReport.
func (s *Service) StoredReport(ctx context.Context, actor Actor, key store.ReportKey) (r round.Round, body []byte, ok bool, err error) {
	allowed := s.reportAllowed(actor)
	err = s.Store.ReadTx(ctx, func(q *store.Queries) error {
		if r, err = q.Round(key.RoundID); err != nil {
			return err
		}
		if err = allowed(q, r); err != nil {
			return err
		}
		body, ok, err = q.StoredReport(key)
		return err
	})
	return r, body, ok, err
}

// ReserveReport reserves the place of a report about to be built; see
// store.ReserveReport.
func (s *Service) ReserveReport(ctx context.Context, key store.ReportKey) (string, error) {
	return s.Store.ReserveReport(ctx, key, s.Now())
}

// KeepReport keeps a built report in its reservation, unless the round was
// written to since; see store.KeepReport.
func (s *Service) KeepReport(ctx context.Context, key store.ReportKey, token string, body []byte) (bool, error) {
	return s.Store.KeepReport(ctx, key, token, body)
}
