package admins

import (
	"context"
	"database/sql"
	"time"

	"plaza/internal/errs"
	"plaza/internal/ratelimit"
	"plaza/internal/store"
)

const adminColumns = "id, email, created_at, disabled, totp_secret IS NOT NULL, last_login_at"

func scanAdmin(sc interface{ Scan(...any) error }) (Admin, error) {
	var a Admin
	var last sql.NullInt64
	err := sc.Scan(&a.ID, &a.Email, (*store.Millis)(&a.CreatedAt), &a.Disabled, &a.TOTPEnabled, &last)
	if last.Valid {
		a.LastLoginAt = time.UnixMilli(last.Int64)
	}
	return a, err
}

// List returns a page of the admins, oldest first, and their number.
func (s *Service) List(ctx context.Context, offset, limit int) ([]Admin, int, error) {
	var total int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM admins").Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "count admins")
	}
	rows, err := s.db.Query(ctx, "SELECT "+adminColumns+" FROM admins ORDER BY id LIMIT ? OFFSET ?", limit, offset)
	if err != nil {
		return nil, 0, errs.Wrap(err, "list admins")
	}
	defer rows.Close()
	out := []Admin{}
	for rows.Next() {
		a, err := scanAdmin(rows)
		if err != nil {
			return nil, 0, errs.Wrap(err, "list admins")
		}
		out = append(out, a)
	}
	return out, total, errs.Wrap(rows.Err(), "list admins")
}

// Get returns an admin.
func (s *Service) Get(ctx context.Context, id int64) (Admin, error) {
	a, err := scanAdmin(s.db.QueryRow(ctx, "SELECT "+adminColumns+" FROM admins WHERE id = ?", id))
	if store.NoRows(err) {
		return Admin{}, errs.E(errs.NotFound, "no such admin")
	}
	return a, errs.Wrap(err, "admin")
}

// Change is an edit of an admin by another: nil fields stay.
type Change struct {
	Disabled *bool
	Password *string
	// TOTPOff turns the admin's TOTP off (and a pending enrolment, and the
	// recovery codes): how an admin who lost their authenticator is let in
	// again by another.
	TOTPOff bool
}

// Update edits admin id on behalf of the admin of session by. An admin
// cannot disable themself, nor set their own password or turn their own
// TOTP off here (Invalid), and the last enabled admin cannot be disabled
// (Conflict): the check runs under the lock of every enabled admin's row,
// so two admins disabling each other at once leave one. Disabling ends the
// admin's sessions at once (re-enabling revives none); a new password
// ends them too.
func (s *Service) Update(ctx context.Context, by Session, id int64, c Change) (Admin, error) {
	if c.Password != nil {
		if err := checkPassword("password", *c.Password); err != nil {
			return Admin{}, err
		}
	}
	if c.Disabled != nil && *c.Disabled && id == by.Admin.ID {
		return Admin{}, &errs.Error{Kind: errs.Conflict, Field: "disabled", Msg: "an admin cannot disable themself"}
	}
	// One's own password and second factor change with proof of the old
	// ones (ChangePassword, DisableTOTP): a stolen session must not be
	// enough to lock the owner out.
	if c.Password != nil && id == by.Admin.ID {
		return Admin{}, errs.InvalidField("password", "change your own password with POST /admin/v1/admins/me/password (it needs the old one)")
	}
	if c.TOTPOff && id == by.Admin.ID {
		return Admin{}, errs.InvalidField("totp", "turn your own TOTP off with DELETE /admin/v1/admins/me/totp (it needs a code)")
	}
	var hash string
	if c.Password != nil {
		h, err := s.hasher.Hash(*c.Password)
		if err != nil {
			return Admin{}, errs.Wrap(err, "hash password")
		}
		hash = h
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock.Now().UnixMilli()
		disabling := c.Disabled != nil && *c.Disabled
		enabled := 0
		if disabling {
			// The enabled admins' rows first (in id order, as every
			// disabling takes them), then the target's.
			rows, err := tx.Query(ctx, "SELECT id FROM admins WHERE disabled = ? ORDER BY id"+tx.ForUpdate(), false)
			if err != nil {
				return err
			}
			for rows.Next() {
				enabled++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		var disabled bool
		err := tx.QueryRow(ctx, "SELECT disabled FROM admins WHERE id = ?"+tx.ForUpdate(), id).Scan(&disabled)
		if store.NoRows(err) {
			return errs.E(errs.NotFound, "no such admin")
		}
		if err != nil {
			return err
		}
		if disabling && !disabled && enabled <= 1 {
			return &errs.Error{Kind: errs.Conflict, Field: "disabled", Msg: "the last enabled admin cannot be disabled"}
		}
		if c.Disabled != nil && *c.Disabled != disabled {
			if _, err := tx.Exec(ctx, "UPDATE admins SET disabled = ?, updated_at = ? WHERE id = ?", *c.Disabled, now, id); err != nil {
				return err
			}
			if *c.Disabled {
				if err := endSessions(ctx, tx, id, ""); err != nil {
					return err
				}
			}
		}
		if c.TOTPOff {
			if _, err := tx.Exec(ctx, "UPDATE admins SET totp_secret = NULL, totp_pending = NULL, updated_at = ? WHERE id = ?", now, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DELETE FROM admin_recovery_codes WHERE admin_id = ?", id); err != nil {
				return err
			}
		}
		if c.Password != nil {
			if _, err := tx.Exec(ctx, "UPDATE admins SET password_hash = ?, updated_at = ? WHERE id = ?", hash, now, id); err != nil {
				return err
			}
			if err := endSessions(ctx, tx, id, by.Token); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Admin{}, errs.Wrap(err, "update admin")
	}
	return s.Get(ctx, id)
}

// provePassword checks that password is the admin's own: a wrong one is
// refused with field (and counts in the sign-in limits, as at sign-in),
// and so is a right one past those limits.
func (s *Service) provePassword(ctx context.Context, adminID int64, field, password, ip string) error {
	limits, err := s.codeLimits(ctx, adminID, ip)
	if err != nil {
		return err
	}
	var hash string
	if err := s.db.QueryRow(ctx, "SELECT password_hash FROM admins WHERE id = ?", adminID).Scan(&hash); err != nil {
		return errs.Wrap(err, "check password")
	}
	ok, err := s.hasher.Verify(hash, password)
	if err != nil {
		return errs.Wrap(err, "check password")
	}
	if !ok {
		return s.loginFailed(ctx, limits, errs.InvalidField(field, "wrong password"))
	}
	return ratelimit.Refused(ctx, s.limiter, limits...)
}

// ChangePassword sets the password of the session's admin when old is
// their password (a wrong one counts in the sign-in limits, as at
// sign-in); the admin's other sessions end.
func (s *Service) ChangePassword(ctx context.Context, ses Session, old, new, ip string) error {
	if err := checkPassword("new_password", new); err != nil {
		return err
	}
	if err := s.provePassword(ctx, ses.Admin.ID, "old_password", old, ip); err != nil {
		return err
	}
	newHash, err := s.hasher.Hash(new)
	if err != nil {
		return errs.Wrap(err, "hash password")
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE admins SET password_hash = ?, updated_at = ? WHERE id = ?", newHash, s.clock.Now().UnixMilli(), ses.Admin.ID); err != nil {
			return err
		}
		return endSessions(ctx, tx, ses.Admin.ID, ses.Token)
	})
	return errs.Wrap(err, "change password")
}
