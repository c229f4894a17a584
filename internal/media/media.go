// Package media is the media core: ids issued to users before their files
// are known, uploads checked to be images and stored through a storage
// provider, and the resolution of the references clients make to them.
//
// A media id is issued as "<uuid>.jpeg" ("e4cbdd56-855a-11ee-bcb6-5785abdd6148.jpeg",
// the shape of the ids in the yuanyi document) reserved for its user. The
// upload of that id stores the bytes and fixes the media's final id,
// "<uuid>.<ext>" with ext one of jpeg, png, gif, webp, as the bytes decode
// (for a JPEG, the issued id itself). The final id names the stored object
// and its stable URL; the issued id keeps naming the media. ref.go holds
// the shapes.
package media

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"plaza/internal/account"
	"plaza/internal/clock"
	"plaza/internal/errs"
	storage "plaza/internal/provider/media"
	"plaza/internal/ratelimit"
	"plaza/internal/store"
)

// Reason marks every refusal of a media id or file by this package
// (errs.Error.Reason, whatever the kind: unknown, expired or used id, a
// file that is no acceptable image), so that a face can tell a bad media
// apart from other failures of the same kind.
var Reason = errs.NewReason("media.refused")

// Status is where a media is in its life.
type Status string

const (
	Issued   Status = "issued"   // reserved, waiting for its upload
	Storing  Status = "storing"  // its upload is being stored
	Uploaded Status = "uploaded" // stored: it can be referenced and served
)

// Config is the media policy.
type Config struct {
	IssueTTL   time.Duration // an issued id must be uploaded within this
	MaxSize    int64         // bytes of one file
	MaxPending int           // issued ids per user waiting for their upload
	PublicURL  string        // base of the URLs handed out, ending in "/"

	// IgnoreDeclaredType accepts a file whatever content type the client
	// declared for it (the bytes alone decide), for clients whose HTTP
	// library guesses the type from a file name that lies.
	IgnoreDeclaredType bool
}

// DefaultConfig is one hour, 10 MiB, 100 pending ids, URLs under /media/.
func DefaultConfig() Config {
	return Config{IssueTTL: time.Hour, MaxSize: 10 << 20, MaxPending: 100, PublicURL: "/media/"}
}

// Media is one issued or uploaded media.
type Media struct {
	ID          string // "<uuid>.<ext>"; "" until uploaded
	UUID        string // the issued id
	OwnerID     int64  // the user it was issued to; 0 when none
	Status      Status
	Ext         string // jpeg, png, gif or webp; "" until uploaded
	ContentType string
	Size        int64
	Width       int
	Height      int
	CreatedAt   time.Time
	UploadedAt  time.Time
}

// Service is the media core.
type Service struct {
	db      *store.DB
	clock   clock.Clock
	storage storage.Storage
	cfg     Config
	limiter ratelimit.Limiter // of anonymous uploads; nil: none are taken
}

// New returns the media service; zero fields of cfg take their defaults.
func New(db *store.DB, c clock.Clock, st storage.Storage, cfg Config) *Service {
	d := DefaultConfig()
	if cfg.IssueTTL <= 0 {
		cfg.IssueTTL = d.IssueTTL
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = d.MaxSize
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = d.MaxPending
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = d.PublicURL
	}
	if !strings.HasSuffix(cfg.PublicURL, "/") {
		cfg.PublicURL += "/"
	}
	return &Service{db: db, clock: c, storage: st, cfg: cfg}
}

// WithLimiter lets the service take anonymous uploads (SaveAnonymous),
// counted per client address by l.
func (s *Service) WithLimiter(l ratelimit.Limiter) *Service {
	s.limiter = l
	return s
}

// MaxSize is the largest file accepted, in bytes.
func (s *Service) MaxSize() int64 { return s.cfg.MaxSize }

// URL is where the media of id is served: the public base URL and the id.
func (s *Service) URL(id string) string { return s.cfg.PublicURL + id }

// Ping checks the storage.
func (s *Service) Ping(ctx context.Context) error { return s.storage.Ping(ctx) }

func fail(k errs.Kind, field, msg string) error {
	return &errs.Error{Kind: k, Reason: Reason, Field: field, Msg: msg}
}

// Issue reserves a new media id for the user, "<uuid>.jpeg", to be
// uploaded within the issue TTL, once. A user may hold MaxPending ids
// waiting at once (RateLimited beyond).
func (s *Service) Issue(ctx context.Context, userID int64) (string, error) {
	uuid, err := s.issue(ctx, userID)
	if err != nil {
		return "", err
	}
	return issuedID(uuid), nil
}

// issue reserves a new uuid for the user (the row's key).
func (s *Service) issue(ctx context.Context, userID int64) (string, error) {
	if userID <= 0 {
		return "", fail(errs.Invalid, "", "media ids are issued to signed-in users only")
	}
	now := s.clock.Now()
	n, err := store.Count(ctx, s.db, "SELECT COUNT(*) FROM media WHERE owner_id = ? AND status = 'issued' AND created_at > ?",
		userID, now.Add(-s.cfg.IssueTTL).UnixMilli())
	if err != nil {
		return "", errs.Wrap(err, "count pending media")
	}
	if n >= s.cfg.MaxPending {
		// Not a refusal of a media (no Reason): a limit, "too frequent".
		return "", errs.E(errs.RateLimited, "too many media ids wait for their upload; upload them or wait")
	}
	id := newUUID()
	_, err = s.db.Exec(ctx, "INSERT INTO media (id, owner_id, status, created_at) VALUES (?, ?, 'issued', ?)", id, userID, now.UnixMilli())
	if store.IsForeignKeyViolation(err) {
		return "", errs.R(errs.NotFound, account.ReasonNotRegistered, "no such user")
	}
	if err != nil {
		return "", errs.Wrap(err, "issue media id")
	}
	return id, nil
}

const columns = "id, owner_id, status, ext, content_type, size, width, height, created_at, uploaded_at"

func scan(r store.Scanner) (Media, error) {
	var m Media
	var owner *int64
	var status string
	err := r.Scan(&m.UUID, &owner, &status, &m.Ext, &m.ContentType, &m.Size, &m.Width, &m.Height,
		(*store.Millis)(&m.CreatedAt), (*store.Millis)(&m.UploadedAt))
	if err != nil {
		return m, err
	}
	if owner != nil {
		m.OwnerID = *owner
	}
	m.Status = Status(status)
	if m.Status == Uploaded {
		m.ID = mediaID(m.UUID, m.Ext)
	}
	if m.Status != Uploaded {
		m.UploadedAt = time.Time{}
	}
	return m, nil
}

// byUUID reads one media row.
func (s *Service) byUUID(ctx context.Context, uuid string) (Media, error) {
	m, err := scan(s.db.QueryRow(ctx, "SELECT "+columns+" FROM media WHERE id = ?", uuid))
	if store.NoRows(err) {
		return m, fail(errs.NotFound, "media_id", "no such media id")
	}
	return m, errs.Wrap(err, "read media")
}

// uploadable refuses a media that cannot take an upload now.
func (s *Service) uploadable(m Media, now time.Time) error {
	if m.Status != Issued {
		return fail(errs.Conflict, "media_id", "this media id was used already; ask for a new one")
	}
	if !m.CreatedAt.After(now.Add(-s.cfg.IssueTTL)) {
		return fail(errs.Expired, "media_id", "this media id has expired; ask for a new one")
	}
	return nil
}

// Upload stores the file of an issued id and returns the uploaded media,
// whose ID is the final id. ref is the issued id (an extension after it is
// ignored). contentType is the type the client declared for the file, if
// any: it must match the bytes.
//
// Refusals (all with Reason): NotFound for an unknown id, Expired for one
// issued longer than the issue TTL ago, Conflict for one used already,
// Invalid for no file, a file over MaxSize, or one that is not a JPEG,
// PNG, GIF or WebP image of the declared type. Nothing is stored then, and
// the id stays usable unless it was used or expired.
func (s *Service) Upload(ctx context.Context, refText string, body io.Reader, contentType string) (Media, error) {
	r, ok := parseRef(refText)
	if !ok {
		return Media{}, fail(errs.Invalid, "media_id", "media_id must be the id get_media_id gave")
	}
	m, err := s.byUUID(ctx, r.uuid)
	if err != nil {
		return Media{}, err
	}
	if err := s.uploadable(m, s.clock.Now()); err != nil {
		return Media{}, err
	}
	data, err := s.read(body)
	if err != nil {
		return Media{}, err
	}
	return s.store(ctx, m.UUID, data, contentType)
}

// read takes the whole file, at most MaxSize bytes.
func (s *Service) read(body io.Reader) ([]byte, error) {
	if body == nil {
		return nil, fail(errs.Invalid, "file", "no file was sent")
	}
	data, err := io.ReadAll(io.LimitReader(body, s.cfg.MaxSize+1))
	if err != nil {
		return nil, fail(errs.Invalid, "file", "the file could not be read")
	}
	if int64(len(data)) > s.cfg.MaxSize {
		return nil, s.TooLarge()
	}
	if len(data) == 0 {
		return nil, fail(errs.Invalid, "file", "the file is empty")
	}
	return data, nil
}

// TooLarge is the refusal of a file over MaxSize, for callers that find
// it out themselves (say, from a capped request body).
func (s *Service) TooLarge() error {
	return fail(errs.Invalid, "file", "the file is larger than "+sizeText(s.cfg.MaxSize))
}

// sizeText shows a byte count the way the settings take it.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// store checks data, claims the issued uuid, stores the object and marks
// the media uploaded.
func (s *Service) store(ctx context.Context, uuid string, data []byte, contentType string) (Media, error) {
	ext, cfg, err := sniff(data)
	if err != nil {
		return Media{}, err
	}
	ct := formats[ext]
	if d := declared(contentType); d != "" && d != ct && !s.cfg.IgnoreDeclaredType {
		return Media{}, fail(errs.Invalid, "file", fmt.Sprintf("the file is a %s image, not %s", strings.ToUpper(ext), short(d)))
	}
	now := s.clock.Now()
	res, err := s.db.Exec(ctx, `UPDATE media SET status = 'storing', ext = ?, content_type = ?, size = ?, width = ?, height = ?, uploaded_at = ?
		WHERE id = ? AND status = 'issued' AND created_at > ?`,
		ext, ct, len(data), cfg.Width, cfg.Height, now.UnixMilli(), uuid, now.Add(-s.cfg.IssueTTL).UnixMilli())
	if err != nil {
		return Media{}, errs.Wrap(err, "claim media id")
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		// Another upload took it, or it expired while the file came.
		m, err := s.byUUID(ctx, uuid)
		if err != nil {
			return Media{}, err
		}
		if err := s.uploadable(m, now); err != nil {
			return Media{}, err
		}
		return Media{}, errs.Wrap(fmt.Errorf("media %s: claim changed no row", uuid), "claim media id")
	}
	id := mediaID(uuid, ext)
	// Once claimed, the row must leave "storing" whatever the client does.
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.storage.Put(ctx, id, bytes.NewReader(data), int64(len(data)), ct); err != nil {
		_, rerr := s.db.Exec(bg, `UPDATE media SET status = 'issued', ext = '', content_type = '', size = 0, width = 0, height = 0, uploaded_at = 0
			WHERE id = ? AND status = 'storing'`, uuid)
		if rerr != nil {
			err = fmt.Errorf("%w (and releasing the id: %v)", err, rerr)
		}
		return Media{}, errs.Wrap(err, "store media")
	}
	if _, err := s.db.Exec(bg, "UPDATE media SET status = 'uploaded' WHERE id = ? AND status = 'storing'", uuid); err != nil {
		return Media{}, errs.Wrap(err, "mark media uploaded")
	}
	return s.byUUID(ctx, uuid)
}

// Save issues an id to the user and uploads data under it at once: for
// faces whose clients send a file without asking for an id first.
func (s *Service) Save(ctx context.Context, userID int64, body io.Reader, contentType string) (Media, error) {
	data, err := s.read(body)
	if err != nil {
		return Media{}, err
	}
	if _, _, err := sniff(data); err != nil {
		return Media{}, err
	}
	uuid, err := s.issue(ctx, userID)
	if err != nil {
		return Media{}, err
	}
	return s.storeIssued(ctx, uuid, data, contentType)
}

// SaveAnonymous is Save for a client not signed in (the live face's
// avatar, uploaded before its sign-up): the media has no owner, and a
// client address may upload MaxPending files per IssueTTL.
func (s *Service) SaveAnonymous(ctx context.Context, ip string, body io.Reader, contentType string) (Media, error) {
	if s.limiter == nil {
		return Media{}, fail(errs.Invalid, "", "uploads need a signed-in user here")
	}
	data, err := s.read(body)
	if err != nil {
		return Media{}, err
	}
	if _, _, err := sniff(data); err != nil {
		return Media{}, err
	}
	res, err := s.limiter.Hit(ctx, "media:anon:"+ip, s.cfg.MaxPending, s.cfg.IssueTTL)
	if err != nil {
		return Media{}, err
	}
	if !res.Allowed {
		return Media{}, errs.E(errs.RateLimited, "too many uploads from this address; wait")
	}
	return s.saveUnowned(ctx, data, contentType)
}

// SaveUnowned stores a file with no owner and no rate limit: for a caller
// the face has already trusted (an admin's upload through the admin face).
func (s *Service) SaveUnowned(ctx context.Context, body io.Reader, contentType string) (Media, error) {
	data, err := s.read(body)
	if err != nil {
		return Media{}, err
	}
	if _, _, err := sniff(data); err != nil {
		return Media{}, err
	}
	return s.saveUnowned(ctx, data, contentType)
}

// saveUnowned issues an id with no owner to checked data and stores it.
func (s *Service) saveUnowned(ctx context.Context, data []byte, contentType string) (Media, error) {
	uuid := newUUID()
	_, err := s.db.Exec(ctx, "INSERT INTO media (id, owner_id, status, created_at) VALUES (?, NULL, 'issued', ?)", uuid, s.clock.Now().UnixMilli())
	if err != nil {
		return Media{}, errs.Wrap(err, "issue media id")
	}
	return s.storeIssued(ctx, uuid, data, contentType)
}

// storeIssued stores data under a uuid just issued for it, and removes the
// id again when that fails.
func (s *Service) storeIssued(ctx context.Context, uuid string, data []byte, contentType string) (Media, error) {
	m, err := s.store(ctx, uuid, data, contentType)
	if err != nil {
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		s.db.Exec(bg, "DELETE FROM media WHERE id = ? AND status = 'issued'", uuid)
	}
	return m, err
}

// Resolve maps a reference to an uploaded media to its id "<uuid>.<ext>".
// A reference is the issued id ("<uuid>.jpeg", or a bare uuid as issued
// before), the media id, or either followed by ".jpg", the yuanyi
// client's habit (`media_id + ".jpg"`): "<uuid>.jpeg" and "<uuid>.jpg"
// name the media of that uuid whatever its format, "<uuid>.png.jpg" the
// PNG of that uuid. Invalid when ref is none of these; NotFound when no
// such media was uploaded.
func (s *Service) Resolve(ctx context.Context, ref string) (string, error) {
	m, err := s.Get(ctx, ref)
	return m.ID, err
}

// ResolveAll resolves refs in one query, in order.
func (s *Service) ResolveAll(ctx context.Context, refs []string) ([]string, error) {
	if len(refs) == 0 {
		return []string{}, nil
	}
	parsed := make([]ref, len(refs))
	var args []any
	seen := map[string]bool{}
	for i, text := range refs {
		r, ok := parseRef(text)
		if !ok {
			return nil, fail(errs.Invalid, "", short(text)+" is not a media id")
		}
		parsed[i] = r
		if !seen[r.uuid] {
			seen[r.uuid] = true
			args = append(args, r.uuid)
		}
	}
	found, err := store.Collect(ctx, s.db, "SELECT "+columns+" FROM media WHERE status = 'uploaded' AND id IN ("+store.Placeholders(len(args))+")", args, scan)
	if err != nil {
		return nil, errs.Wrap(err, "resolve media")
	}
	byUUID := make(map[string]Media, len(found))
	for _, m := range found {
		byUUID[m.UUID] = m
	}
	out := make([]string, len(refs))
	for i, r := range parsed {
		m, ok := byUUID[r.uuid]
		if !ok || !r.matches(m.Ext) {
			return nil, fail(errs.NotFound, "", "no uploaded media "+short(refs[i]))
		}
		out[i] = m.ID
	}
	return out, nil
}

// Get returns the uploaded media a reference names (as Resolve reads it).
func (s *Service) Get(ctx context.Context, refText string) (Media, error) {
	r, ok := parseRef(refText)
	if !ok {
		return Media{}, fail(errs.Invalid, "", short(refText)+" is not a media id")
	}
	m, err := s.byUUID(ctx, r.uuid)
	if err != nil || m.Status != Uploaded || !r.matches(m.Ext) {
		if err != nil && !errs.Is(err, errs.NotFound) {
			return Media{}, err
		}
		return Media{}, fail(errs.NotFound, "", "no uploaded media "+short(refText))
	}
	return m, nil
}

// Open returns an uploaded media and its bytes; the caller closes them.
func (s *Service) Open(ctx context.Context, refText string) (Media, *storage.Object, error) {
	m, err := s.Get(ctx, refText)
	if err != nil {
		return m, nil, err
	}
	o, err := s.storage.Open(ctx, m.ID)
	if errs.Is(err, errs.NotFound) {
		return m, nil, errs.Wrap(fmt.Errorf("media %s is uploaded but its object is missing", m.ID), "open media")
	}
	if err != nil {
		return m, nil, err
	}
	return m, o, nil
}

// Sweep forgets issued ids that expired unused, and uploads that died half
// way (the process stopped while storing them) with whatever object they
// left.
func (s *Service) Sweep(ctx context.Context) error {
	cutoff := s.clock.Now().Add(-s.cfg.IssueTTL).UnixMilli()
	if _, err := s.db.Exec(ctx, "DELETE FROM media WHERE status = 'issued' AND created_at <= ?", cutoff); err != nil {
		return errs.Wrap(err, "sweep media ids")
	}
	dead, err := store.Collect(ctx, s.db, "SELECT "+columns+" FROM media WHERE status = 'storing' AND uploaded_at <= ? LIMIT 100", []any{cutoff}, scan)
	if err != nil {
		return errs.Wrap(err, "sweep media uploads")
	}
	for _, m := range dead {
		if err := s.storage.Delete(ctx, mediaID(m.UUID, m.Ext)); err != nil {
			return err
		}
		if _, err := s.db.Exec(ctx, "DELETE FROM media WHERE id = ? AND status = 'storing'", m.UUID); err != nil {
			return errs.Wrap(err, "sweep media uploads")
		}
	}
	return nil
}
