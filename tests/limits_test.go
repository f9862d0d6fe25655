package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// confinedRoot is a root holding the programs that only run under
// paddock.
func confinedRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := built(t, "confined")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		copyFile(t, filepath.Join(dir, e.Name()), filepath.Join(root, "bin", e.Name()))
	}
	for _, d := range []string{"tmp", "dev", "proc"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	return root
}

// TestForkBomb runs a fork bomb under paddock: forks fail with EAGAIN at
// paddock's task cap, the guest goes on working, and paddock ends the
// remaining processes and exits when the first one does.
func TestForkBomb(t *testing.T) {
	root := confinedRoot(t)
	start := time.Now()
	r := paddock(t, root, "/", nil, "", "/bin/forkbomb")
	if r.code != 0 || !strings.Contains(r.stdout, "forks refused: EAGAIN; pipe says ok; pid 1") {
		t.Fatalf("fork bomb: %v", r)
	}
	t.Logf("fork bomb contained in %v", time.Since(start).Round(time.Millisecond))
}

// TestNprocLimit checks RLIMIT_NPROC for an ordinary user: with a limit
// of 20 tasks the process itself and 19 children fit.
func TestNprocLimit(t *testing.T) {
	root := confinedRoot(t)
	r := paddock(t, root, "/", nil, "", "/bin/forkbomb", "user", "20")
	if r.code != 0 || r.stdout != "fork failed with EAGAIN after 19 children\n" {
		t.Fatalf("RLIMIT_NPROC 20: %v", r)
	}
}
