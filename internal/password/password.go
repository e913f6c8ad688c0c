// Package password hashes passwords with argon2id into self-describing PHC
// strings, so parameters can be raised later without breaking old hashes.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Default follows OWASP's minimum for argon2id (19 MiB, 2 passes); it costs
// about 150 ms on a small server, which is why callers bound concurrency.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Fast is for tests only: it keeps the algorithm and format but costs
// microseconds.
var Fast = Params{Memory: 64, Time: 1, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

var b64 = base64.RawStdEncoding

// Hash returns the PHC string of password under p with a fresh random salt.
func Hash(password string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformed reports a stored hash that is not an argon2id PHC string.
var ErrMalformed = errors.New("password: malformed hash")

// Verify reports whether password matches the PHC string encoded.
func Verify(password, encoded string) (bool, error) {
	h, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), h.salt, h.p.Time, h.p.Memory, h.p.Threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1, nil
}

// Check reports ErrMalformed unless encoded is a PHC string Verify can use,
// without the cost of hashing: an import checks every hash it stores.
func Check(encoded string) error {
	_, err := decode(encoded)
	return err
}

type hash struct {
	p         Params
	salt, key []byte
}

func decode(encoded string) (hash, error) {
	var h hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return h, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.p.Memory, &h.p.Time, &h.p.Threads); err != nil {
		return h, ErrMalformed
	}
	if h.p.Time == 0 || h.p.Threads == 0 || h.p.Memory == 0 || h.p.Memory > 1<<22 {
		return h, ErrMalformed
	}
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil {
		return h, ErrMalformed
	}
	h.key, err = b64.DecodeString(parts[5])
	if err != nil || len(h.key) == 0 || len(h.key) > 1024 {
		return h, ErrMalformed
	}
	return h, nil
}
