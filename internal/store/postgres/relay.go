package postgres

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"parley/internal/forum"
)

// reconnectDelay is how long Relay waits before connecting again after
// losing its connection.
const reconnectDelay = time.Second

// Relay listens on the schema's channel, on a connection of its own (a
// listening connection cannot serve the pool), and reconnects when it is
// lost. The events written to the outbox are announced on commit, a line
// "kind board number" each (functions/events_notify.sql).
func (s *Store) Relay(ctx context.Context, deliver func(forum.Event), lost func()) error {
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			cfg := s.pool.Config().ConnConfig
			// A listening connection only reads: were the network to drop
			// it silently, nothing else would notice. Probe it often
			// (pgx's default waits five minutes before the first probe).
			cfg.DialFunc = (&net.Dialer{KeepAliveConfig: net.KeepAliveConfig{
				Enable: true, Idle: 5 * time.Second, Interval: 5 * time.Second, Count: 3,
			}}).DialContext
			return pgx.ConnectConfig(ctx, cfg)
		},
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() != nil {
				return // stopping, not failing
			}
			s.log.WarnContext(ctx, "postgres: relaying events", "channel", s.channel, "err", err)
		},
		ReconnectDelay: reconnectDelay,
	}
	l.Handle(s.channel, announcements{deliver: deliver, lost: lost})
	err := l.Listen(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// announcements hands each notification's event to deliver; once
// listening, after every (re)connection, it calls lost, since events
// committed while no connection listened were announced to nobody.
type announcements struct {
	deliver func(forum.Event)
	lost    func()
}

func (a announcements) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	for line := range strings.SplitSeq(n.Payload, "\n") {
		var e forum.Event
		if _, err := fmt.Sscanf(line, "%s %d %d", &e.Kind, &e.BoardID, &e.Number); err != nil {
			return fmt.Errorf("notification %q: %w", line, err)
		}
		a.deliver(e)
	}
	return nil
}

func (a announcements) HandleBacklog(context.Context, string, *pgx.Conn) error {
	a.lost()
	return nil
}
