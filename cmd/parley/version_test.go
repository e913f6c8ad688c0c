package main

import (
	"os"
	"regexp"
	"testing"
)

// TestSafeGo: the release the binary warns below is the one go.mod builds
// it with, so that neither is raised without the other.
func TestSafeGo(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^toolchain (\S+)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no toolchain line")
	}
	if string(m[1]) != safeGo {
		t.Errorf("go.mod's toolchain is %s, the binary warns below %s", m[1], safeGo)
	}
}
