package showcase

import (
	"context"
	"time"

	"plaza/internal/store"
)

// Merchant is an admin-made shop.
type Merchant struct {
	ID         int64
	MerchantID string // public: 32 lowercase hex
	Name       string
	Logo       string // media id
	Intro      string
	Address    string
	Phone      string
	Email      string
	CreatedAt  time.Time
}

const merchantCols = "id, merchant_id, name, logo, intro, address, phone, email, created_at"

func scanMerchant(r store.Scanner) (Merchant, error) {
	var m Merchant
	return m, r.Scan(&m.ID, &m.MerchantID, &m.Name, &m.Logo, &m.Intro, &m.Address, &m.Phone, &m.Email, millis(&m.CreatedAt))
}

// Merchant returns the merchant with a public id (NotFound, ReasonMerchant).
func (s *Service) Merchant(ctx context.Context, merchantID string) (Merchant, error) {
	return one(ctx, s, ReasonMerchant, "SELECT "+merchantCols+" FROM merchants WHERE merchant_id = ?", merchantID, scanMerchant)
}

// MerchantsByID returns the merchants with the given ids (unknown ids left out).
func (s *Service) MerchantsByID(ctx context.Context, ids []int64) (map[int64]Merchant, error) {
	return byID(ctx, s, "merchants", "SELECT "+merchantCols+" FROM merchants", ids, scanMerchant, func(m Merchant) int64 { return m.ID })
}

// FollowMerchant makes user follow m; following again changes nothing.
func (s *Service) FollowMerchant(ctx context.Context, userID int64, m Merchant) error {
	return s.set(ctx, merchantFollows, userID, m.ID)
}

// UnfollowMerchant ends a follow; unfollowing a merchant one does not
// follow changes nothing.
func (s *Service) UnfollowMerchant(ctx context.Context, userID int64, m Merchant) error {
	return s.unset(ctx, merchantFollows, userID, m.ID)
}

// FollowingMerchants returns which of the merchants (by id) user follows.
func (s *Service) FollowingMerchants(ctx context.Context, userID int64, ids []int64) (map[int64]bool, error) {
	return s.among(ctx, merchantFollows, userID, ids)
}

// FollowedMerchants lists the merchants user follows, newest follow first.
func (s *Service) FollowedMerchants(ctx context.Context, userID int64, p Page) ([]Merchant, error) {
	ids, err := s.marked(ctx, merchantFollows, userID, p)
	if err != nil {
		return nil, err
	}
	rows, err := s.MerchantsByID(ctx, ids)
	return ordered(ids, rows), err
}

// MerchantFollowers counts the users who follow a merchant (by id).
func (s *Service) MerchantFollowers(ctx context.Context, merchantID int64) (int, error) {
	return s.count(ctx, merchantFollows, merchantID)
}
