package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"parley/internal/forum"
)

// Options tune an import.
type Options struct {
	// Render turns a message's Markdown into the HTML stored beside it.
	Render func(markdown string) string
	// SkipExisting leaves the messages a board has already as they are and
	// imports the others, where otherwise the first such message stops the
	// import.
	SkipExisting bool
	// Progress, when set, is called after each batch of messages written,
	// always from the same goroutine.
	Progress func(Progress)
	// MaxErrors is how many bad lines are reported before reading stops.
	// Default 20.
	MaxErrors int
}

// Progress is how far an import has come.
type Progress struct {
	Bytes    int64 // of the file, read
	Messages int64 // written, not yet all committed
}

// Summary is what an import stored, and what it found stored already.
type Summary struct {
	Users, Boards, Messages int64 // created, committed
	UsersKept               int64 // user records naming a member who exists: left as they are
	Skipped                 int64 // messages a board had already (Options.SkipExisting)
}

// LineError is a line of the file that cannot be imported.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// maxLine bounds a line: a body at forum.MaxBody with every byte escaped
// (\u0000 is six) still fits.
const maxLine = 1 << 20

// batchSize is how many records travel together from the reader through
// the renderers to the writer: enough to keep channel traffic small, few
// enough that a batch's bodies stay in the cache.
const batchSize = 256

// Import reads a file in the export format from r and stores it in st.
//
// Numbers, authors, times, replies and removals are kept; members a
// message or board names who do not exist are created without a password;
// HTML is rendered from each body; counters are rebuilt. Each board is
// stored whole or not at all: at the first bad line writing stops, the
// boards before it stay, and reading goes on to report up to
// Options.MaxErrors bad lines, each as a *LineError.
//
// One goroutine reads and checks the lines, the renderers (one per CPU)
// turn bodies into HTML, and one goroutine writes, in the file's order.
func Import(ctx context.Context, st forum.Store, r io.Reader, opt Options) (Summary, error) {
	if opt.Render == nil {
		return Summary{}, errors.New("import: Options.Render is required")
	}
	if opt.MaxErrors <= 0 {
		opt.MaxErrors = 20
	}
	im, err := newImporter(ctx, st, opt)
	if err != nil {
		return Summary{}, err
	}
	ld, err := st.Load(ctx)
	if err != nil {
		return Summary{}, err
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs, ordered := make(chan *batch, 8), make(chan *batch, 8)
	var renderers sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		renderers.Go(func() {
			for b := range jobs {
				for i := range b.ops {
					if m := b.ops[i].msg; m != nil && ctx.Err() == nil {
						forum.Derive(opt.Render, m)
					}
				}
				close(b.rendered)
			}
		})
	}
	// The writer owns the Loader: once the reader has sent its last batch
	// — at the end, or at the first bad line — the writer makes what was
	// sent and closes the Loader, which discards the unit not committed
	// and lets go of the database while the reader checks the rest.
	w := &writer{ld: ld, progress: opt.Progress, read: &im.read}
	written := make(chan error, 1)
	go func() {
		err := w.run(ctx, ordered)
		ld.Close()
		if err != nil {
			cancel(err)
		}
		written <- err
	}()
	// A send gives up when the writer has failed: readAll then stops.
	im.send = func(b *batch) {
		for _, ch := range []chan *batch{jobs, ordered} {
			select {
			case ch <- b:
			case <-ctx.Done():
				return
			}
		}
	}
	im.done = sync.OnceFunc(func() {
		close(jobs)
		close(ordered)
	})
	readErr := im.readAll(ctx, r)
	im.done()
	writeErr := <-written
	renderers.Wait()

	sum := w.sum
	sum.UsersKept, sum.Skipped = im.kept, im.skipped
	if writeErr != nil {
		return sum, writeErr
	}
	if readErr != nil {
		return sum, readErr
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	return sum, errors.Join(im.errs...)
}
