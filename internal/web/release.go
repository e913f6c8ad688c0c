package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"runtime/debug"
	"sync"
)

// release names this build in the pages' ETags: a new build may render a
// board that did not change differently, and instances of one build must
// answer each other's conditional requests. It is the commit the binary
// was built from, or, when that is unknown or the tree had changes, a hash
// of the executable itself; only when neither can be read is it random,
// as a process of its own.
var release = sync.OnceValue(func() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		var revision, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if revision != "" && modified == "false" {
			return revision[:min(12, len(revision))]
		}
	}
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			defer f.Close()
			h := sha256.New()
			if _, err := io.Copy(h, f); err == nil {
				return hex.EncodeToString(h.Sum(nil)[:6])
			}
		}
	}
	return rand.Text()[:12]
})
