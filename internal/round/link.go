package round

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// LinkKey derives personal-link tokens. A link's token is HMAC(key, nonce):
// the database keeps the random 128-bit nonce and the token's SHA-256 hash,
// so a copy of the database alone neither reveals nor forges a link, while
// the service can show a project lead the link again to copy.
type LinkKey []byte

// NewLink returns a fresh nonce, the token derived from it and the token's
// hash for lookup.
func (k LinkKey) NewLink() (nonce, token, hash string, err error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", "", "", fmt.Errorf("round: link nonce: %w", err)
	}
	nonce = hex.EncodeToString(b)
	token = k.Token(nonce)
	return nonce, token, HashToken(token), nil
}

// Token derives the link token for a nonce.
func (k LinkKey) Token(nonce string) string {
	m := hmac.New(sha256.New, k)
	m.Write([]byte("inventera-link:" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// HashToken is the lookup key stored for a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// PlausibleToken tells whether s has the shape of a token, so that garbage
// never reaches the database.
func PlausibleToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
