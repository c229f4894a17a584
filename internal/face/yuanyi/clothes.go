package yuanyi

import (
	"context"

	"plaza/internal/showcase"
)

// cloth reads "cloth_id" and finds a cloth of kind; one of the other kind,
// or none, is a bad parameter (400).
func (f *face) cloth(c *call, kind string) (showcase.Cloth, error) {
	id, err := c.id("cloth_id")
	if err != nil {
		return showcase.Cloth{}, err
	}
	return f.Showcase.Cloth(c.r.Context(), kind, id)
}

// clothItem is the part every cloth shows.
func clothItem(cl showcase.Cloth) map[string]any {
	return map[string]any{
		"cloth_id": cl.ID, "name": cl.Name, "image": orNull(cl.Image), "intro": orNull(cl.Intro),
		"price": cl.Price, "dynasty": cl.Dynasty, "created_at": ms(cl.CreatedAt),
	}
}

func (f *face) designCircleClothList(c *call) (result, error) {
	p, err := c.pageOf()
	if err != nil {
		return nil, err
	}
	clothes, err := f.Showcase.Clothes(c.r.Context(), showcase.DesignCircle, p)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(clothes))
	for i, cl := range clothes {
		out[i] = clothItem(cl)
	}
	return result{"design_circle_cloth_list": out}, nil
}

func (f *face) designCircleClothDetail(c *call) (result, error) {
	cl, err := f.cloth(c, showcase.DesignCircle)
	if err != nil {
		return nil, err
	}
	collected, err := f.Showcase.CollectedClothes(c.r.Context(), c.user.ID, []int64{cl.ID})
	if err != nil {
		return nil, err
	}
	d := clothItem(cl)
	d["designer_intro"] = cl.DesignerIntro // the document shows '' when there is none
	d["images"] = cl.Images
	d["is_collect"] = collected[cl.ID]
	return result{"design_circle_cloth_detail": d}, nil
}

// merchantClothes shows merchant clothes with their merchants, and what
// the viewer collected and follows: three queries for the page.
func (f *face) merchantClothes(ctx context.Context, viewer int64, clothes []showcase.Cloth) ([]map[string]any, error) {
	ids := make([]int64, len(clothes))
	merchantIDs := make([]int64, 0, len(clothes))
	for i, cl := range clothes {
		ids[i] = cl.ID
		merchantIDs = append(merchantIDs, cl.MerchantID)
	}
	collected, err := f.Showcase.CollectedClothes(ctx, viewer, ids)
	if err != nil {
		return nil, err
	}
	merchants, err := f.Showcase.MerchantsByID(ctx, merchantIDs)
	if err != nil {
		return nil, err
	}
	following, err := f.Showcase.FollowingMerchants(ctx, viewer, merchantIDs)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(clothes))
	for i, cl := range clothes {
		it := clothItem(cl)
		it["is_collect"] = collected[cl.ID]
		it["merchant"] = nil
		if m, ok := merchants[cl.MerchantID]; ok {
			it["merchant"] = merchantBrief(m, following[m.ID])
		}
		out[i] = it
	}
	return out, nil
}

// merchantClothList answers a page of merchant clothes under key and, for
// the recommend list, under merchant_cloth_list too (the document's key).
func (f *face) merchantClothList(key string, list func(context.Context, string, showcase.Page) ([]showcase.Cloth, error)) func(*call) (result, error) {
	return func(c *call) (result, error) {
		p, err := c.pageOf()
		if err != nil {
			return nil, err
		}
		ctx := c.r.Context()
		clothes, err := list(ctx, showcase.MerchantKind, p)
		if err != nil {
			return nil, err
		}
		out, err := f.merchantClothes(ctx, c.user.ID, clothes)
		if err != nil {
			return nil, err
		}
		return result{key: out, "merchant_cloth_list": out}, nil
	}
}

func (f *face) merchantClothDetail(c *call) (result, error) {
	cl, err := f.cloth(c, showcase.MerchantKind)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	out, err := f.merchantClothes(ctx, c.user.ID, []showcase.Cloth{cl})
	if err != nil {
		return nil, err
	}
	d := out[0]
	d["images"] = cl.Images
	if m, ok := d["merchant"].(map[string]any); ok {
		if m["follow_count"], err = f.Showcase.MerchantFollowers(ctx, cl.MerchantID); err != nil {
			return nil, err
		}
	}
	return result{"merchant_cloth_detail": d}, nil
}

// clothCollect collects (or uncollects) a cloth of kind.
func (f *face) clothCollect(kind string, collect bool) func(*call) (result, error) {
	return func(c *call) (result, error) {
		cl, err := f.cloth(c, kind)
		if err != nil {
			return nil, err
		}
		if collect {
			return nil, f.Showcase.CollectCloth(c.r.Context(), c.user.ID, cl)
		}
		return nil, f.Showcase.UncollectCloth(c.r.Context(), c.user.ID, cl)
	}
}
