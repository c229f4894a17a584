package yuanyi

import (
	"context"

	"plaza/internal/account"
	"plaza/internal/social"
)

func (f *face) socialMethods() map[string]method {
	return map[string]method{
		"user_follow":        {required, f.userFollow},
		"user_unfollow":      {required, f.userUnfollow},
		"sns_block":          {required, f.snsBlock},
		"sns_unblock":        {required, f.snsUnblock},
		"my_following_users": {required, f.relationList("my_following_users", f.Social.Following)},
		"my_follower":        {required, f.relationList("my_follower", f.Social.Followers)},
		"my_block":           {required, f.relationList("my_block", f.Social.Blocked)},
	}
}

// toUser reads "to_uid" and finds the user.
func (f *face) toUser(c *call) (account.User, error) {
	uid, err := c.hexID("to_uid")
	if err != nil {
		return account.User{}, err
	}
	return f.userByUID(c, uid)
}

func (f *face) userFollow(c *call) (result, error) {
	u, err := f.toUser(c)
	if err != nil {
		return nil, err
	}
	return nil, f.Social.Follow(c.r.Context(), c.user.ID, u.ID)
}

func (f *face) userUnfollow(c *call) (result, error) {
	u, err := f.toUser(c)
	if err != nil {
		return nil, err
	}
	return nil, f.Social.Unfollow(c.r.Context(), c.user.ID, u.ID)
}

func (f *face) snsBlock(c *call) (result, error) {
	u, err := f.toUser(c)
	if err != nil {
		return nil, err
	}
	return nil, f.Social.Block(c.r.Context(), c.user.ID, u.ID)
}

func (f *face) snsUnblock(c *call) (result, error) {
	u, err := f.toUser(c)
	if err != nil {
		return nil, err
	}
	return nil, f.Social.Unblock(c.r.Context(), c.user.ID, u.ID)
}

// relationList answers a page of related users under key.
func (f *face) relationList(key string, list func(context.Context, int64, int, int) ([]social.Edge, error)) func(*call) (result, error) {
	return func(c *call) (result, error) {
		offset, limit, err := c.page()
		if err != nil {
			return nil, err
		}
		ctx := c.r.Context()
		edges, err := list(ctx, c.user.ID, offset, limit)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, len(edges))
		for i, e := range edges {
			ids[i] = e.UserID
		}
		users, err := f.Accounts.UsersByID(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make([]map[string]any, 0, len(edges))
		for _, e := range edges {
			if u, ok := users[e.UserID]; ok {
				out = append(out, f.briefUser(u))
			}
		}
		res := result{key: out}
		if key == "my_following_users" {
			res["my_following"] = out // the client's own name
		}
		return res, nil
	}
}
