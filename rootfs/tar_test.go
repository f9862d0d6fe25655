package rootfs

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// archive writes a tar of hdrs, each regular file's body its Linkname
// field's text (cleared before writing).
func archive(t *testing.T, hdrs []tar.Header) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, h := range hdrs {
		body := ""
		if h.Typeflag == tar.TypeReg {
			body, h.Linkname = h.Linkname, ""
			h.Size = int64(len(body))
		}
		if h.ModTime.IsZero() {
			h.ModTime = time.Unix(1700000000, 0)
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// lookup walks a slash-separated path from the root.
func lookup(t *testing.T, s *tarSource, p string) vfs.Attr {
	t.Helper()
	ino := s.RootIno()
	for _, name := range strings.Split(p, "/") {
		if name == "" {
			continue
		}
		ents, err := s.ReadDir(ino)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range ents {
			if e.Name == name {
				ino, found = e.Ino, true
			}
		}
		if !found {
			t.Fatalf("%s: no %s", p, name)
		}
	}
	a, err := s.Stat(ino)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// contents reads a whole file.
func contents(s *tarSource, a vfs.Attr) string {
	b := make([]byte, a.Size+10)
	n, _ := s.ReadAt(a.Ino, b, 0)
	return string(b[:n])
}

// TestTarTree checks the tree a tar archive gives, as GNU tar would
// extract it: parents made for entries that lack them, the root's own
// entry, hard links counted, symlinks, devices and FIFOs, and a later
// entry for a path replacing the earlier one.
func TestTarTree(t *testing.T) {
	data := archive(t, []tar.Header{
		{Name: "./", Typeflag: tar.TypeDir, Mode: 0o700, Uid: 5},
		{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644, Linkname: "old\n"},
		{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o4755, Linkname: "\x7fELF"},
		{Name: "bin/ls", Typeflag: tar.TypeLink, Linkname: "bin/busybox"},
		{Name: "bin/sh", Typeflag: tar.TypeSymlink, Linkname: "busybox"},
		{Name: "dev/null", Typeflag: tar.TypeChar, Mode: 0o666, Devmajor: 1, Devminor: 3},
		{Name: "run/fifo", Typeflag: tar.TypeFifo, Mode: 0o600},
		{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o600, Linkname: "root:x:0:0::/root:/bin/sh\n"},
	})
	for _, c := range []struct {
		name string
		data []byte
	}{{"tar", data}, {"tar.gz", gzipped(t, data)}} {
		t.Run(c.name, func(t *testing.T) {
			s, err := newTarSource(bytes.NewReader(c.data))
			if err != nil {
				t.Fatal(err)
			}
			root := lookup(t, s, "/")
			if root.Mode != abi.S_IFDIR|0o700 || root.UID != 5 || root.Nlink != 2+4 {
				t.Errorf("root: mode %o uid %d nlink %d, want 40700, 5 and 6 (four subdirectories)", root.Mode, root.UID, root.Nlink)
			}
			if etc := lookup(t, s, "etc"); etc.Mode != abi.S_IFDIR|0o755 || etc.Nlink != 2 {
				t.Errorf("etc, made for its file: mode %o nlink %d", etc.Mode, etc.Nlink)
			}
			pw := lookup(t, s, "etc/passwd")
			if pw.Mode != abi.S_IFREG|0o600 || contents(s, pw) != "root:x:0:0::/root:/bin/sh\n" || pw.Blocks != 8 {
				t.Errorf("etc/passwd, replaced: mode %o blocks %d %q", pw.Mode, pw.Blocks, contents(s, pw))
			}
			bb, ls := lookup(t, s, "bin/busybox"), lookup(t, s, "bin/ls")
			if bb.Ino != ls.Ino || bb.Nlink != 2 || bb.Mode != abi.S_IFREG|0o4755 {
				t.Errorf("hard link: inodes %d and %d, nlink %d, mode %o", bb.Ino, ls.Ino, bb.Nlink, bb.Mode)
			}
			sh := lookup(t, s, "bin/sh")
			if target, _ := s.Readlink(sh.Ino); sh.Mode&abi.S_IFMT != abi.S_IFLNK || target != "busybox" || sh.Size != 7 {
				t.Errorf("symlink: mode %o size %d target %q", sh.Mode, sh.Size, target)
			}
			if null := lookup(t, s, "dev/null"); null.Mode != abi.S_IFCHR|0o666 || null.Rdev != abi.Makedev(1, 3) {
				t.Errorf("dev/null: mode %o rdev %#x", null.Mode, null.Rdev)
			}
			if fifo := lookup(t, s, "run/fifo"); fifo.Mode != abi.S_IFIFO|0o600 {
				t.Errorf("fifo: mode %o", fifo.Mode)
			}
		})
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestTarRefused checks the archives a root cannot be made of: an entry
// outside the archive's root, a hard link to nothing, a file where a
// directory must be, and a truncated archive; each is a clear error.
func TestTarRefused(t *testing.T) {
	cases := []struct {
		name string
		hdrs []tar.Header
		want string
	}{
		{"escape", []tar.Header{{Name: "../etc/passwd", Typeflag: tar.TypeReg, Linkname: "x"}}, "leaves the archive root"},
		{"dangling hard link", []tar.Header{{Name: "a", Typeflag: tar.TypeLink, Linkname: "b"}}, "hard link a to missing b"},
		{"file as a directory", []tar.Header{{Name: "f", Typeflag: tar.TypeReg}, {Name: "f/x", Typeflag: tar.TypeReg}}, "f is not a directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := newTarSource(bytes.NewReader(archive(t, c.hdrs)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
	data := archive(t, []tar.Header{{Name: "big", Typeflag: tar.TypeReg, Linkname: strings.Repeat("x", 2000)}})
	if _, err := newTarSource(bytes.NewReader(data[:1000])); err == nil {
		t.Error("a truncated archive opened")
	}
}
