package yuanyi

import (
	"context"

	"plaza/internal/showcase"
)

// master reads "master_id" and finds the master (unknown: 400).
func (f *face) master(c *call) (showcase.Master, error) {
	id, err := c.hexID("master_id")
	if err != nil {
		return showcase.Master{}, err
	}
	return f.Showcase.Master(c.r.Context(), id)
}

// masterBrief is a master as my_following_masters, projects and messages
// show it.
func masterBrief(m showcase.Master) map[string]any {
	return map[string]any{
		"master_id": m.MasterID, "name": m.Name, "avatar": orNull(m.Avatar), "intro": orNull(m.Intro),
		"address": orNull(m.Address), "birthday": orNull(m.Birthday), "created_at": ms(m.CreatedAt),
	}
}

// masterList answers a page of masters under key; items carry the
// document's uid and nickname (the master's id and name) next to the
// app's master_id and name. master_recommend_list also answers under
// master_list, the document's key.
func (f *face) masterList(key string, list func(context.Context, showcase.Page) ([]showcase.Master, error)) func(*call) (result, error) {
	return func(c *call) (result, error) {
		p, err := c.pageOf()
		if err != nil {
			return nil, err
		}
		ctx := c.r.Context()
		masters, err := list(ctx, p)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, len(masters))
		for i, m := range masters {
			ids[i] = m.ID
		}
		following, err := f.Showcase.FollowingMasters(ctx, c.user.ID, ids)
		if err != nil {
			return nil, err
		}
		out := make([]map[string]any, len(masters))
		for i, m := range masters {
			out[i] = map[string]any{
				"master_id": m.MasterID, "name": m.Name, "uid": m.MasterID, "nickname": m.Name,
				"avatar": orNull(m.Avatar), "intro": orNull(m.Intro), "is_follow": following[m.ID], "created_at": ms(m.CreatedAt),
			}
		}
		return result{key: out, "master_list": out}, nil
	}
}

func (f *face) masterDetail(c *call) (result, error) {
	m, err := f.master(c)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	st, err := f.Showcase.MasterStats(ctx, m)
	if err != nil {
		return nil, err
	}
	isFollow, err := f.Showcase.FollowsMaster(ctx, c.user.ID, m)
	if err != nil {
		return nil, err
	}
	d := masterBrief(m)
	d["is_follow"] = isFollow
	d["follow_count"], d["follower_count"], d["article_count"] = st.Following, st.Followers, st.Articles
	return result{"master_detail": d}, nil
}

func (f *face) masterFollow(c *call) (result, error) {
	m, err := f.master(c)
	if err != nil {
		return nil, err
	}
	return nil, f.Showcase.FollowMaster(c.r.Context(), c.user.ID, m)
}

func (f *face) masterUnfollow(c *call) (result, error) {
	m, err := f.master(c)
	if err != nil {
		return nil, err
	}
	return nil, f.Showcase.UnfollowMaster(c.r.Context(), c.user.ID, m)
}

func (f *face) myFollowingMasters(c *call) (result, error) {
	p, err := c.pageOf()
	if err != nil {
		return nil, err
	}
	masters, err := f.Showcase.FollowedMasters(c.r.Context(), c.user.ID, p)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(masters))
	for i, m := range masters {
		out[i] = masterBrief(m)
	}
	return result{"my_following_masters": out}, nil
}

// merchant reads "merchant_id" and finds the merchant (unknown: 400).
func (f *face) merchant(c *call) (showcase.Merchant, error) {
	id, err := c.hexID("merchant_id")
	if err != nil {
		return showcase.Merchant{}, err
	}
	return f.Showcase.Merchant(c.r.Context(), id)
}

// merchantBrief is a merchant inside a cloth.
func merchantBrief(m showcase.Merchant, isFollow bool) map[string]any {
	return map[string]any{
		"merchant_id": m.MerchantID, "name": m.Name, "logo": orNull(m.Logo), "intro": orNull(m.Intro),
		"address": orNull(m.Address), "is_follow": isFollow,
	}
}

func (f *face) merchantFollow(c *call) (result, error) {
	m, err := f.merchant(c)
	if err != nil {
		return nil, err
	}
	return nil, f.Showcase.FollowMerchant(c.r.Context(), c.user.ID, m)
}

func (f *face) merchantUnfollow(c *call) (result, error) {
	m, err := f.merchant(c)
	if err != nil {
		return nil, err
	}
	return nil, f.Showcase.UnfollowMerchant(c.r.Context(), c.user.ID, m)
}

func (f *face) myFollowingMerchants(c *call) (result, error) {
	p, err := c.pageOf()
	if err != nil {
		return nil, err
	}
	merchants, err := f.Showcase.FollowedMerchants(c.r.Context(), c.user.ID, p)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(merchants))
	for i, m := range merchants {
		out[i] = merchantProfile(m)
	}
	return result{"my_following_merchants": out}, nil
}

// merchantProfile is a merchant as my_following_merchants and messages
// show it.
func merchantProfile(m showcase.Merchant) map[string]any {
	return map[string]any{
		"merchant_id": m.MerchantID, "name": m.Name, "logo": orNull(m.Logo), "intro": orNull(m.Intro),
		"address": orNull(m.Address), "phone": orNull(m.Phone), "email": orNull(m.Email), "created_at": ms(m.CreatedAt),
	}
}
