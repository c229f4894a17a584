package cachesync

import "time"

// SetRetry changes the first wait after a failed publish (tests).
func SetRetry(s *Sync, d time.Duration) { s.retry = d }
