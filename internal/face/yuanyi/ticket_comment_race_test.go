package yuanyi_test

import (
	"context"
	"sync"
	"testing"

	"plaza/internal/plazatest"
	"plaza/internal/showcase"
)

// Two users deleting their newest comments on one ticket at once leave the
// ticket's last comment its newest remaining one (on PostgreSQL each
// delete computed it beside the other's uncommitted delete, and the last
// to write could name a deleted comment: the ticket left the circle); and
// of comments made at once the newest is the last (the slower writer set
// an older one).
func TestTicketCommentDeleteRace(t *testing.T) {
	plazatest.Each(t, contentEnv(), func(t *testing.T, e *plazatest.Env) {
		ctx := context.Background()
		_, aUID := signup(t, e, "18682222222")
		_, bUID := signup(t, e, "18683333333")
		ua, err := e.App.Accounts.UserByUID(ctx, aUID)
		if err != nil {
			t.Fatal(err)
		}
		ub, err := e.App.Accounts.UserByUID(ctx, bUID)
		if err != nil {
			t.Fatal(err)
		}
		s := makeShop(t, e, 1)
		tk, err := e.App.Showcase.Ticket(ctx, mustInt(t, s.tickets[0]))
		if err != nil {
			t.Fatal(err)
		}
		const rounds = 20
		var mine [2][]int64
		for i := 0; i < rounds+1; i++ {
			for j, u := range []int64{ua.ID, ub.ID} {
				c, err := e.App.Showcase.CommentTicket(ctx, u, tk, "c")
				if err != nil {
					t.Fatal(err)
				}
				mine[j] = append(mine[j], c.ID)
			}
		}
		check := func(what string, r int) {
			t.Helper()
			var last, newest int64
			if err := e.App.DB.QueryRow(ctx, "SELECT last_comment FROM tickets WHERE id = ?", tk.ID).Scan(&last); err != nil {
				t.Fatal(err)
			}
			if err := e.App.DB.QueryRow(ctx, "SELECT MAX(id) FROM ticket_comments WHERE ticket_id = ?", tk.ID).Scan(&newest); err != nil {
				t.Fatal(err)
			}
			if last != newest {
				items, _ := e.App.Showcase.TicketCircle(ctx, showcase.Page{Limit: 10})
				t.Fatalf("%s, round %d: last_comment %d, newest comment %d (circle: %d items)", what, r, last, newest, len(items))
			}
		}
		for r := 0; r < rounds; r++ {
			var wg sync.WaitGroup
			for j, u := range []int64{ua.ID, ub.ID} {
				id := mine[j][len(mine[j])-1]
				mine[j] = mine[j][:len(mine[j])-1]
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := e.App.Showcase.DeleteTicketComments(ctx, u, []int64{id}); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			check("deletes", r)
		}
		for r := 0; r < rounds; r++ { // comments at once: the newest is the last
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := e.App.Showcase.CommentTicket(ctx, ua.ID, tk, "c"); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			check("comments", r)
		}
	})
}
