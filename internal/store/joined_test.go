package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/store"
	"github.com/inventera/inventera/internal/store/storetest"
)

// TestLinkUnit: a link's unit, with its member kommuner in order, and the
// round, read in one query; revoked links come back marked, unknown ones
// are NotFound.
func TestLinkUnit(t *testing.T) {
	storetest.Both(t, func(t *testing.T, open func(testing.TB) *store.Store) {
		st := open(t)
		q := st.Q(ctx)
		r := network(t, q, "Borlänge", "Falun", "Säter")
		u := must[round.Unit](t)(q.CreateUnit(round.Unit{RoundID: r.ID, Name: "Räddningstjänsten Dala Mitt",
			Kommuner: []string{"Säter", "Borlänge", "Falun"}, ChefName: "Åsa Öberg", UpdatedAt: t0}))
		check(t, q.CreateLink(u.ID, "hash-1", "nonce-1", t0))
		check(t, st.InTx(ctx, func(q *store.Queries) error {
			l, gu, gr, err := q.LinkUnit("hash-1")
			if err != nil {
				return err
			}
			if l.UnitID != u.ID || l.Nonce != "nonce-1" || l.RevokedAt != nil {
				t.Errorf("link %+v", l)
			}
			if gu.ID != u.ID || gu.Name != u.Name || gu.ChefName != "Åsa Öberg" || !slices.Equal(gu.Kommuner, []string{"Säter", "Borlänge", "Falun"}) {
				t.Errorf("unit %+v", gu)
			}
			if gr.ID != r.ID || gr.Name != r.Name || gr.HourlyRate != 280 || gr.State != round.Open {
				t.Errorf("round %+v", gr)
			}
			sameTime(t, "unit updated_at", &gu.UpdatedAt, t0)
			return nil
		}))
		check(t, q.RevokeLinks(u.ID, t0.Add(time.Hour)))
		l, _, _, err := q.LinkUnit("hash-1")
		check(t, err)
		sameTime(t, "revoked_at", l.RevokedAt, t0.Add(time.Hour))
		_, _, _, err = q.LinkUnit("hash-okand")
		wantCode(t, err, apperror.NotFound)
	})
}
