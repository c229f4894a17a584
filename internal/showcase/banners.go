package showcase

import (
	"context"
	"time"

	"plaza/internal/catalog"
	"plaza/internal/errs"
	"plaza/internal/store"
)

// Banner placements.
const (
	HomeBanners         = catalog.BannerHome
	TicketBanners       = catalog.BannerTicket
	DesignCircleBanners = catalog.BannerDesignCircle
	GameBanners         = catalog.BannerGame
)

// Banner is a picture at the top of a screen and where a tap leads.
type Banner struct {
	ID        int64
	Placement string
	Image     string // media id
	URL       string
	Sort      int64
	CreatedAt time.Time
}

const bannerCols = "id, placement, image, url, sort, created_at"

func scanBanner(r store.Scanner) (Banner, error) {
	var b Banner
	return b, r.Scan(&b.ID, &b.Placement, &b.Image, &b.URL, &b.Sort, millis(&b.CreatedAt))
}

// Banners lists the banners of a placement by their sort key (smaller
// first), then newest first.
func (s *Service) Banners(ctx context.Context, placement string, p Page) ([]Banner, error) {
	switch placement {
	case HomeBanners, TicketBanners, DesignCircleBanners, GameBanners:
	default:
		return nil, errs.Ef(errs.Invalid, "no banner placement %q", placement)
	}
	return list(ctx, s, p, "banners", "SELECT "+bannerCols+" FROM banners WHERE placement = ? ORDER BY sort, id DESC"+store.LimitOffset,
		[]any{placement}, scanBanner)
}
