package realtime

// ListenPID is the server process of p's listening connection (0 while it
// reconnects).
func ListenPID(p *Postgres) uint32 { return p.listenPID() }
