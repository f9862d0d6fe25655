package ext4

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The oracle for the reader is e2fsprogs: a tree on the host is turned into
// an image with mkfs.ext4 -d, and every file must read back from the image
// byte for byte, with the metadata the host tree has.

func need(t testing.TB, cmd string) string {
	t.Helper()
	for _, dir := range []string{"/sbin", "/usr/sbin", "/usr/bin", "/bin"} {
		if p := filepath.Join(dir, cmd); fileExists(p) {
			return p
		}
	}
	t.Fatalf("%s is missing: install e2fsprogs (make deps)", cmd)
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// makeTree builds the source tree: every kind of file the reader must
// handle.
func makeTree(t testing.TB, dir string, bigDir int) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w := func(p string, data []byte) { must(os.WriteFile(filepath.Join(dir, p), data, 0o644)) }
	must(os.MkdirAll(filepath.Join(dir, "sub/deeper/deepest"), 0o755))
	for _, n := range []int{0, 1, 59, 60, 61, 1000, 4095, 4096, 4097, 65536, 1 << 20, 3<<20 + 17} {
		w(fmt.Sprintf("file%d", n), randBytes(n))
	}
	w("sub/deeper/deepest/leaf", []byte("leaf\n"))
	// Holes: data, a gap, data, a gap at the end.
	f, err := os.Create(filepath.Join(dir, "holes"))
	must(err)
	f.Write(randBytes(5000))
	f.WriteAt(randBytes(3000), 200000)
	f.WriteAt(randBytes(10), 1<<20)
	must(f.Truncate(3 << 20))
	f.Close()
	// A sparse 1 GiB file with data in the middle and at the end.
	f, err = os.Create(filepath.Join(dir, "sparse1g"))
	must(err)
	f.WriteAt([]byte("middle"), 512<<20)
	f.WriteAt([]byte("end"), 1<<30-3)
	f.Close()
	must(os.Symlink("file1000", filepath.Join(dir, "fastlink")))
	long := strings.Repeat("long-target-component/", 10) + "end"
	must(os.Symlink(long, filepath.Join(dir, "slowlink")))
	must(os.Symlink("/absolute/dangling", filepath.Join(dir, "dangling")))
	must(os.Link(filepath.Join(dir, "file4096"), filepath.Join(dir, "hardlink")))
	must(syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o640))
	if os.Getuid() == 0 {
		must(syscall.Mknod(filepath.Join(dir, "chardev"), syscall.S_IFCHR|0o600, int(devNew(4, 70000))))
		must(os.Lchown(filepath.Join(dir, "file60"), 70000, 80000))
		must(os.Lchown(filepath.Join(dir, "fastlink"), 100000, 200000))
	}
	must(os.Chmod(filepath.Join(dir, "file59"), 0o4711))
	must(os.Chmod(filepath.Join(dir, "sub"), 0o1777))
	must(os.Chtimes(filepath.Join(dir, "file61"), time.Unix(1600000000, 123456789), time.Unix(1700000000, 987654321)))
	// Beyond 2038: the epoch bits of the _extra fields.
	must(os.Chtimes(filepath.Join(dir, "file1"), time.Unix(3000000000, 5), time.Unix(4000000000, 6)))
	must(os.MkdirAll(filepath.Join(dir, "many"), 0o755))
	for i := range bigDir {
		w(fmt.Sprintf("many/entry-%05d", i), []byte(fmt.Sprint(i)))
	}
}

// devNew encodes a device number as Linux's new_encode_dev does.
func devNew(major, minor uint32) uint64 {
	return uint64(minor&0xff) | uint64(major&0xfff)<<8 | uint64(minor&^0xff)<<12 | uint64(major&^0xfff)<<32
}

// mkimage makes an image of dir with mkfs.ext4 options opts.
func mkimage(t testing.TB, dir string, size string, opts ...string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "img.ext4")
	args := append([]string{"-q", "-F", "-d", dir}, opts...)
	args = append(args, img, size)
	if out, err := exec.Command(need(t, "mkfs.ext4"), args...).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4 %v: %v\n%s", args, err, out)
	}
	return img
}

// openImage opens an image file with the reader.
func openImage(t testing.TB, img string) *FS {
	t.Helper()
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fi, _ := f.Stat()
	fsys, err := Open(f, fi.Size())
	if err != nil {
		t.Fatalf("open %s: %v", img, err)
	}
	return fsys
}

// lookup resolves a slash-separated path from the root inode.
func lookup(fsys *FS, p string) (*Inode, error) {
	in, err := fsys.Inode(2)
	if err != nil {
		return nil, err
	}
	for _, c := range strings.Split(p, "/") {
		if c == "" {
			continue
		}
		ents, err := fsys.ReadDir(in)
		if err != nil {
			return nil, err
		}
		found := uint32(0)
		for _, e := range ents {
			if e.Name == c {
				found = e.Inode
			}
		}
		if found == 0 {
			return nil, fmt.Errorf("%s: no %q", p, c)
		}
		if in, err = fsys.Inode(found); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// dstat is what debugfs says of one inode.
type dstat struct {
	size             uint64
	mtime, mtimeExtr uint32
	hasExtra         bool
	hasCrtime        bool
}

var (
	reSize  = regexp.MustCompile(`Size: (\d+)`)
	reMtime = regexp.MustCompile(`\bmtime: 0x([0-9a-f]+)(?::([0-9a-f]+))?`)
)

// debugfsStat runs "stat" on every path in one debugfs session and parses
// the sizes and raw modification times it prints.
func debugfsStat(t *testing.T, img string, paths []string) map[string]dstat {
	t.Helper()
	cmds := filepath.Join(t.TempDir(), "cmds")
	var sb strings.Builder
	for _, p := range paths {
		fmt.Fprintf(&sb, "stat \"%s\"\n", p)
	}
	os.WriteFile(cmds, []byte(sb.String()), 0o644)
	out, err := exec.Command(need(t, "debugfs"), "-f", cmds, img).Output()
	if err != nil {
		t.Fatalf("debugfs: %v", err)
	}
	res := map[string]dstat{}
	var cur string
	var st dstat
	flush := func() {
		if cur != "" {
			res[cur] = st
		}
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "debugfs: stat "); ok {
			flush()
			cur, st = strings.Trim(rest, `"`), dstat{}
			continue
		}
		if m := reSize.FindStringSubmatch(line); m != nil && strings.HasPrefix(line, "User:") {
			st.size, _ = strconv.ParseUint(m[1], 10, 64)
		}
		if m := reMtime.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseUint(m[1], 16, 32)
			st.mtime = uint32(v)
			if m[2] != "" {
				e, _ := strconv.ParseUint(m[2], 16, 32)
				st.mtimeExtr, st.hasExtra = uint32(e), true
			}
		}
		if strings.HasPrefix(line, "crtime:") {
			st.hasCrtime = true
		}
	}
	flush()
	return res
}

// compareTree checks every file of dir against the image: contents against
// the host tree, and size and times against what debugfs reads.
func compareTree(t *testing.T, dir, img string, fsys *FS, nsTimes bool) {
	t.Helper()
	var paths []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		paths = append(paths, rel)
		return err
	})
	oracle := debugfsStat(t, img, paths)
	count := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		in, err := lookup(fsys, rel)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		count++
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			return err
		}
		o, ok := oracle[rel]
		if !ok {
			t.Errorf("%s: debugfs said nothing", rel)
			return nil
		}
		if uint32(in.Mode) != st.Mode {
			t.Errorf("%s: mode %o, want %o", rel, in.Mode, st.Mode)
		}
		if in.UID != st.Uid || in.GID != st.Gid {
			t.Errorf("%s: owner %d:%d, want %d:%d", rel, in.UID, in.GID, st.Uid, st.Gid)
		}
		if !d.IsDir() && uint64(in.Links) != st.Nlink {
			t.Errorf("%s: nlink %d, want %d", rel, in.Links, st.Nlink)
		}
		if in.Size != o.size {
			t.Errorf("%s: size %d, debugfs says %d", rel, in.Size, o.size)
		}
		wantSec := int64(int32(o.mtime)) + int64(o.mtimeExtr&3)<<32
		if in.Mtime.Sec != wantSec || in.Mtime.Nsec != o.mtimeExtr>>2 {
			t.Errorf("%s: mtime %+v, debugfs says %#x:%#x", rel, in.Mtime, o.mtime, o.mtimeExtr)
		}
		if nsTimes != o.hasExtra || in.HasCrtime != o.hasCrtime {
			t.Errorf("%s: extra fields %v, creation time %v; debugfs %v %v", rel, nsTimes, in.HasCrtime, o.hasExtra, o.hasCrtime)
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			want, _ := os.Readlink(p)
			got, err := fsys.Readlink(in)
			if err != nil || got != want {
				t.Errorf("%s: readlink %q, %v; want %q", rel, got, err, want)
			}
		case d.Type().IsRegular():
			compareData(t, rel, p, fsys, in)
		case d.IsDir():
			ents, err := fsys.ReadDir(in)
			if err != nil {
				t.Errorf("%s: readdir: %v", rel, err)
				return nil
			}
			var got []string
			for _, e := range ents {
				if e.Name != "." && e.Name != ".." && !(rel == "." && e.Name == "lost+found") {
					got = append(got, e.Name)
				}
			}
			host, _ := os.ReadDir(p)
			var want []string
			for _, e := range host {
				want = append(want, e.Name())
			}
			sort.Strings(got)
			if strings.Join(got, "/") != strings.Join(want, "/") {
				t.Errorf("%s: %d entries, want %d", rel, len(got), len(want))
			}
		case d.Type()&fs.ModeDevice != 0:
			maj, min := in.Rdev()
			if devNew(maj, min) != st.Rdev {
				t.Errorf("%s: rdev %d:%d, want %#x", rel, maj, min, st.Rdev)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count < 20 {
		t.Fatalf("compared only %d files", count)
	}
}

// setTimes writes nanoseconds and epoch bits into some inodes with debugfs,
// since mkfs.ext4 -d stores neither.
func setTimes(t *testing.T, img string) {
	t.Helper()
	cmds := filepath.Join(t.TempDir(), "sif")
	os.WriteFile(cmds, []byte(strings.Join([]string{
		"sif file61 mtime_extra 0xeb79a2c4", // 987654321 ns, epoch 0
		"sif file1 mtime_extra 0x5",         // 1 ns, epoch 1: beyond 2106
		"sif sub mtime_extra 0x2",           // epoch 2
		"sif fastlink mtime_extra 0xfffffffc",
	}, "\n")+"\n"), 0o644)
	if out, err := exec.Command(need(t, "debugfs"), "-w", "-f", cmds, img).CombinedOutput(); err != nil {
		t.Fatalf("debugfs -w: %v\n%s", err, out)
	}
}

// compareData reads a file in odd-sized pieces and compares it with the
// host's copy; a sparse file is compared in its non-zero regions and
// spot-checked elsewhere.
func compareData(t *testing.T, rel, p string, fsys *FS, in *Inode) {
	t.Helper()
	host, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	step := int64(77777)
	if in.Size > 64<<20 {
		// Check around the written places and some of the holes.
		for _, off := range []int64{0, 4096, 512<<20 - 10, 512 << 20, 1<<30 - 100, 1<<30 - 3} {
			a, b := make([]byte, 100), make([]byte, 100)
			na, _ := fsys.ReadAt(in, a, off)
			nb, _ := host.ReadAt(b, off)
			if na != nb || !bytes.Equal(a[:na], b[:nb]) {
				t.Errorf("%s: bytes at %d differ", rel, off)
			}
		}
		return
	}
	for off := int64(0); off < int64(in.Size); off += step {
		// mkfs -O inline_data drops a trailing hole from the size; what
		// the image holds is what debugfs reads, checked by the caller.
		a, b := make([]byte, step), make([]byte, step)
		na, err := fsys.ReadAt(in, a, off)
		if err != nil {
			t.Errorf("%s: read at %d: %v", rel, off, err)
			return
		}
		nb, _ := host.ReadAt(b, off)
		nb = min(nb, int(int64(in.Size)-off))
		if na != nb || !bytes.Equal(a[:na], b[:nb]) {
			t.Errorf("%s: bytes at %d differ (%d vs %d bytes)", rel, off, na, nb)
			return
		}
	}
}

// TestImages reads back a tree from images made with several mkfs.ext4
// feature sets.
func TestImages(t *testing.T) {
	src := t.TempDir()
	makeTree(t, src, 5000)
	cases := []struct {
		name    string
		opts    []string
		nsTimes bool
	}{
		{"default", nil, true},
		{"1k-blocks", []string{"-b", "1024"}, true},
		{"inline-data", []string{"-O", "inline_data"}, true},
		{"no-extents", []string{"-O", "^extent,^64bit"}, true},
		{"32bit", []string{"-O", "^64bit"}, true},
		{"small-inodes", []string{"-I", "128"}, false},
		{"meta-bg", []string{"-O", "meta_bg,^resize_inode", "-b", "1024"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			img := mkimage(t, src, "300M", c.opts...)
			// Index the big directory (and check the image).
			out, err := exec.Command(need(t, "e2fsck"), "-fyD", img).CombinedOutput()
			if ws, ok := err.(*exec.ExitError); ok && ws.ExitCode() > 1 {
				t.Fatalf("e2fsck -fyD: %v\n%s", err, out)
			}
			if c.nsTimes {
				setTimes(t, img)
			}
			fsys := openImage(t, img)
			if g := fsys.groups; g < 2 {
				t.Errorf("image has %d block groups; the test wants several", g)
			}
			many, err := lookup(fsys, "many")
			if err != nil {
				t.Fatal(err)
			}
			if many.Flags&flagIndex == 0 {
				t.Errorf("the 5000-entry directory is not htree-indexed")
			}
			compareTree(t, src, img, fsys, c.nsTimes)
		})
	}
}

// TestInlineData checks that small files and directories really are stored
// inline with -O inline_data, so that the inline paths are the ones read.
func TestInlineData(t *testing.T) {
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "tiny"), []byte("inline!"), 0o644)
	os.WriteFile(filepath.Join(src, "small"), randBytes(100), 0o644)
	os.MkdirAll(filepath.Join(src, "d"), 0o755)
	os.WriteFile(filepath.Join(src, "d/a"), nil, 0o644)
	img := mkimage(t, src, "8M", "-O", "inline_data")
	fsys := openImage(t, img)
	for _, p := range []string{"tiny", "small", "d"} {
		in, err := lookup(fsys, p)
		if err != nil {
			t.Fatal(err)
		}
		if in.Flags&flagInlineData == 0 {
			t.Errorf("%s is not inline", p)
		}
	}
	in, _ := lookup(fsys, "small")
	b := make([]byte, 200)
	n, _ := fsys.ReadAt(in, b, 0)
	want, _ := os.ReadFile(filepath.Join(src, "small"))
	if !bytes.Equal(b[:n], want) {
		t.Errorf("inline data read back wrong (%d bytes)", n)
	}
}

// TestCorruptImages feeds damaged images to the reader: each must give an
// error, never a panic.
func TestCorruptImages(t *testing.T) {
	src := t.TempDir()
	makeTree(t, src, 50)
	img := mkimage(t, src, "16M")
	good, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(bytes.NewReader(good[:2000]), 2000); err == nil {
		t.Error("a truncated image opened")
	}
	if _, err := Open(bytes.NewReader(make([]byte, 4096)), 4096); err == nil {
		t.Error("a zero image opened")
	}
	// Flip bytes all over the metadata and walk everything that opens.
	for i := 0; i < 300; i++ {
		b := append([]byte(nil), good...)
		for j := 0; j < 20; j++ {
			n, _ := rand.Int(rand.Reader, big.NewInt(1<<20))
			b[n.Int64()] ^= byte(1 + j)
		}
		walkAll(b)
	}
}

// walkAll opens an image and reads everything reachable, with bounds so
// that corrupt loops end.
func walkAll(img []byte) {
	fsys, err := Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		return
	}
	seen := map[uint32]bool{}
	var walk func(ino uint32, depth int)
	walk = func(ino uint32, depth int) {
		if depth > 20 || seen[ino] || len(seen) > 2000 {
			return
		}
		seen[ino] = true
		in, err := fsys.Inode(ino)
		if err != nil {
			return
		}
		switch {
		case in.IsDir():
			ents, err := fsys.ReadDir(in)
			if err != nil {
				return
			}
			for _, e := range ents {
				walk(e.Inode, depth+1)
			}
		case in.IsSymlink():
			fsys.Readlink(in)
		default:
			b := make([]byte, 65536)
			fsys.ReadAt(in, b, 0)
			fsys.ReadAt(in, b, int64(in.Size/2))
		}
	}
	walk(2, 0)
}

// FuzzOpen runs the reader over mutated images; its seed corpus is a small
// valid image and damaged copies of it.
func FuzzOpen(f *testing.F) {
	src := f.TempDir()
	os.WriteFile(filepath.Join(src, "a"), []byte("hello"), 0o644)
	os.MkdirAll(filepath.Join(src, "d/e"), 0o755)
	os.WriteFile(filepath.Join(src, "d/e/b"), randBytes(9000), 0o644)
	os.Symlink("a", filepath.Join(src, "l"))
	img := mkimage(f, src, "128K", "-b", "1024", "-N", "16", "-O", "^has_journal")
	good, err := os.ReadFile(img)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	for _, off := range []int{1024 + 0x18, 1024 + 0x58, 2048 + 8, 5 * 1024, 6 * 1024, 9 * 1024} {
		b := append([]byte(nil), good...)
		b[off] ^= 0xff
		f.Add(b)
	}
	f.Add(good[:1100])
	f.Fuzz(func(t *testing.T, b []byte) {
		walkAll(b)
	})
}
