package sms

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds one message sent through a vendor's API (Aliyun,
// Tencent). The vendors' SDKs make a single attempt: SendSms is not
// idempotent, and a second try after a timeout could deliver two codes.
const DefaultTimeout = 5 * time.Second

// ParseEndpoint reads an endpoint setting: an absolute http or https URL of
// a host, with an optional port and no path, query or user. It returns the
// scheme and host[:port]. The URL is not echoed in errors.
func ParseEndpoint(raw string) (scheme, host string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", "", fmt.Errorf("invalid endpoint: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", "", fmt.Errorf("invalid endpoint: want http:// or https://, not %q", u.Scheme)
	}
	if u.Host == "" {
		return "", "", errors.New("invalid endpoint: missing host")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", errors.New("invalid endpoint: want scheme://host[:port] only")
	}
	return u.Scheme, u.Host, nil
}

// missing names the empty ones of the named settings.
func missing(vendor string, fields ...[2]string) error {
	var names []string
	for _, f := range fields {
		if strings.TrimSpace(f[1]) == "" {
			names = append(names, f[0])
		}
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("sms %s: missing %s", vendor, strings.Join(names, ", "))
}

func timeoutOr(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultTimeout
	}
	return d
}

// requestID is " (request id)" for an error message, or "".
func requestID(id string) string {
	if id == "" {
		return ""
	}
	return " (request " + id + ")"
}
