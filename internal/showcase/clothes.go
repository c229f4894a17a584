package showcase

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"plaza/internal/catalog"
	"plaza/internal/errs"
	"plaza/internal/store"
)

// Cloth kinds.
const (
	DesignCircle = catalog.ClothDesignCircle
	MerchantKind = catalog.ClothMerchant
)

// Cloth is a design-circle or merchant cloth.
type Cloth struct {
	ID            int64
	Kind          string // DesignCircle or MerchantKind
	Name          string
	Image         string   // media id
	Images        []string // media ids, never nil
	Intro         string
	DesignerIntro string
	Price         int64 // cents
	Dynasty       int64
	MerchantID    int64 // the merchant's id (MerchantKind), 0 for DesignCircle
	Recommended   bool
	CreatedAt     time.Time
}

const clothCols = "id, kind, name, image, images, intro, designer_intro, price, dynasty, merchant, recommended, created_at"

func scanCloth(r store.Scanner) (Cloth, error) {
	var c Cloth
	var images string
	var merchant sql.NullInt64
	err := r.Scan(&c.ID, &c.Kind, &c.Name, &c.Image, &images, &c.Intro, &c.DesignerIntro, &c.Price, &c.Dynasty, &merchant,
		&c.Recommended, millis(&c.CreatedAt))
	if err != nil {
		return c, err
	}
	c.MerchantID = merchant.Int64
	if c.Images, err = catalog.DecodeList(images); err != nil {
		return c, fmt.Errorf("images of cloth %d: %w", c.ID, err)
	}
	return c, nil
}

func checkKind(kind string) error {
	if kind != DesignCircle && kind != MerchantKind {
		return errs.Ef(errs.Invalid, "no cloth kind %q", kind)
	}
	return nil
}

// Clothes lists the clothes of a kind, newest first.
func (s *Service) Clothes(ctx context.Context, kind string, p Page) ([]Cloth, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	return list(ctx, s, p, "clothes", "SELECT "+clothCols+" FROM clothes WHERE kind = ? ORDER BY id DESC"+store.LimitOffset,
		[]any{kind}, scanCloth)
}

var clothShelf = shelf{what: "clothes", cols: clothCols, set: "kind = ?", flagged: "id DESC"}

// RecommendedClothes lists the recommended clothes of a kind, newest
// first; while no cloth of the kind is flagged, the newest of the kind.
func (s *Service) RecommendedClothes(ctx context.Context, kind string, p Page) ([]Cloth, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	return recommended(ctx, s, clothShelf, []any{kind}, p, scanCloth)
}

// Cloth returns a cloth of the given kind; a cloth of the other kind is
// NotFound (ReasonCloth) as well.
func (s *Service) Cloth(ctx context.Context, kind string, id int64) (Cloth, error) {
	c, err := one(ctx, s, ReasonCloth, "SELECT "+clothCols+" FROM clothes WHERE id = ?", id, scanCloth)
	if err == nil && c.Kind != kind {
		return Cloth{}, errs.R(errs.NotFound, ReasonCloth, fmt.Sprintf("no such %s cloth", kind))
	}
	return c, err
}

// CollectCloth adds a cloth to user's collection; again changes nothing.
func (s *Service) CollectCloth(ctx context.Context, userID int64, c Cloth) error {
	return s.set(ctx, clothCollects, userID, c.ID)
}

// UncollectCloth removes a cloth from user's collection; a cloth not
// collected changes nothing.
func (s *Service) UncollectCloth(ctx context.Context, userID int64, c Cloth) error {
	return s.unset(ctx, clothCollects, userID, c.ID)
}

// CollectedClothes returns which of the clothes (by id) user collected.
func (s *Service) CollectedClothes(ctx context.Context, userID int64, ids []int64) (map[int64]bool, error) {
	return s.among(ctx, clothCollects, userID, ids)
}

// ClothCollectors counts the users who collected a cloth (by id).
func (s *Service) ClothCollectors(ctx context.Context, clothID int64) (int, error) {
	return s.count(ctx, clothCollects, clothID)
}
