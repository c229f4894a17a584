package showcase

import (
	"context"
	"time"

	"plaza/internal/errs"
	"plaza/internal/store"
)

// ReasonProject marks the NotFound of a project.
var ReasonProject = errs.NewReason("showcase.project")

// Project is an admin-made project of a master.
type Project struct {
	ID          int64
	MasterID    int64 // the masters row
	Name        string
	Image       string // media id
	Intro       string // opaque text
	Recommended bool
	CreatedAt   time.Time
}

const projectCols = "id, master, name, image, intro, recommended, created_at"

func scanProject(r store.Scanner) (Project, error) {
	var p Project
	return p, r.Scan(&p.ID, &p.MasterID, &p.Name, &p.Image, &p.Intro, &p.Recommended, millis(&p.CreatedAt))
}

// Projects lists the projects, newest first: every project, or with
// master (a masters row id, not 0) that master's.
func (s *Service) Projects(ctx context.Context, master int64, p Page) ([]Project, error) {
	if master == 0 {
		return list(ctx, s, p, "projects", "SELECT "+projectCols+" FROM projects ORDER BY id DESC"+store.LimitOffset, nil, scanProject)
	}
	return list(ctx, s, p, "projects", "SELECT "+projectCols+" FROM projects WHERE master = ? ORDER BY id DESC"+store.LimitOffset,
		[]any{master}, scanProject)
}

var projectShelf = shelf{what: "projects", cols: projectCols, flagged: "id DESC"}

// RecommendedProjects lists the recommended projects, newest first; while
// none is flagged, the newest projects.
func (s *Service) RecommendedProjects(ctx context.Context, p Page) ([]Project, error) {
	return recommended(ctx, s, projectShelf, nil, p, scanProject)
}

// Project returns a project (NotFound, ReasonProject).
func (s *Service) Project(ctx context.Context, id int64) (Project, error) {
	return one(ctx, s, ReasonProject, "SELECT "+projectCols+" FROM projects WHERE id = ?", id, scanProject)
}

// ProjectsByID returns the projects with the given ids (unknown ids left out).
func (s *Service) ProjectsByID(ctx context.Context, ids []int64) (map[int64]Project, error) {
	return byID(ctx, s, "projects", "SELECT "+projectCols+" FROM projects", ids, scanProject, func(p Project) int64 { return p.ID })
}

// FollowedMastersProjects lists the projects of the masters user follows,
// newest first.
func (s *Service) FollowedMastersProjects(ctx context.Context, userID int64, p Page) ([]Project, error) {
	return list(ctx, s, p, "projects", "SELECT "+prefixed("p.", projectCols)+" FROM projects p JOIN master_follows f ON f.master = p.master"+
		" WHERE f.user_id = ? ORDER BY p.id DESC"+store.LimitOffset, []any{userID}, scanProject)
}
