package account

import (
	"context"
	"net/url"
	"strings"

	"plaza/internal/errs"
	"plaza/internal/valid"
)

// Media is what the account core asks of the media core: the media id an
// avatar reference names, and the URL a media is served at.
type Media interface {
	// Resolve maps a reference to an uploaded media to its id: Invalid
	// when ref is no media reference, NotFound when nothing was uploaded
	// under it.
	Resolve(ctx context.Context, ref string) (string, error)
	// URL is where the media of id is served; URL("") is the base.
	URL(id string) string
}

// An avatar is, for every face, one of:
//
//   - "" (none);
//   - an uploaded media: its id in any form the media core resolves
//     ("<uuid>", "<uuid>.<ext>", the yuanyi app's "<uuid>.jpg"), or the
//     URL plaza serves it at (the media base URL and the id, as the member
//     face shows it), stored as the media id;
//   - an absolute http(s) URL of an image elsewhere (the member document's
//     "头像地址"), without credentials, spaces or control characters,
//     stored as given.
//
// Anything else is Invalid (field avatar).
func (s *Service) avatar(ctx context.Context, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if err := valid.Line("avatar", v, MaxAvatar); err != nil {
		return "", err
	}
	if s.media != nil {
		ref := v
		if rest, ok := strings.CutPrefix(v, s.media.URL("")); ok {
			ref = rest
		}
		id, err := s.media.Resolve(ctx, ref)
		switch {
		case err == nil:
			return id, nil
		case errs.Is(err, errs.NotFound):
			return "", errs.InvalidField("avatar", "avatar names no uploaded media")
		case !errs.Is(err, errs.Invalid):
			return "", err
		}
	}
	if isImageURL(v) {
		return v, nil
	}
	return "", errs.InvalidField("avatar", "avatar must be an uploaded media id or an http(s) URL")
}

// isImageURL tells whether v is an absolute http(s) URL with a host, no
// user or password, and no spaces or control characters.
func isImageURL(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(v)
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	return strings.EqualFold(u.Scheme, "http") || strings.EqualFold(u.Scheme, "https")
}

// AvatarURL is where a stored avatar can be fetched: a media id becomes
// the URL plaza serves it at; a URL stays as it is.
func (s *Service) AvatarURL(avatar string) string {
	if s.media == nil || avatar == "" || strings.Contains(avatar, "/") {
		return avatar
	}
	return s.media.URL(avatar)
}
