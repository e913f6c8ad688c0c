package password_test

import (
	"strings"
	"testing"

	"parley/internal/password"
)

func TestHashVerify(t *testing.T) {
	h, err := password.Hash("correct horse battery staple", password.Fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not an argon2id PHC string with its parameters", h)
	}
	if err := password.Check(h); err != nil {
		t.Errorf("Check(%q) = %v", h, err)
	}
	h2, _ := password.Hash("correct horse battery staple", password.Fast)
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, tc := range []struct {
		name     string
		password string
		want     bool
	}{
		{"OK", "correct horse battery staple", true},
		{"Wrong", "correct horse battery stapler", false},
		{"Empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := password.Verify(tc.password, h)
			if err != nil || ok != tc.want {
				t.Fatalf("Verify = %v, %v; want %v", ok, err, tc.want)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, enc := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=x,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$",
	} {
		if ok, err := password.Verify("x", enc); ok || err == nil {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformed", enc, ok, err)
		}
		if err := password.Check(enc); err == nil {
			t.Errorf("Check(%q) = nil; want ErrMalformed", enc)
		}
	}
}
