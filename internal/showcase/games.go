package showcase

import (
	"context"
	"time"

	"plaza/internal/store"
)

// Game is an admin-made game.
type Game struct {
	ID          int64
	Name        string
	Image       string // media id
	Intro       string
	Recommended bool
	CreatedAt   time.Time
}

const gameCols = "id, name, image, intro, recommended, created_at"

func scanGame(r store.Scanner) (Game, error) {
	var g Game
	return g, r.Scan(&g.ID, &g.Name, &g.Image, &g.Intro, &g.Recommended, millis(&g.CreatedAt))
}

var gameShelf = shelf{what: "games", cols: gameCols, flagged: "id DESC"}

// RecommendedGames lists the recommended games, newest first; while none
// is flagged, the newest games.
func (s *Service) RecommendedGames(ctx context.Context, p Page) ([]Game, error) {
	return recommended(ctx, s, gameShelf, nil, p, scanGame)
}

// Game returns a game (NotFound, ReasonGame).
func (s *Service) Game(ctx context.Context, id int64) (Game, error) {
	return one(ctx, s, ReasonGame, "SELECT "+gameCols+" FROM games WHERE id = ?", id, scanGame)
}

// LikeGame likes a game; again changes nothing.
func (s *Service) LikeGame(ctx context.Context, userID int64, g Game) error {
	return s.set(ctx, gameLikes, userID, g.ID)
}

// UnlikeGame takes a like back; a game not liked changes nothing.
func (s *Service) UnlikeGame(ctx context.Context, userID int64, g Game) error {
	return s.unset(ctx, gameLikes, userID, g.ID)
}

// CollectGame adds a game to user's collection; again changes nothing.
func (s *Service) CollectGame(ctx context.Context, userID int64, g Game) error {
	return s.set(ctx, gameCollects, userID, g.ID)
}

// UncollectGame removes a game from user's collection.
func (s *Service) UncollectGame(ctx context.Context, userID int64, g Game) error {
	return s.unset(ctx, gameCollects, userID, g.ID)
}

// LikedGames returns which of the games (by id) user likes.
func (s *Service) LikedGames(ctx context.Context, userID int64, ids []int64) (map[int64]bool, error) {
	return s.among(ctx, gameLikes, userID, ids)
}

// CollectedGames returns which of the games (by id) user collected.
func (s *Service) CollectedGames(ctx context.Context, userID int64, ids []int64) (map[int64]bool, error) {
	return s.among(ctx, gameCollects, userID, ids)
}

// GameStats are a game's counts.
type GameStats struct{ Likes, Collects int }

// GameStats counts a game's likes and collects (by id).
func (s *Service) GameStats(ctx context.Context, gameID int64) (GameStats, error) {
	var st GameStats
	var err error
	if st.Likes, err = s.count(ctx, gameLikes, gameID); err != nil {
		return st, err
	}
	st.Collects, err = s.count(ctx, gameCollects, gameID)
	return st, err
}
