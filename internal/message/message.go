// Package message is private messages: between two users, or between a
// user and a master, a merchant or the customer service. Each party sees
// the conversation until they delete messages from their own view.
package message

import (
	"context"
	"strings"
	"time"

	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/social"
	"plaza/internal/store"
	"plaza/internal/valid"
)

// Kinds of party.
const (
	KindUser     = "user"
	KindMaster   = "master"
	KindMerchant = "merchant"
	KindService  = "service"
)

// Party is one side of a conversation: a kind and the row id of that kind
// (0 for the customer service).
type Party struct {
	Kind string
	Ref  int64
}

// ServiceParty is the customer service.
var ServiceParty = Party{Kind: KindService}

// Message is one message.
type Message struct {
	ID        int64
	From      Party
	To        Party
	Content   string
	CreatedAt time.Time
}

// Conversation is a party's conversation with a peer and its last message.
type Conversation struct {
	Peer Party
	Last Message
}

// MaxContent caps a message.
const MaxContent = 2000

// Service is the messages core.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	social *social.Service
}

// New returns the messages service.
func New(db *store.DB, c clock.Clock, s *social.Service) *Service {
	return &Service{db: db, clock: c, social: s}
}

const msgCols = "id, from_kind, from_ref, to_kind, to_ref, content, created_at"

func scanMessage(r store.Scanner) (Message, error) {
	var m Message
	err := r.Scan(&m.ID, &m.From.Kind, &m.From.Ref, &m.To.Kind, &m.To.Ref, &m.Content, (*store.Millis)(&m.CreatedAt))
	return m, err
}

// Send delivers content from one party to another. Between users, a user
// who has been blocked by the addressee cannot write to them.
func (s *Service) Send(ctx context.Context, from, to Party, content string) (Message, error) {
	if strings.TrimSpace(content) == "" {
		return Message{}, errs.InvalidField("content", "content is required")
	}
	if err := valid.Text("content", content, MaxContent); err != nil {
		return Message{}, err
	}
	if from == to {
		return Message{}, errs.E(errs.Invalid, "you cannot write to yourself")
	}
	if from.Kind == KindUser && to.Kind == KindUser {
		if err := s.social.CanReach(ctx, from.Ref, to.Ref); err != nil {
			return Message{}, err
		}
	}
	var m Message
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock.Now().UnixMilli()
		var err error
		m, err = scanMessage(tx.QueryRow(ctx, `INSERT INTO messages (from_kind, from_ref, to_kind, to_ref, content, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING `+msgCols, from.Kind, from.Ref, to.Kind, to.Ref, content, now))
		if err != nil {
			return errs.Wrap(err, "send message")
		}
		for _, side := range [][2]Party{{from, to}, {to, from}} {
			if _, err := tx.Exec(ctx, `INSERT INTO conversations (owner_kind, owner_ref, peer_kind, peer_ref, last_message_id, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (owner_kind, owner_ref, peer_kind, peer_ref) DO UPDATE SET last_message_id = excluded.last_message_id, updated_at = excluded.updated_at`,
				side[0].Kind, side[0].Ref, side[1].Kind, side[1].Ref, m.ID, now); err != nil {
				return errs.Wrap(err, "conversation")
			}
		}
		return nil
	})
	return m, err
}

// between is the condition for the messages of a conversation visible to
// "me"; its arguments are me, peer, peer, me (kind, ref each).
const between = `((from_kind = ? AND from_ref = ? AND to_kind = ? AND to_ref = ? AND hidden_from = FALSE)
	OR (from_kind = ? AND from_ref = ? AND to_kind = ? AND to_ref = ? AND hidden_to = FALSE))`

func betweenArgs(me, peer Party) []any {
	return []any{me.Kind, me.Ref, peer.Kind, peer.Ref, peer.Kind, peer.Ref, me.Kind, me.Ref}
}

// Conversation lists the messages between me and peer that I have not
// deleted, newest first.
func (s *Service) Conversation(ctx context.Context, me, peer Party, offset, limit int) ([]Message, error) {
	out, err := store.Collect(ctx, s.db, "SELECT "+msgCols+" FROM messages WHERE "+between+" ORDER BY id DESC"+store.LimitOffset,
		append(betweenArgs(me, peer), limit, offset), scanMessage)
	return out, errs.Wrap(err, "read conversation")
}

// Conversations lists my conversations, the most recent first, each with
// its last message I have not deleted.
func (s *Service) Conversations(ctx context.Context, me Party, offset, limit int) ([]Conversation, error) {
	rows, err := store.Collect(ctx, s.db, `SELECT c.peer_kind, c.peer_ref, `+prefixed("m.", msgCols)+`
		FROM conversations c JOIN messages m ON m.id = c.last_message_id
		WHERE c.owner_kind = ? AND c.owner_ref = ? ORDER BY c.updated_at DESC, c.last_message_id DESC`+store.LimitOffset,
		[]any{me.Kind, me.Ref, limit, offset}, func(r store.Scanner) (Conversation, error) {
			var c Conversation
			m := &c.Last
			err := r.Scan(&c.Peer.Kind, &c.Peer.Ref, &m.ID, &m.From.Kind, &m.From.Ref, &m.To.Kind, &m.To.Ref, &m.Content, (*store.Millis)(&m.CreatedAt))
			return c, err
		})
	return rows, errs.Wrap(err, "read conversations")
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// Delete removes messages from my view. Every id must be a message I sent
// or received; otherwise nothing is deleted (Forbidden, or NotFound for
// ids that do not exist).
func (s *Service) Delete(ctx context.Context, me Party, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		msgs, err := store.Collect(ctx, tx, "SELECT "+msgCols+" FROM messages WHERE id IN ("+store.Placeholders(len(ids))+")"+tx.ForUpdate(), args, scanMessage)
		if err != nil {
			return errs.Wrap(err, "delete messages")
		}
		found := map[int64]Message{}
		for _, m := range msgs {
			found[m.ID] = m
		}
		peers := map[Party]bool{}
		for _, id := range ids {
			m, ok := found[id]
			if !ok {
				return errs.Ef(errs.NotFound, "no such message %d", id)
			}
			switch me {
			case m.From:
				peers[m.To] = true
				_, err = tx.Exec(ctx, "UPDATE messages SET hidden_from = TRUE WHERE id = ?", id)
			case m.To:
				peers[m.From] = true
				_, err = tx.Exec(ctx, "UPDATE messages SET hidden_to = TRUE WHERE id = ?", id)
			default:
				return errs.Ef(errs.Forbidden, "message %d is not yours", id)
			}
			if err != nil {
				return errs.Wrap(err, "delete messages")
			}
		}
		// The conversation shows the last message still visible, or goes.
		for peer := range peers {
			var last int64
			err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM messages WHERE "+between, betweenArgs(me, peer)...).Scan(&last)
			if err != nil {
				return errs.Wrap(err, "delete messages")
			}
			if last == 0 {
				_, err = tx.Exec(ctx, "DELETE FROM conversations WHERE owner_kind = ? AND owner_ref = ? AND peer_kind = ? AND peer_ref = ?",
					me.Kind, me.Ref, peer.Kind, peer.Ref)
			} else {
				_, err = tx.Exec(ctx, "UPDATE conversations SET last_message_id = ? WHERE owner_kind = ? AND owner_ref = ? AND peer_kind = ? AND peer_ref = ?",
					last, me.Kind, me.Ref, peer.Kind, peer.Ref)
			}
			if err != nil {
				return errs.Wrap(err, "delete messages")
			}
		}
		return nil
	})
}

// ConversationCount counts my conversations.
func (s *Service) ConversationCount(ctx context.Context, me Party) (int, error) {
	n, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM conversations WHERE owner_kind = ? AND owner_ref = ?", me.Kind, me.Ref)
	return n, errs.Wrap(err, "count conversations")
}

// MessageCount counts the messages between me and peer that I see.
func (s *Service) MessageCount(ctx context.Context, me, peer Party) (int, error) {
	n, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM messages WHERE "+between, betweenArgs(me, peer)...)
	return n, errs.Wrap(err, "count messages")
}
