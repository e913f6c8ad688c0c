package postgres

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// reconnectDelay is how long Follow waits before connecting again after
// losing its connection.
const reconnectDelay = time.Second

// Follow listens on the schema's channel, on a connection of its own (a
// listening connection cannot serve the pool), and reconnects when it is
// lost. Each post notifies on commit, with "board number" as payload.
func (s *Store) Follow(ctx context.Context, posted func(boardID, number int64), lost func()) error {
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
			s.log.WarnContext(ctx, "postgres: following new messages", "channel", s.channel, "err", err)
		},
		ReconnectDelay: reconnectDelay,
	}
	l.Handle(s.channel, announcements{posted: posted, lost: lost})
	err := l.Listen(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// announcements hands each notification to posted; once listening, after
// every (re)connection, it calls lost, since posts committed while no
// connection listened were announced to nobody.
type announcements struct {
	posted func(boardID, number int64)
	lost   func()
}

func (a announcements) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	var board, number int64
	if _, err := fmt.Sscanf(n.Payload, "%d %d", &board, &number); err != nil {
		return fmt.Errorf("notification %q: %w", n.Payload, err)
	}
	a.posted(board, number)
	return nil
}

func (a announcements) HandleBacklog(context.Context, string, *pgx.Conn) error {
	a.lost()
	return nil
}
