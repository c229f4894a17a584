package yuanyi

import (
	"context"

	"plaza/internal/showcase"
)

// ticketMethods are the functions over projects and tickets (admin-made,
// the showcase core) and users' comments on tickets.
func (f *face) ticketMethods() map[string]method {
	return map[string]method{
		"project_list":                      {required, f.projectList},
		"project_recommend_list":            {required, f.projects(f.Showcase.RecommendedProjects, "project_recommend_list")},
		"my_following_masters_project_list": {required, f.followedProjects},
		"project_detail":                    {required, f.projectDetail},

		"ticket_list":                      {required, f.ticketList},
		"ticket_detail":                    {required, f.ticketDetail},
		"ticket_recommend_list":            {required, f.ticketsWithMasters("ticket_recommend_list", f.Showcase.RecommendedTickets)},
		"my_following_masters_ticket_list": {required, f.followedTickets},

		"ticket_comment_publish": {required, f.ticketCommentPublish},
		"ticket_comment_list":    {required, f.ticketCommentList},
		"ticket_comment_del":     {required, f.ticketCommentDel},
		"ticket_circle":          {required, f.ticketCircle},
	}
}

// project reads "project_id" and finds the project (unknown: 400).
func (f *face) project(c *call) (showcase.Project, error) {
	id, err := c.id("project_id")
	if err != nil {
		return showcase.Project{}, err
	}
	return f.Showcase.Project(c.r.Context(), id)
}

// ticket reads "ticket_id" and finds the ticket (unknown: 201).
func (f *face) ticket(c *call) (showcase.Ticket, error) {
	id, err := c.id("ticket_id")
	if err != nil {
		return showcase.Ticket{}, err
	}
	return f.Showcase.Ticket(c.r.Context(), id)
}

// projectItems shows projects with their masters (is_follow for the
// caller): two queries for a page.
func (f *face) projectItems(c *call, projects []showcase.Project) ([]map[string]any, error) {
	ctx := c.r.Context()
	ids := make([]int64, len(projects))
	for i, p := range projects {
		ids[i] = p.MasterID
	}
	masters, err := f.Showcase.MastersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	following, err := f.Showcase.FollowingMasters(ctx, c.user.ID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(projects))
	for i, p := range projects {
		m := masterBrief(masters[p.MasterID])
		m["is_follow"] = following[p.MasterID]
		out[i] = map[string]any{
			"project_id": p.ID, "name": p.Name, "image": orNull(p.Image), "intro": orNull(p.Intro), "created_at": ms(p.CreatedAt), "master": m,
		}
	}
	return out, nil
}

// projects answers a page of projects under each of keys.
func (f *face) projects(list func(context.Context, showcase.Page) ([]showcase.Project, error), keys ...string) func(*call) (result, error) {
	return func(c *call) (result, error) {
		p, err := c.pageOf()
		if err != nil {
			return nil, err
		}
		projects, err := list(c.r.Context(), p)
		if err != nil {
			return nil, err
		}
		out, err := f.projectItems(c, projects)
		if err != nil {
			return nil, err
		}
		res := result{}
		for _, k := range keys {
			res[k] = out
		}
		return res, nil
	}
}

// projectList takes an optional master_id (absent or null: every project).
func (f *face) projectList(c *call) (result, error) {
	var master int64
	if v, err := c.str("master_id"); err != nil {
		return nil, err
	} else if v != "" {
		m, err := f.master(c)
		if err != nil {
			return nil, err
		}
		master = m.ID
	}
	return f.projects(func(ctx context.Context, p showcase.Page) ([]showcase.Project, error) {
		return f.Showcase.Projects(ctx, master, p)
	}, "project_list")(c)
}

// followedProjects answers under the document's key, project_recommend_list,
// and under its own name.
func (f *face) followedProjects(c *call) (result, error) {
	return f.projects(func(ctx context.Context, p showcase.Page) ([]showcase.Project, error) {
		return f.Showcase.FollowedMastersProjects(ctx, c.user.ID, p)
	}, "project_recommend_list", "my_following_masters_project_list")(c)
}

func (f *face) projectDetail(c *call) (result, error) {
	p, err := f.project(c)
	if err != nil {
		return nil, err
	}
	items, err := f.projectItems(c, []showcase.Project{p})
	if err != nil {
		return nil, err
	}
	if items[0]["ticket_count"], err = f.Showcase.UnsoldTickets(c.r.Context(), p.ID); err != nil {
		return nil, err
	}
	return result{"project_detail": items[0]}, nil
}

func ticketItem(t showcase.Ticket) map[string]any {
	return map[string]any{
		"ticket_id": t.ID, "project_id": t.ProjectID, "name": t.Name, "image": orNull(t.Image), "intro": orNull(t.Intro),
		"price": t.Price, "created_at": ms(t.CreatedAt),
	}
}

func (f *face) ticketList(c *call) (result, error) {
	pr, err := f.project(c)
	if err != nil {
		return nil, err
	}
	p, err := c.pageOf()
	if err != nil {
		return nil, err
	}
	tickets, err := f.Showcase.Tickets(c.r.Context(), pr.ID, p)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(tickets))
	for i, t := range tickets {
		out[i] = ticketItem(t)
	}
	return result{"ticket_list": out}, nil
}

func (f *face) ticketDetail(c *call) (result, error) {
	t, err := f.ticket(c)
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	p, err := f.Showcase.Project(ctx, t.ProjectID)
	if err != nil {
		return nil, err
	}
	n, err := f.Showcase.UnsoldTickets(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	d := ticketItem(t)
	d["updated_at"], d["project_name"], d["project_ticket_count"] = ms(t.UpdatedAt), p.Name, n
	return result{"ticket_detail": d, "project_ticket_count": n}, nil
}

// ticketsWithMasters answers a page of tickets under key, each with its
// project's master.
func (f *face) ticketsWithMasters(key string, list func(context.Context, showcase.Page) ([]showcase.Ticket, error)) func(*call) (result, error) {
	return func(c *call) (result, error) {
		p, err := c.pageOf()
		if err != nil {
			return nil, err
		}
		ctx := c.r.Context()
		tickets, err := list(ctx, p)
		if err != nil {
			return nil, err
		}
		pids := make([]int64, len(tickets))
		for i, t := range tickets {
			pids[i] = t.ProjectID
		}
		projects, err := f.Showcase.ProjectsByID(ctx, pids)
		if err != nil {
			return nil, err
		}
		mids := make([]int64, 0, len(projects))
		for _, p := range projects {
			mids = append(mids, p.MasterID)
		}
		masters, err := f.Showcase.MastersByID(ctx, mids)
		if err != nil {
			return nil, err
		}
		out := make([]map[string]any, len(tickets))
		for i, t := range tickets {
			out[i] = ticketItem(t)
			out[i]["master"] = masterBrief(masters[projects[t.ProjectID].MasterID])
		}
		return result{key: out}, nil
	}
}

func (f *face) followedTickets(c *call) (result, error) {
	return f.ticketsWithMasters("my_following_masters_ticket_list", func(ctx context.Context, p showcase.Page) ([]showcase.Ticket, error) {
		return f.Showcase.FollowedMastersTickets(ctx, c.user.ID, p)
	})(c)
}

func (f *face) ticketCommentPublish(c *call) (result, error) {
	t, err := f.ticket(c)
	if err != nil {
		return nil, err
	}
	content, err := c.need("content")
	if err != nil {
		return nil, err
	}
	_, err = f.Showcase.CommentTicket(c.r.Context(), c.user.ID, t, content)
	return nil, err
}

func (f *face) ticketCommentList(c *call) (result, error) {
	t, err := f.ticket(c)
	if err != nil {
		return nil, err
	}
	p, err := c.pageOf()
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	comments, err := f.Showcase.TicketComments(ctx, t, p)
	if err != nil {
		return nil, err
	}
	users := make([]int64, len(comments))
	for i, cm := range comments {
		users[i] = cm.UserID
	}
	authors, err := f.Accounts.UsersByID(ctx, users)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(comments))
	for i, cm := range comments {
		u := authors[cm.UserID]
		out[i] = map[string]any{
			"ticket_comment_id": cm.ID, "comment_id": cm.ID, "uid": u.UID, "content": cm.Content, "created_at": ms(cm.CreatedAt),
			"author": author(u),
		}
	}
	return result{"ticket_comment_list": out}, nil
}

// ticketCommentDel takes ticket_comment_id_list: a list or "1,2,3".
func (f *face) ticketCommentDel(c *call) (result, error) {
	ids, err := c.ids("ticket_comment_id_list", showcase.MaxCommentBatch)
	if err != nil {
		return nil, err
	}
	return nil, f.Showcase.DeleteTicketComments(c.r.Context(), c.user.ID, ids)
}

func (f *face) ticketCircle(c *call) (result, error) {
	p, err := c.pageOf()
	if err != nil {
		return nil, err
	}
	ctx := c.r.Context()
	items, err := f.Showcase.TicketCircle(ctx, p)
	if err != nil {
		return nil, err
	}
	users := make([]int64, len(items))
	for i, it := range items {
		users[i] = it.Comment.UserID
	}
	authors, err := f.Accounts.UsersByID(ctx, users)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(items))
	for i, it := range items {
		a := f.briefUser(authors[it.Comment.UserID])
		a["score"], a["level"], a["exp"] = 0, 0, 0
		t := it.Ticket
		out[i] = map[string]any{
			"ticket": map[string]any{"ticket_id": t.ID, "name": t.Name, "image": orNull(t.Image), "intro": orNull(t.Intro), "created_at": ms(t.CreatedAt)},
			"last_comment": map[string]any{
				"comment_id": it.Comment.ID, "content": it.Comment.Content, "created_at": ms(it.Comment.CreatedAt), "author": a,
			},
		}
	}
	return result{"ticket_circle": out}, nil
}
