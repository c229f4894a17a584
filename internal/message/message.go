// Package message is private messages: between two users, or between a
// user and a master, a merchant or the customer service. Each party sees
// the conversation until they delete messages from their own view.
//
// A face names who speaks (As) and to whom (a Party); the core resolves
// and authorises both: who may speak as a master (the user linked to it),
// and blocks, which reach a master through its linked user.
package message

import (
	"context"
	"strings"
	"time"

	"plaza/internal/account"
	"plaza/internal/clock"
	"plaza/internal/errs"
	"plaza/internal/showcase"
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

// As is whom a caller speaks as: a signed-in user as themself, or as the
// master their account is linked to, or staff as the customer service.
// The core checks it (Forbidden for a user who is linked to no master).
type As struct {
	User    int64 // the signed-in user (unused for the service)
	Master  bool  // as the master linked to User
	Service bool  // as the customer service
}

// AsUser speaks as user id.
func AsUser(id int64) As { return As{User: id} }

// AsMasterOf speaks as the master linked to user id.
func AsMasterOf(id int64) As { return As{User: id, Master: true} }

// AsService speaks as the customer service (the staff of the admin face).
var AsService = As{Service: true}

// ServiceName is what the customer service is called.
const ServiceName = "客服"

// Counterpart is a party with its profile: User for a user, Master for a
// master, Merchant for a merchant; none for the customer service, nor for
// a party whose profile is gone.
type Counterpart struct {
	Party
	User     *account.User
	Master   *showcase.Master
	Merchant *showcase.Merchant
}

// Known reports whether the counterpart is the service or has a profile.
func (c Counterpart) Known() bool {
	return c.Kind == KindService || c.User != nil || c.Master != nil || c.Merchant != nil
}

// Name is what the counterpart is called: a user's nickname, a master's or
// a merchant's name, ServiceName ("" when the profile is gone).
func (c Counterpart) Name() string {
	switch {
	case c.Kind == KindService:
		return ServiceName
	case c.User != nil:
		return c.User.Nickname
	case c.Master != nil:
		return c.Master.Name
	case c.Merchant != nil:
		return c.Merchant.Name
	}
	return ""
}

// Avatar is the counterpart's picture (a media id, "" for none): a user's
// or a master's avatar, a merchant's logo; the service has none.
func (c Counterpart) Avatar() string {
	switch {
	case c.User != nil:
		return c.User.Avatar
	case c.Master != nil:
		return c.Master.Avatar
	case c.Merchant != nil:
		return c.Merchant.Logo
	}
	return ""
}

// user is the user account behind c, whose blocks c keeps: the user, or a
// master's linked user; 0 for none.
func (c Counterpart) user() int64 {
	switch {
	case c.Kind == KindUser:
		return c.Ref
	case c.Master != nil:
		return c.Master.UserID
	}
	return 0
}

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
	Peer Counterpart
	Last Message
}

// Inbox is a page of a party's conversations.
type Inbox struct {
	Self          Counterpart
	Conversations []Conversation
}

// Thread is a page of the messages between a party and a peer.
type Thread struct {
	Self, Peer Counterpart
	Messages   []Message
}

// MaxContent caps a message.
const MaxContent = 2000

// Users reads users' profiles (the account core).
type Users interface {
	UsersByID(ctx context.Context, ids []int64) (map[int64]account.User, error)
}

// Profiles reads masters and merchants (the showcase core).
type Profiles interface {
	MastersByID(ctx context.Context, ids []int64) (map[int64]showcase.Master, error)
	MerchantsByID(ctx context.Context, ids []int64) (map[int64]showcase.Merchant, error)
	MasterOfUser(ctx context.Context, userID int64) (showcase.Master, error)
	MasterUserTx(ctx context.Context, tx *store.Tx, masterID int64) (int64, error)
}

// Deps are what the service needs.
type Deps struct {
	DB       *store.DB
	Clock    clock.Clock
	Social   *social.Service // blocks
	Users    Users
	Profiles Profiles
}

// Service is the messages core.
type Service struct{ Deps }

// New returns the messages service.
func New(d Deps) *Service { return &Service{Deps: d} }

const msgCols = "id, from_kind, from_ref, to_kind, to_ref, content, created_at"

func scanMessage(r store.Scanner) (Message, error) {
	var m Message
	err := r.Scan(&m.ID, &m.From.Kind, &m.From.Ref, &m.To.Kind, &m.To.Ref, &m.Content, (*store.Millis)(&m.CreatedAt))
	return m, err
}

// self resolves whom as speaks as. A user's profile is not read (profiles
// does); a master's is, to know it is theirs.
func (s *Service) self(ctx context.Context, as As) (Counterpart, error) {
	switch {
	case as.Service:
		return Counterpart{Party: ServiceParty}, nil
	case as.User <= 0:
		return Counterpart{}, errs.E(errs.Unauthenticated, "no user speaks")
	case as.Master:
		m, err := s.Profiles.MasterOfUser(ctx, as.User)
		if errs.Is(err, errs.NotFound) {
			return Counterpart{}, errs.E(errs.Forbidden, "your account is not linked to a master")
		}
		if err != nil {
			return Counterpart{}, err
		}
		return Counterpart{Party: Party{Kind: KindMaster, Ref: m.ID}, Master: &m}, nil
	}
	return Counterpart{Party: Party{Kind: KindUser, Ref: as.User}}, nil
}

// profiles reads the profiles that cs lack: one query per kind.
func (s *Service) profiles(ctx context.Context, cs []Counterpart) error {
	ids := map[string][]int64{}
	for _, c := range cs {
		if !c.Known() {
			ids[c.Kind] = append(ids[c.Kind], c.Ref)
		}
	}
	users, err := s.Users.UsersByID(ctx, ids[KindUser])
	if err != nil {
		return err
	}
	masters, err := s.Profiles.MastersByID(ctx, ids[KindMaster])
	if err != nil {
		return err
	}
	merchants, err := s.Profiles.MerchantsByID(ctx, ids[KindMerchant])
	if err != nil {
		return err
	}
	for i := range cs {
		c := &cs[i]
		if c.Known() {
			continue
		}
		if u, ok := users[c.Ref]; ok && c.Kind == KindUser {
			c.User = &u
		}
		if m, ok := masters[c.Ref]; ok && c.Kind == KindMaster {
			c.Master = &m
		}
		if m, ok := merchants[c.Ref]; ok && c.Kind == KindMerchant {
			c.Merchant = &m
		}
	}
	return nil
}

// reasons of the NotFound of an addressee, by kind.
var reasons = map[string]errs.Reason{KindUser: account.ReasonNoUser, KindMaster: showcase.ReasonMaster, KindMerchant: showcase.ReasonMerchant}

// Send delivers content from as to a party. No one writes to a user who
// blocked them, nor to the master linked to that user, nor, speaking as a
// master, to a user who blocked the master's user: the block check runs in
// the write transaction, under the lock a block takes.
func (s *Service) Send(ctx context.Context, as As, to Party, content string) (Message, error) {
	if strings.TrimSpace(content) == "" {
		return Message{}, errs.InvalidField("content", "content is required")
	}
	if err := valid.Text("content", content, MaxContent); err != nil {
		return Message{}, err
	}
	from, err := s.self(ctx, as)
	if err != nil {
		return Message{}, err
	}
	if from.Party == to {
		return Message{}, errs.E(errs.Invalid, "you cannot write to yourself")
	}
	peer := []Counterpart{{Party: to}}
	if to.Kind != KindService {
		reason, ok := reasons[to.Kind]
		if !ok {
			return Message{}, errs.Ef(errs.Invalid, "no party of kind %q", to.Kind)
		}
		if err := s.profiles(ctx, peer); err != nil {
			return Message{}, err
		}
		if !peer[0].Known() {
			return Message{}, errs.R(errs.NotFound, reason, "no such "+to.Kind)
		}
	}
	var m Message
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		// A master's link is read again here, locked against an admin's
		// re-link, so the block check below holds for this write.
		a, b := from.user(), peer[0].user()
		if from.Kind == KindMaster {
			u, err := s.Profiles.MasterUserTx(ctx, tx, from.Ref)
			if err != nil {
				return err
			}
			if u != as.User {
				return errs.E(errs.Forbidden, "your account is not linked to this master any more")
			}
		}
		if to.Kind == KindMaster {
			var err error
			if b, err = s.Profiles.MasterUserTx(ctx, tx, to.Ref); err != nil {
				return err
			}
		}
		if a != 0 && b != 0 {
			if err := s.Social.CheckNotBlocked(ctx, tx, a, b); err != nil {
				return err
			}
		}
		now := s.Clock.Now().UnixMilli()
		var err error
		m, err = scanMessage(tx.QueryRow(ctx, `INSERT INTO messages (from_kind, from_ref, to_kind, to_ref, content, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING `+msgCols, from.Kind, from.Ref, to.Kind, to.Ref, content, now))
		if err != nil {
			return errs.Wrap(err, "send message")
		}
		for _, side := range [][2]Party{{from.Party, to}, {to, from.Party}} {
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

// Conversation lists the messages between as and peer that as has not
// deleted, newest first, with both sides' profiles.
func (s *Service) Conversation(ctx context.Context, as As, peer Party, offset, limit int) (Thread, error) {
	self, err := s.self(ctx, as)
	if err != nil {
		return Thread{}, err
	}
	msgs, err := store.Collect(ctx, s.DB, "SELECT "+msgCols+" FROM messages WHERE "+between+" ORDER BY id DESC"+store.LimitOffset,
		append(betweenArgs(self.Party, peer), limit, offset), scanMessage)
	if err != nil {
		return Thread{}, errs.Wrap(err, "read conversation")
	}
	cs := []Counterpart{self, {Party: peer}}
	if err := s.profiles(ctx, cs); err != nil {
		return Thread{}, err
	}
	return Thread{Self: cs[0], Peer: cs[1], Messages: msgs}, nil
}

// Conversations lists the conversations of as, the most recent first, each
// with its counterpart and the last message as has not deleted.
func (s *Service) Conversations(ctx context.Context, as As, offset, limit int) (Inbox, error) {
	self, err := s.self(ctx, as)
	if err != nil {
		return Inbox{}, err
	}
	convs, err := store.Collect(ctx, s.DB, `SELECT c.peer_kind, c.peer_ref, `+prefixed("m.", msgCols)+`
		FROM conversations c JOIN messages m ON m.id = c.last_message_id
		WHERE c.owner_kind = ? AND c.owner_ref = ? ORDER BY c.updated_at DESC, c.last_message_id DESC`+store.LimitOffset,
		[]any{self.Kind, self.Ref, limit, offset}, func(r store.Scanner) (Conversation, error) {
			var c Conversation
			m := &c.Last
			err := r.Scan(&c.Peer.Kind, &c.Peer.Ref, &m.ID, &m.From.Kind, &m.From.Ref, &m.To.Kind, &m.To.Ref, &m.Content, (*store.Millis)(&m.CreatedAt))
			return c, err
		})
	if err != nil {
		return Inbox{}, errs.Wrap(err, "read conversations")
	}
	cs := make([]Counterpart, 1, len(convs)+1)
	cs[0] = self
	for _, c := range convs {
		cs = append(cs, c.Peer)
	}
	if err := s.profiles(ctx, cs); err != nil {
		return Inbox{}, err
	}
	for i := range convs {
		convs[i].Peer = cs[i+1]
	}
	return Inbox{Self: cs[0], Conversations: convs}, nil
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// Delete removes messages from the view of as. Every id must be a message
// as sent or received; otherwise nothing is deleted (Forbidden, or
// NotFound for ids that do not exist).
func (s *Service) Delete(ctx context.Context, as As, ids []int64) error {
	self, err := s.self(ctx, as)
	if err != nil || len(ids) == 0 {
		return err
	}
	me := self.Party
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
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

// ConversationCount counts the conversations of as.
func (s *Service) ConversationCount(ctx context.Context, as As) (int, error) {
	self, err := s.self(ctx, as)
	if err != nil {
		return 0, err
	}
	n, err := store.Count(ctx, s.DB, "SELECT COUNT(*) FROM conversations WHERE owner_kind = ? AND owner_ref = ?", self.Kind, self.Ref)
	return n, errs.Wrap(err, "count conversations")
}

// MessageCount counts the messages between as and peer that as sees.
func (s *Service) MessageCount(ctx context.Context, as As, peer Party) (int, error) {
	self, err := s.self(ctx, as)
	if err != nil {
		return 0, err
	}
	n, err := store.Count(ctx, s.DB, "SELECT COUNT(*) FROM messages WHERE "+between, betweenArgs(self.Party, peer)...)
	return n, errs.Wrap(err, "count messages")
}
