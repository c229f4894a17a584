package yuanyi

import (
	"context"

	"plaza/internal/showcase"
)

// game reads "game_id" and finds the game (unknown: 400).
func (f *face) game(c *call) (showcase.Game, error) {
	id, err := c.id("game_id")
	if err != nil {
		return showcase.Game{}, err
	}
	return f.Showcase.Game(c.r.Context(), id)
}

func gameItem(g showcase.Game, collected bool) map[string]any {
	return map[string]any{
		"game_id": g.ID, "name": g.Name, "image": orNull(g.Image), "intro": orNull(g.Intro),
		"created_at": ms(g.CreatedAt), "is_collect": collected,
	}
}

func (f *face) gameRecommendList(c *call) (result, error) {
	p, err := c.pageOf()
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	games, err := f.Showcase.RecommendedGames(ctx, p)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(games))
	for i, g := range games {
		ids[i] = g.ID
	}
	collected, err := f.Showcase.CollectedGames(ctx, c.user.ID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(games))
	for i, g := range games {
		out[i] = gameItem(g, collected[g.ID])
	}
	return result{"game_recommend_list": out}, nil
}

func (f *face) gameDetail(c *call) (result, error) {
	g, err := f.game(c)
	if err != nil {
		return nil, err
	}
	collected, err := f.Showcase.CollectedGames(c.r.Context(), c.user.ID, []int64{g.ID})
	if err != nil {
		return nil, err
	}
	return result{"game_detail": gameItem(g, collected[g.ID])}, nil
}

// gameMark likes, unlikes, collects or uncollects a game.
func (f *face) gameMark(do func(*showcase.Service, context.Context, int64, showcase.Game) error) func(*call) (result, error) {
	return func(c *call) (result, error) {
		g, err := f.game(c)
		if err != nil {
			return nil, err
		}
		return nil, do(f.Showcase, c.r.Context(), c.user.ID, g)
	}
}

// banners answers the banners of a placement under each of keys and under
// "banner", the key the app reads.
func (f *face) banners(placement string, keys ...string) func(*call) (result, error) {
	return func(c *call) (result, error) {
		p, err := c.pageOf()
		if err != nil {
			return nil, err
		}
		banners, err := f.Showcase.Banners(c.r.Context(), placement, p)
		if err != nil {
			return nil, err
		}
		out := make([]map[string]any, len(banners))
		for i, b := range banners {
			out[i] = map[string]any{"banner_id": b.ID, "image": orNull(b.Image), "url": orNull(b.URL)}
		}
		res := result{"banner": out}
		for _, k := range keys {
			res[k] = out
		}
		return res, nil
	}
}
