package yuanyi

import (
	"plaza/internal/showcase"
)

// catalogMethods are the functions over admin-made content: masters,
// merchants, clothes, games and banners, and users' follows, collects and
// likes of them (the showcase core).
func (f *face) catalogMethods() map[string]method {
	return map[string]method{
		"master_list":            {required, f.masterList("master_list", f.Showcase.Masters)},
		"master_recommend_list":  {required, f.masterList("master_recommend_list", f.Showcase.RecommendedMasters)},
		"master_detail":          {required, f.masterDetail},
		"master_follow":          {required, f.masterFollow},
		"master_unfollow":        {required, f.masterUnfollow},
		"my_following_masters":   {required, f.myFollowingMasters},
		"merchant_follow":        {required, f.merchantFollow},
		"merchant_unfollow":      {required, f.merchantUnfollow},
		"my_following_merchants": {required, f.myFollowingMerchants},

		"design_circle_cloth_list":      {required, f.designCircleClothList},
		"design_circle_cloth_detail":    {required, f.designCircleClothDetail},
		"design_circle_cloth_collect":   {required, f.clothCollect(showcase.DesignCircle, true)},
		"design_circle_cloth_uncollect": {required, f.clothCollect(showcase.DesignCircle, false)},
		"merchant_cloth_list":           {required, f.merchantClothList("merchant_cloth_list", f.Showcase.Clothes)},
		"merchant_cloth_recommend_list": {required, f.merchantClothList("merchant_cloth_recommend_list", f.Showcase.RecommendedClothes)},
		"merchant_cloth_detail":         {required, f.merchantClothDetail},
		"merchant_cloth_collect":        {required, f.clothCollect(showcase.MerchantKind, true)},
		"merchant_cloth_uncollect":      {required, f.clothCollect(showcase.MerchantKind, false)},

		"game_recommend_list": {required, f.gameRecommendList},
		"game_detail":         {required, f.gameDetail},
		"game_like":           {required, f.gameMark((*showcase.Service).LikeGame)},
		"game_unlike":         {required, f.gameMark((*showcase.Service).UnlikeGame)},
		"game_collect":        {required, f.gameMark((*showcase.Service).CollectGame)},
		"game_uncollect":      {required, f.gameMark((*showcase.Service).UncollectGame)},

		"home_banner":          {required, f.banners(showcase.HomeBanners, "home_banner")},
		"ticket_banner":        {required, f.banners(showcase.TicketBanners, "ticket_banner")},
		"design_circle_banner": {required, f.banners(showcase.DesignCircleBanners, "design_circle_banner")},
		// The document's example of game_banner answers under
		// design_circle_banner; that key is answered too.
		"game_banner": {required, f.banners(showcase.GameBanners, "game_banner", "design_circle_banner")},
	}
}

// pageOf reads limit and offset as a showcase page.
func (c *call) pageOf() (showcase.Page, error) {
	offset, limit, err := c.page()
	return showcase.Page{Offset: offset, Limit: limit}, err
}
