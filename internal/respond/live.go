package respond

import (
	"context"

	"github.com/inventera/inventera/internal/round"
)

// Live tells whether the personal link leads to its unit's page: it is known
// and not revoked. It records nothing (not even a first opening), so an
// error page may ask it before offering the way back to the unit.
func (s *Service) Live(ctx context.Context, token string) bool {
	if !round.PlausibleToken(token) {
		return false
	}
	link, err := s.Store.Q(ctx).LinkByHash(round.HashToken(token))
	return err == nil && link.RevokedAt == nil
}
