package store

import (
	"fmt"
	"time"
)

type linkRow struct {
	ID        int64 `gorm:"primaryKey"`
	UnitID    int64
	TokenHash string
	Nonce     string
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (linkRow) TableName() string { return "links" }

// Link is a stored personal link: only the token's hash and the nonce it is
// derived from are kept, never the token itself.
type Link struct {
	ID        int64
	UnitID    int64
	Nonce     string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// CreateLink stores a new personal link for a unit.
func (t *Queries) CreateLink(unitID int64, tokenHash, nonce string, at time.Time) error {
	if err := t.db.Create(&linkRow{UnitID: unitID, TokenHash: tokenHash, Nonce: nonce, CreatedAt: at}).Error; err != nil {
		return fmt.Errorf("store: create link: %w", err)
	}
	return nil
}

// LinkByHash finds a link by its token's hash, revoked or not.
func (t *Queries) LinkByHash(tokenHash string) (Link, error) {
	var row linkRow
	if err := t.db.Where("token_hash = ?", tokenHash).First(&row).Error; err != nil {
		return Link{}, notFound(err, "Länken")
	}
	return row.link(), nil
}

func (r linkRow) link() Link {
	return Link{ID: r.ID, UnitID: r.UnitID, Nonce: r.Nonce, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt}
}

// ActiveLinks returns each unit's current (unrevoked) link in a round.
func (t *Queries) ActiveLinks(roundID int64) (map[int64]Link, error) {
	var rows []linkRow
	err := t.db.Raw(`SELECT l.* FROM links l JOIN units u ON u.id = l.unit_id
		WHERE u.round_id = ? AND l.revoked_at IS NULL ORDER BY l.id`, roundID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: active links: %w", err)
	}
	out := make(map[int64]Link, len(rows))
	for _, r := range rows {
		out[r.UnitID] = r.link()
	}
	return out, nil
}

// RevokeLinks revokes every active link of a unit.
func (t *Queries) RevokeLinks(unitID int64, at time.Time) error {
	err := t.db.Model(&linkRow{}).Where("unit_id = ? AND revoked_at IS NULL", unitID).Update("revoked_at", at).Error
	if err != nil {
		return fmt.Errorf("store: revoke links: %w", err)
	}
	return nil
}
