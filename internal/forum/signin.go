package forum

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"parley/internal/password"
	"parley/internal/ratelimit"
)

// errSignIn is the one answer to a failed sign-in: it must not tell whether
// the name exists.
var errSignIn = Errorf(CodeUnauthorized, "wrong name or password")

// Credentials are what a member signs in with.
type Credentials struct {
	Name, Password string
	// From is the client's address, for rate limiting.
	From string
	// Device is what the browser kept from an earlier sign-in as this
	// member (DeviceToken), or empty: with it, the failures of others do
	// not keep this browser out.
	Device string
}

// Failed sign-ins are limited, and only failures count: a correct
// password takes nothing from any bucket. Which buckets a sign-in counts
// against depends on where it comes from.
//
// A browser the member signed in on before (it holds a device token, as
// OWASP's "device cookie") counts against its own bucket only: whatever
// others send, from however many addresses, never keeps it out, and a
// stolen token alone guesses slowly.
//
// Any other client counts three ways, each at every scope of its address
// (ratelimit.AddrKeys: an IPv4 address; an IPv6 /64, and, with four times
// the allowance, its /48): per member from one address, strictly, so that
// one machine guesses one member's password slowly; per address, so that
// one machine guesses many members' slowly too; and per member from
// anywhere, loosely, refilling faster than one address (or /48) may try,
// so that no one machine can keep a member locked out. Many machines
// together can, for clients without a device token: the member's own
// browsers still sign in.
var (
	deviceLimit   = ratelimit.Limit{Every: 30 * time.Second, Burst: 10}
	nameAddrLimit = ratelimit.Limit{Every: 30 * time.Second, Burst: 10}
	nameSiteLimit = ratelimit.Limit{Every: 7500 * time.Millisecond, Burst: 40}
	addrLimit     = ratelimit.Limit{Every: 2 * time.Second, Burst: 30}
	siteLimit     = ratelimit.Limit{Every: 500 * time.Millisecond, Burst: 120}
	nameLimit     = ratelimit.Limit{Every: time.Second, Burst: 100}
)

// signInBuckets returns the keys and limits a sign-in counts against;
// device is the key of a device token found valid, or empty.
func signInBuckets(c Credentials, device string) ([]string, []ratelimit.Limit) {
	if device != "" {
		return []string{"sign-in device " + device}, []ratelimit.Limit{deviceLimit}
	}
	name := strings.ToLower(c.Name)
	var keys []string
	var limits []ratelimit.Limit
	for i, addr := range ratelimit.AddrKeys(c.From) {
		nameAddr, perAddr := nameAddrLimit, addrLimit
		if i > 0 { // the wider scope of an IPv6 address
			nameAddr, perAddr = nameSiteLimit, siteLimit
		}
		keys = append(keys, "sign-in name+addr "+name+" "+addr, "sign-in addr "+addr)
		limits = append(limits, nameAddr, perAddr)
	}
	return append(keys, "sign-in name "+name), append(limits, nameLimit)
}

// SignIn checks a name and password and returns the user.
func (s *Service) SignIn(ctx context.Context, c Credentials) (*User, error) {
	if ValidateUserName(c.Name) != nil || len(c.Password) > 4*MaxPassword {
		return nil, errSignIn
	}
	u, err := s.store.UserByName(ctx, c.Name)
	switch ErrorCode(err) {
	case "":
	case CodeNotFound:
		u = nil
	default:
		return nil, err
	}
	var device string
	if u != nil && c.Device != "" {
		if device, err = s.trustedDevice(ctx, c.Device, u); err != nil {
			return nil, err
		}
	}
	keys, limits := signInBuckets(c, device)
	// The buckets are read, the password verified and a failure counted
	// in one of the few places hashing has at once, so that concurrent
	// failures, each let through by the same reading, overfill a bucket by
	// no more than those places.
	if err := s.acquireHashing(ctx); err != nil {
		return nil, err
	}
	defer func() { <-s.hashing }()
	now := s.now()
	var wait time.Duration
	if err := s.throttle(ctx, now, keys, func(full []time.Time) bool {
		wait = ratelimit.Wait(now, limits, full)
		return false
	}); err != nil {
		return nil, fmt.Errorf("read the sign-in limits: %w", err)
	}
	if wait > 0 {
		wait = wait.Round(time.Second) + time.Second
		from := ""
		if device != "" {
			from = " from this browser"
		}
		return nil, &Error{Code: CodeRateLimited, RetryAfter: wait,
			Message: fmt.Sprintf("too many failed sign-ins%s; try again in %v", from, wait)}
	}
	// An unknown name, or a member an import made without a password, is
	// verified against a hash of nothing anyone knows: a failure takes as
	// long whether or not the name exists.
	hash := s.dummyHash
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok, err := password.Verify(c.Password, hash)
	if err != nil {
		return nil, fmt.Errorf("verify the password of %q: %w", c.Name, err)
	}
	if ok && hash != s.dummyHash {
		return u, nil
	}
	if err := s.throttle(ctx, now, keys, func(full []time.Time) bool {
		ratelimit.Charge(now, limits, full)
		return true
	}); err != nil {
		return nil, fmt.Errorf("count the failed sign-in: %w", err)
	}
	return nil, errSignIn
}

// throttle runs decide on the sign-in buckets in a write transaction of
// its own (Tx.Throttle), which group commit may share with posts.
func (s *Service) throttle(ctx context.Context, now time.Time, keys []string, decide func([]time.Time) bool) error {
	return s.store.InTx(ctx, func(tx Tx) error { tx.Throttle(now, keys, decide); return nil })
}

// DeviceLifetime is how long a browser stays trusted after a sign-in.
const DeviceLifetime = 365 * 24 * time.Hour

// deviceKeyName is the store's name for the key that signs device tokens.
const deviceKeyName = "device-token-key"

// DeviceToken returns what a browser keeps once u signed in on it, for
// Credentials.Device: u's ID and the time, signed with the forum's key
// together with u's password hash, so that a new password makes every
// token given before worthless.
func (s *Service) DeviceToken(ctx context.Context, u *User) (string, error) {
	key, err := s.deviceKey(ctx)
	if err != nil {
		return "", err
	}
	payload := strconv.FormatInt(u.ID, 10) + "." + strconv.FormatInt(s.now().Unix(), 10)
	return payload + "." + deviceMAC(key, payload, u), nil
}

// trustedDevice returns the bucket key of token when it is a device token
// of u's that has not expired, "" when it is not.
func (s *Service) trustedDevice(ctx context.Context, token string, u *User) (string, error) {
	id, rest, ok := strings.Cut(token, ".")
	issued, mac, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || len(token) > 100 || id != strconv.FormatInt(u.ID, 10) {
		return "", nil
	}
	at, err := strconv.ParseInt(issued, 10, 64)
	if err != nil || s.now().Sub(time.Unix(at, 0)) > DeviceLifetime {
		return "", nil
	}
	key, err := s.deviceKey(ctx)
	if err != nil {
		return "", err
	}
	if !hmac.Equal([]byte(mac), []byte(deviceMAC(key, id+"."+issued, u))) {
		return "", nil
	}
	return mac, nil
}

func deviceMAC(key []byte, payload string, u *User) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(payload + "\x00" + u.PasswordHash))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

// deviceKey reads the key device tokens are signed with, making it on a
// forum that has none yet; once read, it is kept.
func (s *Service) deviceKey(ctx context.Context) ([]byte, error) {
	s.deviceMu.Lock()
	defer s.deviceMu.Unlock()
	if s.deviceKeyBytes == nil {
		key, err := s.store.Secret(ctx, deviceKeyName, randomBytes(32))
		if err != nil {
			return nil, fmt.Errorf("read the device key: %w", err)
		}
		s.deviceKeyBytes = key
	}
	return s.deviceKeyBytes, nil
}
