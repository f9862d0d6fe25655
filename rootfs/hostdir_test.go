package rootfs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

type ctx struct{}

func (ctx) Creds() *vfs.Creds                  { return &vfs.Creds{} }
func (ctx) Block(*vfs.Waiter, time.Time) error { return abi.EINTR }

// TestHostDirConfined checks that a directory root keeps the guest inside
// it: symlinks, absolute or climbing, resolve within the root as the
// guest's own paths do (so host files outside stay unreachable), and a
// host path that leads outside is refused even when asked for directly.
func TestHostDirConfined(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("host secret"), 0o644)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "etc"), 0o755)
	os.WriteFile(filepath.Join(dir, "etc", "hostname"), []byte("guest\n"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "abs"))
	os.Symlink("../../../../../../../../"+outside, filepath.Join(dir, "up"))
	os.Symlink("etc/hostname", filepath.Join(dir, "rel"))
	h, err := NewHostDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	v := vfs.New(h, "/dev/root", func() abi.Timespec { return abi.Timespec{} })
	r := &vfs.Resolver{Creds: &vfs.Creds{}, Root: v.Root(), Start: v.Root()}
	cases := []struct {
		path string
		want string // the file's contents, or the error
	}{
		{"/etc/hostname", "guest\n"},
		{"/rel", "guest\n"},
		{"/abs/secret", abi.ENOENT.Error()},
		{"/up/secret", abi.ENOENT.Error()},
		{"/../../../../etc/hostname", "guest\n"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			got := ""
			f, err := v.Open(ctx{}, r, c.path, abi.O_RDONLY, 0)
			if err != nil {
				got = err.Error()
			} else {
				b := make([]byte, 100)
				n, _ := f.Read(ctx{}, b)
				got = string(b[:n])
				f.DecRef()
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
	// The symlink itself, opened on the host, would lead outside: the
	// host layer refuses to follow it.
	in, err := h.Root().Lookup("abs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.(interface {
		Open(uint32) (vfs.FileOps, error)
	}).Open(abi.O_RDONLY); !errors.Is(err, abi.EACCES) {
		t.Errorf("opening the symlink on the host: %v, want EACCES", err)
	}
}
