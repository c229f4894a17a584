// Package notify is push notification: the devices users bind, the pushes
// admins send (to everyone or to chosen users), and each user's push log.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/provider/push"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// Service is the notification core.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	channels push.Channels
	log      *slog.Logger
	delivery *deliverer
}

// New returns the notification service; channels deliver to the devices.
func New(db *store.DB, c clock.Clock, channels push.Channels, log *slog.Logger) *Service {
	return &Service{db: db, clock: c, channels: channels, log: log, delivery: newDeliverer(DefaultDeliveryConfig())}
}

// Device is a phone bound to a user for pushes.
type Device struct {
	ID         int64
	ClientID   string
	ClientType string
	UserID     int64
	Switch     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Push is a notification an admin sent.
type Push struct {
	ID        int64
	Title     string
	Body      string
	Scope     int // 0 everyone, 1 chosen users
	AdminID   int64
	Status    int // 0 queued, 1 sent, 2 failed
	UserIDs   []int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Push scopes and statuses.
const (
	ScopeAll   = 0
	ScopeUsers = 1

	StatusQueued = 0
	StatusSent   = 1
	StatusFailed = 2
)

// Caps.
const (
	MaxClientID  = 128
	MaxPushTitle = 100
	MaxPushBody  = 2000
	MaxTargets   = 10000
)

const deviceCols = "id, client_id, client_type, user_id, switch, created_at, updated_at"

func scanDevice(r store.Scanner) (Device, error) {
	var d Device
	err := r.Scan(&d.ID, &d.ClientID, &d.ClientType, &d.UserID, &d.Switch, (*store.Millis)(&d.CreatedAt), (*store.Millis)(&d.UpdatedAt))
	return d, err
}

// Bind attaches a device to the user; a device already bound to someone
// else moves to this user (the newest sign-in on a phone wins), with pushes
// switched on again since the switch was the previous user's choice.
func (s *Service) Bind(ctx context.Context, userID int64, clientID, clientType string) (Device, error) {
	if err := checkClientID(clientID); err != nil {
		return Device{}, err
	}
	clientType = strings.ToLower(clientType)
	if clientType != "android" && clientType != "ios" {
		return Device{}, errs.InvalidField("client_type", "client_type must be android or ios")
	}
	now := s.clock.Now().UnixMilli()
	d, err := scanDevice(s.db.QueryRowWrite(ctx, `INSERT INTO push_devices (client_id, client_type, user_id, switch, created_at, updated_at)
		VALUES (?, ?, ?, TRUE, ?, ?)
		ON CONFLICT (client_id) DO UPDATE SET client_type = excluded.client_type, user_id = excluded.user_id,
			switch = CASE WHEN push_devices.user_id = excluded.user_id THEN push_devices.switch ELSE TRUE END,
			updated_at = excluded.updated_at
		RETURNING `+deviceCols, clientID, clientType, userID, now, now))
	return d, errs.Wrap(err, "bind device")
}

// checkClientID checks a device's client id, wherever it comes from (a
// body, a path): one line of at most MaxClientID characters.
func checkClientID(clientID string) error {
	return valid.RequiredLine("client_id", clientID, MaxClientID)
}

// Device returns a device bound to the user.
func (s *Service) Device(ctx context.Context, userID int64, clientID string) (Device, error) {
	if err := checkClientID(clientID); err != nil {
		return Device{}, err
	}
	return ownDevice(ctx, s.db, userID, clientID)
}

func ownDevice(ctx context.Context, q store.Querier, userID int64, clientID string) (Device, error) {
	d, err := scanDevice(q.QueryRow(ctx, "SELECT "+deviceCols+" FROM push_devices WHERE client_id = ?", clientID))
	if store.NoRows(err) {
		return Device{}, errs.E(errs.NotFound, "no such device")
	}
	if err != nil {
		return Device{}, errs.Wrap(err, "read device")
	}
	if d.UserID != userID {
		return Device{}, errs.E(errs.Forbidden, "this device is bound to another user")
	}
	return d, nil
}

// SetSwitch turns pushes to a device of the user on or off.
func (s *Service) SetSwitch(ctx context.Context, userID int64, clientID string, on bool) (Device, error) {
	if err := checkClientID(clientID); err != nil {
		return Device{}, err
	}
	var d Device
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if _, err = ownDevice(ctx, tx, userID, clientID); err != nil {
			return err
		}
		d, err = scanDevice(tx.QueryRow(ctx, "UPDATE push_devices SET switch = ?, updated_at = ? WHERE client_id = ? RETURNING "+deviceCols,
			on, s.clock.Now().UnixMilli(), clientID))
		return errs.Wrap(err, "set switch")
	})
	return d, err
}

// NewPush is a push as an admin writes it: to Everyone, or to the users
// of UserIDs (at least one). Who gets it is always said: the zero value
// reaches no one and is refused, so an empty selection never becomes
// everyone. Errors name the fields push_title, push_body and user_ids.
type NewPush struct {
	Title    string
	Body     string
	Everyone bool    // to every user (then UserIDs is empty)
	UserIDs  []int64 // the addressees when not Everyone
}

const pushCols = "id, title, body, scope, admin_id, status, created_at, updated_at"

func scanPush(r store.Scanner) (Push, error) {
	var p Push
	err := r.Scan(&p.ID, &p.Title, &p.Body, &p.Scope, &p.AdminID, &p.Status, (*store.Millis)(&p.CreatedAt), (*store.Millis)(&p.UpdatedAt))
	return p, err
}

// Send records a push and, in the same transaction, a delivery to each
// switched-on device of its users, which the delivery worker sends (see
// deliver.go). The push is in every addressee's log whether or not a
// device receives it. Its status is queued until every delivery settled,
// then sent, or failed when one failed.
func (s *Service) Send(ctx context.Context, adminID int64, in NewPush) (Push, error) {
	if err := valid.RequiredLine("push_title", in.Title, MaxPushTitle); err != nil {
		return Push{}, err
	}
	if err := valid.Text("push_body", in.Body, MaxPushBody); err != nil {
		return Push{}, err
	}
	switch {
	case in.Everyone && len(in.UserIDs) > 0:
		return Push{}, errs.InvalidField("user_ids", "a push to everyone names no user_ids")
	case !in.Everyone && len(in.UserIDs) == 0:
		return Push{}, errs.InvalidField("user_ids", "user_ids is empty: name at least one user (a push to everyone must say so)")
	case len(in.UserIDs) > MaxTargets:
		return Push{}, errs.InvalidField("user_ids", fmt.Sprintf("too many user_ids (at most %d)", MaxTargets))
	}
	scope := ScopeUsers
	if in.Everyone {
		scope = ScopeAll
	}
	var p Push
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock.Now().UnixMilli()
		var err error
		p, err = scanPush(tx.QueryRow(ctx, `INSERT INTO pushes (title, body, scope, admin_id, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING `+pushCols, in.Title, in.Body, scope, adminID, StatusQueued, now, now))
		if err != nil {
			return errs.Wrap(err, "create push")
		}
		seen := map[int64]bool{}
		for _, uid := range in.UserIDs {
			if seen[uid] {
				continue
			}
			seen[uid] = true
			if _, err := tx.Exec(ctx, "INSERT INTO push_targets (push_id, user_id) VALUES (?, ?)", p.ID, uid); err != nil {
				if store.IsForeignKeyViolation(err) {
					return errs.InvalidField("user_ids", "no such user")
				}
				return errs.Wrap(err, "push target")
			}
			p.UserIDs = append(p.UserIDs, uid)
		}
		n, err := enqueue(ctx, tx, p, now)
		if err != nil {
			return err
		}
		if n == 0 { // in the logs; no device to reach
			p.Status = StatusSent
			_, err = tx.Exec(ctx, "UPDATE pushes SET status = ? WHERE id = ?", p.Status, p.ID)
			return errs.Wrap(err, "push status")
		}
		return nil
	})
	if err != nil {
		return Push{}, err
	}
	select { // this node's worker starts on it at once
	case s.delivery.wake <- struct{}{}:
	default:
	}
	return p, nil
}

// Pushes lists every push, newest first (for admins).
func (s *Service) Pushes(ctx context.Context, offset, limit int) ([]Push, int, error) {
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM pushes")
	if err != nil {
		return nil, 0, errs.Wrap(err, "count pushes")
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+pushCols+" FROM pushes ORDER BY id DESC"+store.LimitOffset, []any{limit, offset}, scanPush)
	return out, total, errs.Wrap(err, "list pushes")
}

// Push returns one push with its addressees (for admins).
func (s *Service) Push(ctx context.Context, id int64) (Push, error) {
	p, err := scanPush(s.db.QueryRow(ctx, "SELECT "+pushCols+" FROM pushes WHERE id = ?", id))
	if store.NoRows(err) {
		return Push{}, errs.E(errs.NotFound, "no such push")
	}
	if err != nil {
		return Push{}, errs.Wrap(err, "read push")
	}
	p.UserIDs, err = store.Collect(ctx, s.db, "SELECT user_id FROM push_targets WHERE push_id = ? ORDER BY user_id", []any{id},
		func(r store.Scanner) (int64, error) { var v int64; return v, r.Scan(&v) })
	return p, errs.Wrap(err, "read push")
}

// DeletePush removes a push from every log.
func (s *Service) DeletePush(ctx context.Context, id int64) error {
	res, err := s.db.Exec(ctx, "DELETE FROM pushes WHERE id = ?", id)
	if err != nil {
		return errs.Wrap(err, "delete push")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "no such push")
	}
	return nil
}

// visible is the condition for the pushes in user ?'s log: sent to
// everyone since the user joined, or to the user, and not hidden by them.
// Its three arguments are joinedAt (ms), userID, userID.
const visible = `(p.scope = 0 AND p.created_at >= ? OR p.id IN (SELECT push_id FROM push_targets WHERE user_id = ?))
	AND p.id NOT IN (SELECT push_id FROM push_hidden WHERE user_id = ?)`

// Log lists the pushes sent to the user, newest first.
func (s *Service) Log(ctx context.Context, userID int64, joined time.Time, offset, limit int) ([]Push, int, error) {
	args := []any{joined.UnixMilli(), userID, userID}
	total, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM pushes p WHERE "+visible, args...)
	if err != nil {
		return nil, 0, errs.Wrap(err, "count push log")
	}
	out, err := store.Collect(ctx, s.db, "SELECT "+pushCols+" FROM pushes p WHERE "+visible+" ORDER BY p.id DESC"+store.LimitOffset,
		append(args, limit, offset), scanPush)
	return out, total, errs.Wrap(err, "push log")
}

// LogEntry returns one push of the user's log.
func (s *Service) LogEntry(ctx context.Context, userID int64, joined time.Time, id int64) (Push, error) {
	p, err := scanPush(s.db.QueryRow(ctx, "SELECT "+pushCols+" FROM pushes p WHERE p.id = ? AND "+visible,
		id, joined.UnixMilli(), userID, userID))
	if store.NoRows(err) {
		return Push{}, errs.E(errs.NotFound, "no such push")
	}
	return p, errs.Wrap(err, "read push")
}

// Hide removes pushes from the user's log: the given ids, or every push
// in it when ids is nil.
func (s *Service) Hide(ctx context.Context, userID int64, joined time.Time, ids []int64) error {
	q := `INSERT INTO push_hidden (user_id, push_id) SELECT ?, p.id FROM pushes p WHERE ` + visible
	args := []any{userID, joined.UnixMilli(), userID, userID}
	if ids != nil {
		if len(ids) == 0 {
			return nil
		}
		q += " AND p.id IN (" + store.Placeholders(len(ids)) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	_, err := s.db.Exec(ctx, q+" ON CONFLICT DO NOTHING", args...)
	return errs.Wrap(err, "hide pushes")
}

// Unread counts the pushes in the user's log whose ids are not in read.
func (s *Service) Unread(ctx context.Context, userID int64, joined time.Time, read []int64) (int, error) {
	q := "SELECT COUNT(*) FROM pushes p WHERE " + visible
	args := []any{joined.UnixMilli(), userID, userID}
	if len(read) > 0 {
		q += " AND p.id NOT IN (" + store.Placeholders(len(read)) + ")"
		for _, id := range read {
			args = append(args, id)
		}
	}
	n, err := store.Count(ctx, s.db, q, args...)
	return n, errs.Wrap(err, "count pushes")
}
