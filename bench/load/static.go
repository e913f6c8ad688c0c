package load

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Static serves body with status 200 and the given Content-Type for any
// method, path and query, on a loopback port of its own. It does what a
// page handler must do at the least (set the headers, write the bytes), so
// the rate it reaches for a page of the same size is the ceiling that page
// can reach on this machine; measured with the same Targets as the page,
// since it ignores the path and query. It returns the base URL, without a
// trailing slash, and a func that stops the server and waits for it.
func Static(body []byte, contentType string) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	body = bytes.Clone(body)
	length := strconv.Itoa(len(body))
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			h := w.Header()
			h.Set("Content-Type", contentType)
			h.Set("Content-Length", length)
			w.Write(body)
		}),
		// The timeouts of a production server, since they cost it
		// deadline updates on every request.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		// Serve only fails when the listener does, which stop causes.
		srv.Serve(ln)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			srv.Close()
			<-served
		})
	}
	return "http://" + ln.Addr().String(), stop, nil
}
