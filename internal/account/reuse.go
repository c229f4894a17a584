package account

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// The refresh reuse interval.
//
// A phone app that wakes up often sends several requests at once, each of
// which finds the access token expired and refreshes with the same refresh
// token. Only the first can rotate it; without an allowance the others
// would count as reuse of a rotated token and revoke the whole sign-in,
// the first one's new tokens included. As GoTrue does, a rotated refresh
// token presented again within RefreshReuseInterval of its rotation gets
// the very pair its rotation issued, as long as that pair is still the
// family's current one; after the interval (or once the pair was itself
// rotated or revoked) reuse revokes the family as before.
//
// Tokens are stored as SHA-256 only, so the pair cannot be read back from
// its rows. The rotation keeps it on the old token's row instead, sealed
// with AES-256-GCM under a key derived from the old raw token by HKDF-SHA256
// (a label distinct from the stored hash, which is plain SHA-256 of the
// token): only a client that presents the old token can open it, and a
// copy of the database reveals no token. A seal is erased once it can no
// longer serve: the next rotation of the family erases the family's seals,
// and the janitor those past the interval (SweepTokens).

const sealInfo = "plaza refresh-reuse seal v1"

// sealedPair is what a seal holds.
type sealedPair struct {
	Access  string `json:"a"`
	Refresh string `json:"r"`
	Expires int64  `json:"e"` // access expiry, ms
	TTL     int64  `json:"t"` // access lifetime, ms
}

func sealAEAD(raw string) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, []byte(raw), nil, sealInfo, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealPair seals p under the raw token it replaces; the token's stored
// hash is the additional data, so a seal opens on its own row only.
func sealPair(raw string, p TokenPair) (string, error) {
	aead, err := sealAEAD(raw)
	if err != nil {
		return "", err
	}
	plain, err := json.Marshal(sealedPair{Access: p.Access, Refresh: p.Refresh, Expires: p.AccessExpires.UnixMilli(), TTL: p.AccessTTL.Milliseconds()})
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, []byte(HashToken(raw)))), nil
}

// openPair opens a seal with the raw token it was made under.
func openPair(raw, sealed string, userID int64) (TokenPair, error) {
	aead, err := sealAEAD(raw)
	if err != nil {
		return TokenPair{}, err
	}
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < aead.NonceSize() {
		return TokenPair{}, errors.New("malformed seal")
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte(HashToken(raw)))
	if err != nil {
		return TokenPair{}, err
	}
	var sp sealedPair
	if err := json.Unmarshal(plain, &sp); err != nil {
		return TokenPair{}, err
	}
	return TokenPair{Access: sp.Access, Refresh: sp.Refresh, AccessExpires: time.UnixMilli(sp.Expires),
		AccessTTL: time.Duration(sp.TTL) * time.Millisecond, UserID: userID}, nil
}

// rotatedRow is what Refresh reads of a rotated refresh token.
type rotatedRow struct {
	userID    int64
	family    string
	rotatedAt sql.NullInt64
	successor sql.NullString
}

// reusePair returns the pair a rotation of raw issued when it may be
// answered again: within the interval, and while that pair is the family's
// current one (its refresh token neither used nor revoked nor expired).
func (s *Service) reusePair(ctx context.Context, tx *store.Tx, raw string, r rotatedRow) (TokenPair, bool, error) {
	iv := s.cfg.RefreshReuseInterval
	if iv <= 0 || !r.rotatedAt.Valid || !r.successor.Valid {
		return TokenPair{}, false, nil
	}
	now := s.now().UnixMilli()
	if now-r.rotatedAt.Int64 >= iv.Milliseconds() {
		return TokenPair{}, false, nil
	}
	p, err := openPair(raw, r.successor.String, r.userID)
	if err != nil {
		s.log.Error("refresh reuse: seal does not open", "user_id", r.userID, "err", err)
		return TokenPair{}, false, nil
	}
	var (
		used, revoked bool
		expiresAt     int64
	)
	err = tx.QueryRow(ctx, "SELECT used, revoked, expires_at FROM tokens WHERE hash = ? AND kind = 'refresh' AND family = ?",
		HashToken(p.Refresh), r.family).Scan(&used, &revoked, &expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return TokenPair{}, false, nil
	}
	if err != nil {
		return TokenPair{}, false, errs.Wrap(err, "refresh reuse")
	}
	if used || revoked || now >= expiresAt {
		return TokenPair{}, false, nil
	}
	return p, true, nil
}

// keepSuccessor seals p on the row of the refresh token raw it replaced,
// and erases the family's other seals (their pairs are no longer current).
func (s *Service) keepSuccessor(ctx context.Context, tx *store.Tx, raw, family string, p TokenPair) error {
	if _, err := tx.Exec(ctx, "UPDATE tokens SET successor = NULL WHERE family = ? AND successor IS NOT NULL", family); err != nil {
		return errs.Wrap(err, "erase seals")
	}
	if s.cfg.RefreshReuseInterval <= 0 {
		return nil
	}
	sealed, err := sealPair(raw, p)
	if err != nil {
		return errs.Wrap(err, "seal pair")
	}
	_, err = tx.Exec(ctx, "UPDATE tokens SET rotated_at = ?, successor = ? WHERE hash = ? AND kind = 'refresh'",
		s.now().UnixMilli(), sealed, HashToken(raw))
	return errs.Wrap(err, "keep pair")
}

// sweepSeals erases the seals past the reuse interval.
func (s *Service) sweepSeals(ctx context.Context) error {
	cutoff := s.now().Add(-s.cfg.RefreshReuseInterval).UnixMilli()
	_, err := s.db.Exec(ctx, "UPDATE tokens SET successor = NULL WHERE successor IS NOT NULL AND rotated_at <= ?", cutoff)
	return errs.Wrap(err, "sweep seals")
}
