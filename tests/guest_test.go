package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// guestArgs are the arguments some guest programs are run with.
var guestArgs = map[string][]string{
	"hello": {"one", "two words"},
	"args":  {"a", "b c", ""},
}

// guestEnv is the extra environment every guest program gets.
var guestEnv = []string{"GUEST_VAR=x", "EMPTY_VAR="}

// guestRoot builds the root paddock runs the guest programs in: the
// programs in /bin, musl's dynamic loader, and empty /tmp, /dev and /proc
// for paddock's mounts.
func guestRoot(t *testing.T, kind string) string {
	t.Helper()
	root := t.TempDir()
	dir := built(t, filepath.Join("guest", kind))
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		copyFile(t, filepath.Join(dir, e.Name()), filepath.Join(root, "bin", e.Name()))
	}
	if kind == "glibc" {
		// glibc's loader and the libraries the programs need, at the
		// paths the host has them.
		for _, f := range []string{"/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6"} {
			copyFile(t, f, filepath.Join(root, f))
		}
	} else {
		copyFile(t, "/lib/ld-musl-x86_64.so.1", filepath.Join(root, "lib", "ld-musl-x86_64.so.1"))
	}
	for _, d := range []string{"tmp", "dev", "proc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// skipStatus is the exit status a guest gives natively when the host
// cannot serve as its oracle (automake's convention).
const skipStatus = 77

// TestGuests runs every program in testdata/guest, built static and
// dynamic with musl-gcc and dynamic with glibc, natively (in a fresh
// directory) and under paddock (in /tmp), and compares stdout and exit
// status.
func TestGuests(t *testing.T) {
	for _, kind := range []string{"static", "dynamic", "glibc"} {
		t.Run(kind, func(t *testing.T) {
			root := guestRoot(t, kind)
			ents, err := os.ReadDir(filepath.Join(root, "bin"))
			if err != nil {
				t.Fatal(err)
			}
			if len(ents) < 40 {
				t.Fatalf("only %d guest programs were built", len(ents))
			}
			for _, e := range ents {
				name := e.Name()
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					argv := append([]string{filepath.Join(root, "bin", name)}, guestArgs[name]...)
					nat := native(t, "", t.TempDir(), guestEnv, "", argv...)
					if nat.code == skipStatus {
						// The host lacks what the program needs to
						// be checked against (pseudo-terminals).
						t.Skipf("the native run skipped: %s", nat.stdout)
					}
					pad := paddock(t, root, "/tmp", guestEnv, "", append([]string{"/bin/" + name}, guestArgs[name]...)...)
					compare(t, name, nat, pad)
					if strings.Contains(pad.stderr, "paddock:") && !strings.Contains(pad.stderr, "unimplemented syscall") {
						t.Errorf("paddock complained: %s", pad.stderr)
					}
				})
			}
		})
	}
}
