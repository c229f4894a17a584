package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"plaza/internal/errs"
	"plaza/internal/provider/push"
	"plaza/internal/store"
)

// Durable delivery. A push is written with one push_deliveries row per
// switched-on device of its addressees, in the push's transaction (so a
// push to 100,000 devices is one INSERT ... SELECT, never a list in
// memory). The worker of any node claims due rows in batches (a claim is
// committed before anything is sent: the row is "sending" until a lease
// ends), sends each batch through the device's channel, and records every
// outcome in one transaction. A worker that dies after its claim leaves
// its rows due again when the lease ends; they are sent again under the
// same collapse id. A device is so sent to twice only when the crash fell
// between the vendor's answer and its record, and its phone shows it once.
//
// A vendor whose calls carry an idempotency key (a push.Keyer: JPush's
// cid) gets its keys before the batch is sent, and they are written to
// the deliveries (send_key) in a transaction that commits before the
// call. The deliveries of one key are one call: they are claimed together
// (send_group is the id of the first of them; a worker claims the group by
// that row and takes the others with it), and sent again together under
// the same key until an answer is recorded, so the vendor takes the resend
// as the call it already has.

// Delivery states (push_deliveries.state).
const (
	DeliveryDue       = 0 // to send at NextAt
	DeliverySending   = 1 // claimed by a worker until NextAt
	DeliveryDelivered = 2
	DeliveryFailed    = 3 // refused by the vendor, or given up after the retries
	DeliveryDead      = 4 // the token is gone: the device was deleted
	DeliverySkipped   = 5 // switched off, removed or moved to another user first
)

// DeliveryStates are the states' names, by state, as admins see them.
var DeliveryStates = []string{"due", "sending", "delivered", "failed", "dead", "skipped"}

// DeliveryConfig paces the worker.
type DeliveryConfig struct {
	Batch       int           // deliveries claimed at once
	Lease       time.Duration // how long a claim holds before another worker may take the rows again
	MaxAttempts int           // sends before a delivery the vendor keeps refusing for now is given up
	Backoff     time.Duration // wait before the first retry; it doubles at each (with jitter), up to MaxBackoff
	MaxBackoff  time.Duration
	Poll        time.Duration // how often the worker looks for due rows it was not woken for
}

// DefaultDeliveryConfig is what New uses.
func DefaultDeliveryConfig() DeliveryConfig {
	return DeliveryConfig{Batch: 500, Lease: 2 * time.Minute, MaxAttempts: 8, Backoff: 5 * time.Second, MaxBackoff: time.Hour, Poll: time.Second}
}

// deliverer is the worker's state inside the Service.
type deliverer struct {
	cfg  DeliveryConfig
	mu   sync.Mutex    // one batch at a time on this node
	wake chan struct{} // a push was queued here
	sent *prometheus.CounterVec
}

// Register adds the delivery metrics to reg: plaza_push_deliveries_total
// (by channel and result: delivered, retry, dead, failed, skipped) and
// plaza_push_backlog (deliveries due now or being sent, on every node).
func (s *Service) Register(reg prometheus.Registerer) {
	s.delivery.sent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "plaza_push_deliveries_total",
		Help: "Push deliveries tried by this node, by channel and result (delivered, retry, dead, failed, skipped).",
	}, []string{"channel", "result"})
	backlog := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "plaza_push_backlog",
		Help: "Push deliveries due now or being sent (all nodes).",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM push_deliveries WHERE state IN (0, 1) AND next_at <= ?", s.clock.Now().UnixMilli())
		if err != nil {
			return -1
		}
		return float64(n)
	})
	reg.MustRegister(s.delivery.sent, backlog)
}

// count notes a batch's results in the metrics.
func (d *deliverer) count(claims []*claim) {
	if d.sent == nil {
		return
	}
	for _, c := range claims {
		if !c.found {
			continue
		}
		result := DeliveryStates[c.state]
		if c.state == DeliveryDue {
			result = "retry"
		}
		d.sent.WithLabelValues(c.channel, result).Inc()
	}
}

func newDeliverer(cfg DeliveryConfig) *deliverer {
	return &deliverer{cfg: cfg, wake: make(chan struct{}, 1)}
}

// SetDelivery changes the worker's pace (before it runs).
func (s *Service) SetDelivery(cfg DeliveryConfig) { s.delivery.cfg = cfg }

// enqueue writes the deliveries of push p in tx: one per switched-on
// device of its addressees. It answers how many.
func enqueue(ctx context.Context, tx *store.Tx, p Push, now int64) (int64, error) {
	q := `INSERT INTO push_deliveries (push_id, device_id, client_id, client_type, user_id, state, attempts, next_at, updated_at)
		SELECT ?, d.id, d.client_id, d.client_type, d.user_id, 0, 0, ?, ? FROM push_devices d WHERE d.switch = TRUE`
	args := []any{p.ID, now, now}
	if p.Scope == ScopeUsers {
		q += " AND d.user_id IN (SELECT user_id FROM push_targets WHERE push_id = ?)"
		args = append(args, p.ID)
	}
	res, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return 0, errs.Wrap(err, "queue push deliveries")
	}
	n, err := res.RowsAffected()
	return n, errs.Wrap(err, "queue push deliveries")
}

// RunDelivery sends due deliveries until ctx ends: at once when this node
// queued a push, otherwise every Poll (pushes queued by other nodes,
// retries coming due, claims of a dead worker). Every node may run it.
func (s *Service) RunDelivery(ctx context.Context) {
	t := time.NewTicker(s.delivery.cfg.Poll)
	defer t.Stop()
	for {
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("push delivery", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.delivery.wake:
		case <-t.C:
		}
	}
}

// DeliverDue sends the deliveries due now, batch after batch, until none
// is; it answers how many it settled or put off. It waits for a batch this
// node's worker is sending.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	s.delivery.mu.Lock()
	defer s.delivery.mu.Unlock()
	total := 0
	for {
		n, err := s.deliverBatch(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// claim is one claimed delivery and what it is sent with.
type claim struct {
	id, pushID, deviceID, userID int64
	attempts                     int
	sendKey                      string // the vendor call's key ("": none yet)
	sendKeyAt                    int64
	sendGroup                    int64 // the id of the first delivery of the key (0: no key)
	// Read after the claim:
	found      bool // the delivery is still there (its push was not deleted)
	title      string
	body       string
	device     bool // the device still exists
	token      string
	clientType string
	owner      int64
	on         bool
	// The result:
	state   int
	channel string
	detail  string
	delay   time.Duration // with DeliveryDue: until the retry
}

// deliverBatch claims, sends and records one batch.
func (s *Service) deliverBatch(ctx context.Context) (int, error) {
	cfg := s.delivery.cfg
	claims, leaseEnd, err := s.claim(ctx, cfg)
	if err != nil || len(claims) == 0 {
		return 0, err
	}
	if err := s.readClaims(ctx, claims); err != nil {
		return 0, err
	}

	// Group the sendable ones by channel; settle the others.
	type group struct {
		p      push.Provider
		claims []*claim
		msgs   []push.Message
	}
	groups := map[push.Provider]*group{}
	now := s.clock.Now()
	for _, c := range claims {
		switch {
		case !c.found:
			continue
		case !c.device:
			c.state, c.detail = DeliverySkipped, "the device was removed"
			continue
		case c.owner != c.userID:
			c.state, c.detail = DeliverySkipped, "the device moved to another user"
			continue
		case !c.on:
			c.state, c.detail = DeliverySkipped, "pushes switched off"
			continue
		}
		p := s.channels.For(c.clientType)
		if p == nil {
			c.state, c.detail = DeliveryFailed, push.ErrNoChannel.Error()
			continue
		}
		g := groups[p]
		if g == nil {
			g = &group{p: p}
			groups[p] = g
		}
		g.claims = append(g.claims, c)
		m := push.Message{Token: c.token, ClientType: c.clientType, UserID: c.userID, PushID: c.pushID,
			Title: c.title, Body: c.body, CollapseID: CollapseID(c.pushID), Time: now, SendKey: c.sendKey}
		if c.sendKey != "" {
			m.SendKeyAt = time.UnixMilli(c.sendKeyAt)
		}
		g.msgs = append(g.msgs, m)
	}
	// Each channel at once; a batch must be sent well within its lease.
	sendCtx, cancel := context.WithTimeout(ctx, cfg.Lease/2)
	defer cancel()
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := s.send(sendCtx, g.p, g.claims, g.msgs, leaseEnd)
			for i, c := range g.claims {
				c.channel = g.p.Name()
				r := push.Result{Outcome: push.Retry, Detail: "not sent: the batch ran out of time or was stopped"}
				if i < len(res) {
					r = res[i]
				}
				s.settle(c, r, cfg)
			}
		}()
	}
	wg.Wait()
	// Recorded even when ctx ended meanwhile (a shutdown): what was sent
	// is delivered, what was not is due again soon.
	if err := s.record(context.WithoutCancel(ctx), claims, leaseEnd); err != nil {
		return 0, err
	}
	s.delivery.count(claims)
	return len(claims), nil
}

// send sends the messages of one channel: with a Keyer, once their keys
// are kept. A provider that panics fails its batch for now, not the
// process: the messages without a result are tried again.
func (s *Service) send(ctx context.Context, p push.Provider, claims []*claim, msgs []push.Message, leaseEnd int64) (res []push.Result) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("push provider panicked", "channel", p.Name(), "panic", v)
			res = nil
		}
	}()
	k, ok := p.(push.Keyer)
	if !ok {
		return p.Send(ctx, msgs)
	}
	res = make([]push.Result, len(msgs))
	// The messages Key left without a key get its answer; the others go.
	var sendClaims []*claim
	var sendMsgs []push.Message
	var at []int
	refused := k.Key(ctx, msgs)
	for i, m := range msgs {
		if refused != nil && m.SendKey == "" {
			res[i] = *refused
			continue
		}
		sendClaims, sendMsgs, at = append(sendClaims, claims[i]), append(sendMsgs, m), append(at, i)
	}
	if len(at) == 0 {
		return res
	}
	if err := s.keepKeys(ctx, sendClaims, sendMsgs, leaseEnd); err != nil {
		s.log.Error("push delivery: keep send keys", "channel", p.Name(), "err", err)
		for _, i := range at {
			res[i] = push.Result{Outcome: push.Retry, Detail: "not sent: " + err.Error()}
		}
		return res
	}
	for j, r := range p.Send(ctx, sendMsgs) {
		res[at[j]] = r
	}
	return res
}

// errClaimLost: a claim's rows were taken by another worker (its lease
// ended first).
var errClaimLost = errors.New("the claim's lease ended before its send keys were kept")

// keepKeys writes the keys a Keyer gave (new ones, or ones it replaced)
// to the claims' deliveries, in a transaction that commits before the
// call, while the claim still holds them; each key's group is its first
// delivery.
func (s *Service) keepKeys(ctx context.Context, claims []*claim, msgs []push.Message, leaseEnd int64) error {
	byKey := map[string][]int{}
	var keys []string
	for i, c := range claims {
		if k := msgs[i].SendKey; k != "" && k != c.sendKey {
			if byKey[k] == nil {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], i)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	groups := make([]int64, len(keys))
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for n, k := range keys {
			ids := make([]int64, 0, len(byKey[k]))
			for _, i := range byKey[k] {
				ids = append(ids, claims[i].id)
			}
			groups[n] = slices.Min(ids)
			in, args := store.InIDs(ids)
			res, err := tx.Exec(ctx, `UPDATE push_deliveries SET send_key = ?, send_key_at = ?, send_group = ?
				WHERE state = 1 AND next_at = ? AND id IN (`+in+`)`,
				append([]any{k, msgs[byKey[k][0]].SendKeyAt.UnixMilli(), groups[n], leaseEnd}, args...)...)
			if err != nil {
				return errs.Wrap(err, "keep push send keys")
			}
			if n, err := res.RowsAffected(); err != nil || n != int64(len(ids)) {
				return cmp.Or(errs.Wrap(err, "keep push send keys"), errClaimLost)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for n, k := range keys {
		for _, i := range byKey[k] {
			c := claims[i]
			c.sendKey, c.sendKeyAt, c.sendGroup = k, msgs[i].SendKeyAt.UnixMilli(), groups[n]
		}
	}
	return nil
}

// CollapseID is the collapse id of every send of push id to a device.
func CollapseID(pushID int64) string { return fmt.Sprintf("plaza-push-%d", pushID) }

// settle turns a vendor's result into the delivery's next state.
func (s *Service) settle(c *claim, r push.Result, cfg DeliveryConfig) {
	c.detail = r.Detail
	switch r.Outcome {
	case push.Delivered:
		c.state, c.detail = DeliveryDelivered, ""
	case push.Dead:
		c.state = DeliveryDead
	case push.Rejected:
		c.state = DeliveryFailed
	default: // Retry
		if c.attempts >= cfg.MaxAttempts {
			c.state, c.detail = DeliveryFailed, fmt.Sprintf("given up after %d tries: %s", c.attempts, r.Detail)
			return
		}
		c.state, c.delay = DeliveryDue, r.RetryAfter
		if c.delay <= 0 {
			c.delay = backoff(cfg, c.attempts)
		}
	}
}

// backoff is the wait before the retry that follows try number attempts:
// Backoff, doubling, up to MaxBackoff, each within ±20%.
func backoff(cfg DeliveryConfig, attempts int) time.Duration {
	d := cfg.Backoff
	for i := 1; i < attempts && d < cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, cfg.MaxBackoff)
	return d - d/5 + rand.N(2*d/5+1)
}

// claim takes about Batch due deliveries (those of a dead worker's lapsed
// claims first) and marks them sending until the lease ends, in a
// transaction of its own that commits before anything is sent. A key's
// group is claimed whole, by its first delivery (the one whose id is the
// group), and counts as its size; the first candidate is taken whatever
// its size. It answers the lease's end, which is also the claim's mark: a
// later claim of the same rows sets a later one.
func (s *Service) claim(ctx context.Context, cfg DeliveryConfig) ([]*claim, int64, error) {
	var out []*claim
	var leaseEnd int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		now := s.clock.Now().UnixMilli()
		leaseEnd = now + cfg.Lease.Milliseconds()
		for _, state := range []int{DeliverySending, DeliveryDue} {
			left := cfg.Batch - len(out)
			if left <= 0 {
				break
			}
			cands, err := store.Collect(ctx, tx, `SELECT id, send_group FROM push_deliveries
				WHERE state = ? AND next_at <= ? AND (send_group = 0 OR send_group = id) ORDER BY next_at, id LIMIT (? + 0)`+tx.SkipLocked(),
				[]any{state, now, left},
				func(r store.Scanner) ([2]int64, error) {
					var c [2]int64
					return c, r.Scan(&c[0], &c[1])
				})
			if err != nil {
				return errs.Wrap(err, "claim push deliveries")
			}
			ids, groups, err := takeCandidates(ctx, tx, cands, left)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				continue
			}
			const set = `UPDATE push_deliveries SET state = 1, attempts = attempts + 1, next_at = ?, updated_at = ? WHERE `
			const returning = ` RETURNING id, push_id, device_id, user_id, attempts, send_key, send_key_at, send_group`
			scan := func(r store.Scanner) (*claim, error) {
				c := &claim{}
				return c, r.Scan(&c.id, &c.pushID, &c.deviceID, &c.userID, &c.attempts, &c.sendKey, &c.sendKeyAt, &c.sendGroup)
			}
			in, args := store.InIDs(ids)
			rows, err := store.Collect(ctx, tx, set+"id IN ("+in+")"+returning, append([]any{leaseEnd, now}, args...), scan)
			if err != nil {
				return errs.Wrap(err, "claim push deliveries")
			}
			out = append(out, rows...)
			if len(groups) > 0 {
				in, args := store.InIDs(groups)
				rows, err := store.Collect(ctx, tx, set+"send_group <> 0 AND send_group IN ("+in+") AND id <> send_group AND state IN (0, 1)"+returning,
					append([]any{leaseEnd, now}, args...), scan)
				if err != nil {
					return errs.Wrap(err, "claim push deliveries")
				}
				out = append(out, rows...)
			}
		}
		return nil
	})
	return out, leaseEnd, err
}

// takeCandidates picks, in order, the candidates (id, send_group) of a
// claim that fit in left deliveries, a group counting as its size (the
// first one always fits). It answers the ids to claim, and the groups
// among them whose other deliveries come too.
func takeCandidates(ctx context.Context, tx *store.Tx, cands [][2]int64, left int) (ids, groups []int64, err error) {
	size := map[int64]int{}
	var all []int64 // the groups among the candidates
	for _, c := range cands {
		if c[1] != 0 {
			all = append(all, c[1])
		}
	}
	if len(all) > 0 {
		in, args := store.InIDs(all)
		rows, err := tx.Query(ctx, `SELECT send_group, COUNT(*) FROM push_deliveries
			WHERE send_group <> 0 AND send_group IN (`+in+`) AND state IN (0, 1) GROUP BY send_group`, args...)
		if err != nil {
			return nil, nil, errs.Wrap(err, "claim push deliveries")
		}
		defer rows.Close()
		for rows.Next() {
			var g int64
			var n int
			if err := rows.Scan(&g, &n); err != nil {
				return nil, nil, errs.Wrap(err, "claim push deliveries")
			}
			size[g] = n
		}
		if err := rows.Err(); err != nil {
			return nil, nil, errs.Wrap(err, "claim push deliveries")
		}
	}
	taken := 0
	for _, c := range cands {
		n := max(size[c[1]], 1)
		if taken > 0 && taken+n > left {
			break
		}
		taken += n
		ids = append(ids, c[0])
		if c[1] != 0 {
			groups = append(groups, c[1])
		}
	}
	return ids, groups, nil
}

// readClaims reads each claim's push and device as they are now.
func (s *Service) readClaims(ctx context.Context, claims []*claim) error {
	byID := make(map[int64]*claim, len(claims))
	ids := make([]int64, 0, len(claims))
	for _, c := range claims {
		byID[c.id] = c
		ids = append(ids, c.id)
	}
	in, args := store.InIDs(ids)
	rows, err := s.db.Query(ctx, `SELECT pd.id, p.title, p.body, d.id IS NOT NULL, COALESCE(d.client_id, ''), COALESCE(d.client_type, ''),
			COALESCE(d.user_id, 0), COALESCE(d.switch, FALSE)
		FROM push_deliveries pd JOIN pushes p ON p.id = pd.push_id LEFT JOIN push_devices d ON d.id = pd.device_id
		WHERE pd.id IN (`+in+`)`, args...)
	if err != nil {
		return errs.Wrap(err, "read push deliveries")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var v claim
		if err := rows.Scan(&id, &v.title, &v.body, &v.device, &v.token, &v.clientType, &v.owner, &v.on); err != nil {
			return errs.Wrap(err, "read push deliveries")
		}
		if c := byID[id]; c != nil {
			c.found, c.title, c.body, c.device, c.token, c.clientType, c.owner, c.on = true, v.title, v.body, v.device, v.token, v.clientType, v.owner, v.on
		}
	}
	return errs.Wrap(rows.Err(), "read push deliveries")
}

// record writes the outcomes of a batch in one transaction, one UPDATE per
// kind of outcome: a delivery is updated only while it is still this
// claim's (its lease end unchanged: a worker that took it over after the
// lease set a later one); a dead token's device is deleted (unless it was
// bound anew meanwhile); and a push whose last delivery settled gets its
// status.
func (s *Service) record(ctx context.Context, claims []*claim, leaseEnd int64) error {
	type outcome struct {
		state           int
		next            int64
		channel, detail string
		// With DeliveryDue: the key as this claim knows it (kept, or
		// none), and the key's group from now on.
		key          string
		keyAt, group int64
	}
	// A delivery due again keeps its key (the call may have reached the
	// vendor); its group is now the first of the key's deliveries due again.
	// The key is written as this claim knows it: one that keepKeys may
	// have written without knowing it (its commit failed on the way back)
	// was never sent under, and goes.
	leaders := map[int64]int64{}
	for _, c := range claims {
		if c.found && c.state == DeliveryDue && c.sendGroup != 0 {
			if l, ok := leaders[c.sendGroup]; !ok || c.id < l {
				leaders[c.sendGroup] = c.id
			}
		}
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.clock.Now()
		pushes := map[int64]bool{}
		groups := map[outcome][]int64{}
		var order []outcome
		for _, c := range claims {
			if !c.found {
				continue
			}
			o := outcome{state: c.state, next: now.UnixMilli(), channel: c.channel, detail: truncate(c.detail, 500)}
			if c.state == DeliveryDue {
				o.next = now.Add(c.delay).UnixMilli()
				o.key, o.keyAt, o.group = c.sendKey, c.sendKeyAt, leaders[c.sendGroup]
			}
			if groups[o] == nil {
				order = append(order, o)
			}
			groups[o] = append(groups[o], c.id)
			if c.state == DeliveryDead {
				if _, err := tx.Exec(ctx, "DELETE FROM push_devices WHERE id = ? AND client_id = ?", c.deviceID, c.token); err != nil {
					return errs.Wrap(err, "forget dead device")
				}
			}
			pushes[c.pushID] = true
		}
		for _, o := range order {
			in, ids := store.InIDs(groups[o])
			q := `UPDATE push_deliveries SET state = ?, next_at = ?, channel = ?, detail = ?, updated_at = ?`
			args := []any{o.state, o.next, o.channel, o.detail, now.UnixMilli()}
			if o.state == DeliveryDue {
				q += ", send_key = ?, send_key_at = ?, send_group = ?"
				args = append(args, o.key, o.keyAt, o.group)
			}
			args = append(append(args, leaseEnd), ids...)
			if _, err := tx.Exec(ctx, q+` WHERE state = 1 AND next_at = ? AND id IN (`+in+`)`, args...); err != nil {
				return errs.Wrap(err, "record push deliveries")
			}
		}
		// Whether a push's last delivery settled is read under the push's
		// row lock, taken after this batch's rows were written: of two
		// batches recording at once, the later sees the other's rows (in
		// id order: no deadlock between two batches of the same pushes).
		ids := slices.Sorted(maps.Keys(pushes))
		for _, id := range ids {
			var locked int64
			if err := tx.QueryRow(ctx, "SELECT id FROM pushes WHERE id = ?"+tx.ForUpdate(), id).Scan(&locked); store.NoRows(err) {
				continue // deleted meanwhile
			} else if err != nil {
				return errs.Wrap(err, "push status")
			}
			if _, err := tx.Exec(ctx, `UPDATE pushes SET updated_at = ?, status = CASE
					WHEN EXISTS (SELECT 1 FROM push_deliveries WHERE push_id = ? AND state = 3) THEN 2 ELSE 1 END
				WHERE id = ? AND status = 0 AND NOT EXISTS (SELECT 1 FROM push_deliveries WHERE push_id = ? AND state IN (0, 1))`,
				now.UnixMilli(), id, id, id); err != nil {
				return errs.Wrap(err, "push status")
			}
		}
		return nil
	})
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// DeliveryCounts are how many deliveries of a push are in each state,
// indexed by state.
type DeliveryCounts [6]int

// Delivery is one push to one device, as admins see it.
type Delivery struct {
	ID         int64
	PushID     int64
	UserID     int64
	ClientID   string
	ClientType string
	State      int
	Attempts   int
	Channel    string
	Detail     string
	NextAt     time.Time
	UpdatedAt  time.Time
}

// Counts answers how many deliveries of push id are in each state.
func (s *Service) Counts(ctx context.Context, id int64) (DeliveryCounts, error) {
	var out DeliveryCounts
	rows, err := s.db.Query(ctx, "SELECT state, COUNT(*) FROM push_deliveries WHERE push_id = ? GROUP BY state", id)
	if err != nil {
		return out, errs.Wrap(err, "count push deliveries")
	}
	defer rows.Close()
	for rows.Next() {
		var state, n int
		if err := rows.Scan(&state, &n); err != nil {
			return out, errs.Wrap(err, "count push deliveries")
		}
		if state >= 0 && state < len(out) {
			out[state] = n
		}
	}
	return out, errs.Wrap(rows.Err(), "count push deliveries")
}

// deliveryCursor pages a push's deliveries.
const deliveryCursor = store.IDCursor("d1.")

// MaxDeliveryPage is the longest page of Deliveries.
const MaxDeliveryPage = 100

// DeliveryPage is a page of a push's deliveries, newest first; Next is the
// cursor of the page after it ("" at the end).
type DeliveryPage struct {
	Items []Delivery
	Next  string
}

// Deliveries lists the deliveries of push id, newest first, those in the
// state named state only ("" for all: see DeliveryStates), from cursor ("":
// the first page), limit of them (0: 20; at most MaxDeliveryPage).
func (s *Service) Deliveries(ctx context.Context, id int64, state, cursor string, limit int) (DeliveryPage, error) {
	st := -1
	if state != "" {
		st = slices.Index(DeliveryStates, state)
		if st < 0 {
			return DeliveryPage{}, errs.InvalidField("state", "state must be one of "+strings.Join(DeliveryStates, ", "))
		}
	}
	switch {
	case limit == 0:
		limit = 20
	case limit < 1 || limit > MaxDeliveryPage:
		return DeliveryPage{}, errs.InvalidField("limit", fmt.Sprintf("limit must be 1 to %d", MaxDeliveryPage))
	}
	before, err := deliveryCursor.Decode(cursor)
	if err != nil {
		return DeliveryPage{}, err
	}
	if _, err := s.Push(ctx, id); err != nil {
		return DeliveryPage{}, err
	}
	q := `SELECT id, push_id, user_id, client_id, client_type, state, attempts, channel, detail, next_at, updated_at
		FROM push_deliveries WHERE push_id = ? AND id < ?`
	args := []any{id, before}
	if st >= 0 {
		q += " AND state = ?"
		args = append(args, st)
	}
	q += " ORDER BY id DESC LIMIT (? + 0)"
	args = append(args, limit+1)
	items, err := store.Collect(ctx, s.db, q, args, func(r store.Scanner) (Delivery, error) {
		var d Delivery
		return d, r.Scan(&d.ID, &d.PushID, &d.UserID, &d.ClientID, &d.ClientType, &d.State, &d.Attempts, &d.Channel, &d.Detail,
			(*store.Millis)(&d.NextAt), (*store.Millis)(&d.UpdatedAt))
	})
	if err != nil {
		return DeliveryPage{}, errs.Wrap(err, "list push deliveries")
	}
	page := DeliveryPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.Next = deliveryCursor.Encode(items[limit-1].ID)
	}
	return page, nil
}

// DeliveryRetention is how long the record of a settled delivery is kept
// (the counts and the list admins read); the push itself stays.
const DeliveryRetention = 30 * 24 * time.Hour

// SweepDeliveries deletes the records of deliveries settled more than
// DeliveryRetention ago, a few thousand a statement (the janitor's).
func (s *Service) SweepDeliveries(ctx context.Context) error {
	cutoff := s.clock.Now().Add(-DeliveryRetention).UnixMilli()
	return errs.Wrap(s.db.DeleteChunks(ctx, 5000, `DELETE FROM push_deliveries WHERE id IN
		(SELECT id FROM push_deliveries WHERE state IN (2, 3, 4, 5) AND next_at < ? LIMIT (? + 0))`, cutoff), "sweep push deliveries")
}
