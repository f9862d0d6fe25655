package tests

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

type tarWriter struct{ w *tar.Writer }

func newTar(w io.Writer) *tarWriter { return &tarWriter{tar.NewWriter(w)} }

func (t *tarWriter) add(name, data string, mt time.Time) {
	t.w.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: mt, Typeflag: tar.TypeReg,
		Uname: "root", Gname: "root"})
	t.w.Write([]byte(data))
}

func (t *tarWriter) close() { t.w.Close() }

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Name = "archive"
	w.ModTime = dataTime
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func sha(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:8]
}

// copyTree copies a directory tree keeping modes, owners, symlinks and
// times; regular files over 1 MiB are hard-linked (they are binaries no
// test changes).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	var dirs []string
	err := filepath.Walk(src, func(p string, fi fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		d := filepath.Join(dst, rel)
		switch {
		case fi.IsDir():
			if err := os.MkdirAll(d, fi.Mode().Perm()); err != nil {
				return err
			}
			os.Chmod(d, fi.Mode().Perm()|fi.Mode()&(fs.ModeSticky|fs.ModeSetgid))
			dirs = append(dirs, rel)
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			if err := os.Symlink(target, d); err != nil {
				return err
			}
		case fi.Mode().IsRegular() && fi.Size() > 1<<20:
			if err := os.Link(p, d); err != nil {
				return err
			}
			return nil
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(d, data, fi.Mode().Perm()); err != nil {
				return err
			}
			os.Chmod(d, fi.Mode().Perm()|fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
		default:
			return nil
		}
		st := fi.Sys().(*syscall.Stat_t)
		os.Lchown(d, int(st.Uid), int(st.Gid))
		setTimes(d, fi.ModTime())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Directories last, deepest first, once their contents are in place.
	for i := len(dirs) - 1; i >= 0; i-- {
		fi, _ := os.Lstat(filepath.Join(src, dirs[i]))
		setTimes(filepath.Join(dst, dirs[i]), fi.ModTime())
	}
}

// setTimes sets atime and mtime of p, not following a symlink.
func setTimes(p string, mt time.Time) {
	ts := []unix.Timespec{unix.NsecToTimespec(mt.UnixNano()), unix.NsecToTimespec(mt.UnixNano())}
	unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
}

const passwd = "root:x:0:0:root:/root:/bin/sh\nbin:x:1:1:bin:/bin:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n"
const group = "root:x:0:root\nbin:x:1:root,bin\nnogroup:x:65533:\nnobody:x:65534:\n"

// busyboxRoot builds a root with Debian's busybox-static and the test
// data in /data.
func busyboxRoot(t *testing.T) string {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatal("busybox is missing: install busybox-static (make deps)")
	}
	root := t.TempDir()
	copyFile(t, bb, filepath.Join(root, "bin", "busybox"))
	os.Symlink("busybox", filepath.Join(root, "bin", "sh"))
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc", "passwd"), []byte(passwd), 0o644)
	os.WriteFile(filepath.Join(root, "etc", "group"), []byte(group), 0o644)
	for _, d := range []string{"tmp", "dev", "proc", "root", "data"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	makeData(t, filepath.Join(root, "data"))
	return root
}

// runApplet runs one applet on both sides and compares output, status
// and the files left in /data. nativeRoot and padRoot are roots with
// identical /data; padArgs go before the command on paddock's command line.
func runApplet(t *testing.T, a applet, nativeRoot, nativeData, padRoot, padData string, padArgs []string) bool {
	t.Helper()
	start := time.Now()
	argv := append([]string{"/bin/busybox"}, a.args...)
	nat := native(t, nativeRoot, "/data", nil, a.stdin, argv...)
	pad := paddockWith(t, padRoot, "/data", padArgs, a.stdin, argv...)
	compare(t, a.name, nat, pad)
	ns, ps := snapshot(t, nativeData, start), snapshot(t, padData, start)
	if ns != ps {
		t.Errorf("%s: files differ\n=== native:\n%s\n=== paddock:\n%s\n=== diff:\n%s", a.name, ns, ps, lineDiff(ns, ps))
	}
	return !t.Failed()
}

// TestBusybox runs the applet list with Debian's busybox-static in a
// directory root, natively in a chroot and under paddock.
func TestBusybox(t *testing.T) {
	runInCopies(t, busyboxRoot(t), applets, func(*testing.T, string) {})
}

// runInCopies runs each applet of list in parallel, natively in one copy
// of the template root (after prepare) and under paddock in another.
func runInCopies(t *testing.T, template string, list []applet, prepare func(t *testing.T, nativeRoot string)) {
	for _, a := range list {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			n, p := t.TempDir(), t.TempDir()
			copyTree(t, template, n)
			copyTree(t, template, p)
			prepare(t, n)
			runApplet(t, a, n, filepath.Join(n, "data"), p, filepath.Join(p, "data"), nil)
		})
	}
}

// alpineTarball returns $PADDOCK_ALPINE, skipping the test if it is unset.
func alpineTarball(t *testing.T) string {
	t.Helper()
	p := os.Getenv("PADDOCK_ALPINE")
	if p == "" {
		t.Skip("PADDOCK_ALPINE is not set to the Alpine minirootfs tarball")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("PADDOCK_ALPINE: %v", err)
	}
	return p
}

// extract unpacks a (gzipped) tar archive into dir, as root would.
func extract(t *testing.T, archive, dir string) {
	t.Helper()
	cmd := exec.Command("tar", "-xpf", archive, "-C", dir, "--numeric-owner")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("extracting %s: %v\n%s", archive, err, out)
	}
}

// TestAlpineApplets runs the applet list with Alpine's busybox: natively in
// a chroot of the extracted minirootfs, and under paddock with the tarball
// itself as the root and the test data bound in at /data.
func TestAlpineApplets(t *testing.T) {
	tarball := alpineTarball(t)
	chroot := t.TempDir()
	extract(t, tarball, chroot)
	data := t.TempDir()
	makeData(t, data)
	passed := 0
	for _, a := range applets {
		ok := t.Run(a.name, func(t *testing.T) {
			nd := filepath.Join(chroot, "data")
			os.RemoveAll(nd)
			copyTree(t, data, nd)
			pd := filepath.Join(t.TempDir(), "data")
			copyTree(t, data, pd)
			runApplet(t, a, chroot, nd, tarball, pd, []string{"-v", pd + ":/data"})
		})
		if ok {
			passed++
		}
	}
	t.Logf("Alpine applets: %d of %d pass", passed, len(applets))
}

// paddockWith is paddock with extra options before the command.
func paddockWith(t testing.TB, root, workdir string, opts []string, stdin string, argv ...string) result {
	t.Helper()
	bin := built(t, "paddock")
	args := []string{bin, "run", "--root", root, "-w", workdir}
	args = append(args, opts...)
	args = append(args, "--")
	args = append(args, argv...)
	return run(t, &exec.Cmd{Path: bin, Args: args, Env: []string{}}, stdin)
}
