package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"parley/internal/web/view"
)

//go:embed static
var staticFS embed.FS

// statics serves the embedded stylesheet and script at addresses that hold
// a hash of their content, so browsers may keep them for a year: a new
// release changes the address, never the content behind one.
type statics struct {
	files  map[string]staticFile // by hashed name
	assets view.Assets
}

type staticFile struct {
	body        []byte
	contentType string
	etag        string
}

func loadStatics() *statics {
	st := &statics{files: make(map[string]staticFile)}
	hashed := make(map[string]string) // plain name -> URL
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:12]
		name := path.Base(p)
		ext := path.Ext(name)
		hashedName := strings.TrimSuffix(name, ext) + "." + hash + ext
		st.files[hashedName] = staticFile{body: body, contentType: mime.TypeByExtension(ext), etag: `"` + hash + `"`}
		hashed[name] = "/static/" + hashedName
		return nil
	})
	if err != nil {
		panic("web: embedded static files: " + err.Error()) // the binary itself is broken
	}
	st.assets = view.Assets{CSS: hashed["parley.css"], JS: hashed["parley.js"], Icon: hashed["favicon.svg"]}
	return st
}

func (st *statics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := st.files[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", f.etag)
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(f.body)
}
