package vfs

import (
	"errors"
	"sort"
	"testing"
	"time"

	"paddock/abi"
)

type testCtx struct{ c Creds }

func (t *testCtx) Creds() *Creds                  { return &t.c }
func (t *testCtx) Block(*Waiter, time.Time) error { return abi.EINTR }

var clock int64

func tick() abi.Timespec { clock += 1e9; return abi.NsecTimespec(clock) }

func newTestVFS(t *testing.T) (*VFS, *Resolver, *testCtx) {
	t.Helper()
	fs := NewMemFS(1, 0o755, tick)
	v := New(fs, "none", tick)
	ctx := &testCtx{}
	r := &Resolver{Creds: &ctx.c, Root: v.Root(), Start: v.Root()}
	return v, r, ctx
}

func mkfile(t *testing.T, v *VFS, r *Resolver, ctx *testCtx, path, data string) {
	t.Helper()
	f, err := v.Open(ctx, r, path, abi.O_CREAT|abi.O_WRONLY|abi.O_TRUNC, 0o644)
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	if _, err := f.Write(ctx, []byte(data)); err != nil {
		t.Fatal(err)
	}
	f.DecRef()
}

func readfile(t *testing.T, v *VFS, r *Resolver, ctx *testCtx, path string) string {
	t.Helper()
	f, err := v.Open(ctx, r, path, abi.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.DecRef()
	b := make([]byte, 100)
	n, _ := f.Read(ctx, b)
	return string(b[:n])
}

func TestPathRules(t *testing.T) {
	v, r, ctx := newTestVFS(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(v.Mknod(r, "/d", abi.S_IFDIR|0o755, 0, ""))
	must(v.Mknod(r, "/d/sub", abi.S_IFDIR|0o755, 0, ""))
	mkfile(t, v, r, ctx, "/d/f", "hello")
	must(v.Mknod(r, "/d/abs", abi.S_IFLNK|0o777, 0, "/d/f"))
	must(v.Mknod(r, "/d/rel", abi.S_IFLNK|0o777, 0, "sub/../f"))
	must(v.Mknod(r, "/d/dangling", abi.S_IFLNK|0o777, 0, "newfile"))
	must(v.Mknod(r, "/d/loop", abi.S_IFLNK|0o777, 0, "loop"))
	must(v.Mknod(r, "/d/up", abi.S_IFLNK|0o777, 0, "../../../../../.."))

	cases := []struct {
		path   string
		follow bool
		want   string // content of the file found, or "" for a directory
		err    error
	}{
		{"/d/f", true, "hello", nil},
		{"/d/abs", true, "hello", nil},
		{"/d/rel", true, "hello", nil},
		{"d/./sub/../f", true, "hello", nil},
		{"/../../d/f", true, "hello", nil},
		{"/d/up/d/f", true, "hello", nil},
		{"/d/f/", true, "", abi.ENOTDIR},
		{"/d/f/x", true, "", abi.ENOTDIR},
		{"/d/missing", true, "", abi.ENOENT},
		{"/d/loop", true, "", abi.ELOOP},
		{"/d/loop", false, "link", nil},
		{"/d/dangling", true, "", abi.ENOENT},
		{"", true, "", abi.ENOENT},
		{"/d/sub/", true, "", nil},
	}
	for _, c := range cases {
		l, a, err := v.Lookup(r, c.path, c.follow)
		if !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("%q: err %v, want %v", c.path, err, c.err)
			continue
		}
		if err != nil {
			continue
		}
		switch {
		case c.want == "link" && !a.IsSymlink():
			t.Errorf("%q: not the link itself", c.path)
		case c.want == "" && !a.IsDir():
			t.Errorf("%q: not a directory", c.path)
		case c.want != "" && c.want != "link":
			if got := readfile(t, v, r, ctx, c.path); got != c.want || !a.IsRegular() || !l.Valid() {
				t.Errorf("%q: read %q", c.path, got)
			}
		}
	}
	// O_CREAT through a dangling symlink creates its target.
	f, err := v.Open(ctx, r, "/d/dangling", abi.O_CREAT|abi.O_WRONLY, 0o600)
	if err != nil {
		t.Fatalf("create through dangling link: %v", err)
	}
	f.DecRef()
	if _, a, err := v.Lookup(r, "/d/newfile", false); err != nil || !a.IsRegular() {
		t.Errorf("target not created: %v", err)
	}
	if _, err := v.Open(ctx, r, "/d/abs", abi.O_CREAT|abi.O_EXCL|abi.O_WRONLY, 0o600); !errors.Is(err, abi.EEXIST) {
		t.Errorf("O_EXCL on a symlink: %v", err)
	}
	if _, err := v.Open(ctx, r, "/d/abs", abi.O_RDONLY|abi.O_NOFOLLOW, 0); !errors.Is(err, abi.ELOOP) {
		t.Errorf("O_NOFOLLOW on a symlink: %v", err)
	}
	if _, err := v.Open(ctx, r, "/d", abi.O_WRONLY, 0); !errors.Is(err, abi.EISDIR) {
		t.Errorf("open dir for write: %v", err)
	}
	if _, err := v.Open(ctx, r, "/d/f", abi.O_RDONLY|abi.O_DIRECTORY, 0); !errors.Is(err, abi.ENOTDIR) {
		t.Errorf("O_DIRECTORY on a file: %v", err)
	}
	if _, err := v.Open(ctx, r, "/d/new/", abi.O_CREAT|abi.O_WRONLY, 0o600); !errors.Is(err, abi.EISDIR) {
		t.Errorf("O_CREAT with trailing slash: %v", err)
	}
}

func TestNamespaceErrors(t *testing.T) {
	v, r, ctx := newTestVFS(t)
	v.Mknod(r, "/a", abi.S_IFDIR|0o755, 0, "")
	v.Mknod(r, "/a/b", abi.S_IFDIR|0o755, 0, "")
	mkfile(t, v, r, ctx, "/a/f", "x")
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"mkdir existing", v.Mknod(r, "/a", abi.S_IFDIR|0o755, 0, ""), abi.EEXIST},
		{"mkdir /", v.Mknod(r, "/", abi.S_IFDIR|0o755, 0, ""), abi.EEXIST},
		{"mkdir .", v.Mknod(r, "/a/.", abi.S_IFDIR|0o755, 0, ""), abi.EEXIST},
		{"rmdir non-empty", v.Unlink(r, "/a", true), abi.ENOTEMPTY},
		{"rmdir file", v.Unlink(r, "/a/f", true), abi.ENOTDIR},
		{"rmdir .", v.Unlink(r, "/a/.", true), abi.EINVAL},
		{"rmdir ..", v.Unlink(r, "/a/b/..", true), abi.ENOTEMPTY},
		{"rmdir /", v.Unlink(r, "/", true), abi.EBUSY},
		{"unlink dir", v.Unlink(r, "/a/b", false), abi.EISDIR},
		{"unlink missing", v.Unlink(r, "/a/zz", false), abi.ENOENT},
		{"rename dir into itself", v.Rename(r, "/a", r, "/a/b/c", 0), abi.EINVAL},
		{"rename dir over file", v.Rename(r, "/a/b", r, "/a/f", 0), abi.ENOTDIR},
		{"rename file over dir", v.Rename(r, "/a/f", r, "/a/b", 0), abi.EISDIR},
		{"rename noreplace", v.Rename(r, "/a/f", r, "/a/f2", abi.RENAME_NOREPLACE), nil},
		{"rename noreplace existing", v.Rename(r, "/a/f2", r, "/a/b/..", abi.RENAME_NOREPLACE), abi.EBUSY},
		{"link dir", v.Link(mustWalk(t, v, r, "/a/b"), r, "/a/b2"), abi.EPERM},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) || (c.want == nil) != (c.err == nil) {
			t.Errorf("%s: %v, want %v", c.name, c.err, c.want)
		}
	}
}

func mustWalk(t *testing.T, v *VFS, r *Resolver, p string) Location {
	t.Helper()
	l, err := v.Walk(r, p, false)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestNlinkAndTimes(t *testing.T) {
	v, r, ctx := newTestVFS(t)
	v.Mknod(r, "/p", abi.S_IFDIR|0o755, 0, "")
	_, p0, _ := v.Lookup(r, "/p", false)
	v.Mknod(r, "/p/c1", abi.S_IFDIR|0o755, 0, "")
	v.Mknod(r, "/p/c2", abi.S_IFDIR|0o755, 0, "")
	_, p1, _ := v.Lookup(r, "/p", false)
	if p1.Nlink != 4 {
		t.Errorf("dir with two subdirs: nlink %d", p1.Nlink)
	}
	if p1.Mtime.Nsec64() <= p0.Mtime.Nsec64() || p1.Ctime.Nsec64() <= p0.Ctime.Nsec64() {
		t.Error("mkdir did not update the parent's mtime and ctime")
	}
	mkfile(t, v, r, ctx, "/p/f", "data")
	v.Link(mustWalk(t, v, r, "/p/f"), r, "/p/g")
	_, fa, _ := v.Lookup(r, "/p/f", false)
	if fa.Nlink != 2 || fa.Size != 4 || fa.Blocks != 8 || !fa.HasBtime {
		t.Errorf("after link: %+v", fa)
	}
	v.Rename(r, "/p/c1", r, "/p/c2/moved", 0)
	_, pa, _ := v.Lookup(r, "/p", false)
	_, c2, _ := v.Lookup(r, "/p/c2", false)
	if pa.Nlink != 3 || c2.Nlink != 3 {
		t.Errorf("after moving a subdir: parent nlink %d, new parent %d", pa.Nlink, c2.Nlink)
	}
	before := fa.Ctime
	v.Chmod(r.Creds, mustWalk(t, v, r, "/p/f"), 0o600)
	_, fa2, _ := v.Lookup(r, "/p/f", false)
	if fa2.Mode != abi.S_IFREG|0o600 || fa2.Ctime.Nsec64() <= before.Nsec64() || fa2.Mtime != fa.Mtime {
		t.Errorf("chmod: mode %o ctime %v mtime %v", fa2.Mode, fa2.Ctime, fa2.Mtime)
	}
	at := abi.Timespec{Sec: 100, Nsec: 5}
	v.Utimes(r.Creds, mustWalk(t, v, r, "/p/f"), &at, nil, false, true)
	_, fa3, _ := v.Lookup(r, "/p/f", false)
	if fa3.Atime != at || fa3.Mtime != fa2.Mtime {
		t.Errorf("utimensat(atime, UTIME_OMIT): atime %v mtime %v", fa3.Atime, fa3.Mtime)
	}
}

func TestGetdentsAndCwdPath(t *testing.T) {
	v, r, ctx := newTestVFS(t)
	v.Mknod(r, "/dir", abi.S_IFDIR|0o755, 0, "")
	for _, n := range []string{"b", "a", "c"} {
		mkfile(t, v, r, ctx, "/dir/"+n, n)
	}
	f, err := v.Open(ctx, r, "/dir", abi.O_RDONLY|abi.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	buf := make([]byte, 64)
	for {
		n, err := f.Getdents64(buf)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		for off := 0; off < n; {
			reclen := int(buf[off+16]) | int(buf[off+17])<<8
			name := buf[off+19 : off+reclen]
			for i, ch := range name {
				if ch == 0 {
					name = name[:i]
					break
				}
			}
			names = append(names, string(name))
			off += reclen
		}
	}
	sort.Strings(names)
	if got := names; len(got) != 5 || got[0] != "." || got[1] != ".." || got[2] != "a" {
		t.Errorf("entries %v", got)
	}
	if _, err := f.Getdents64(make([]byte, 8)); err != nil {
		t.Errorf("getdents at end: %v", err)
	}
	f.Seek(0, abi.SEEK_SET)
	if _, err := f.Getdents64(make([]byte, 8)); !errors.Is(err, abi.EINVAL) {
		t.Errorf("tiny buffer: %v", err)
	}
	v.Mknod(r, "/dir/sub", abi.S_IFDIR|0o755, 0, "")
	l := mustWalk(t, v, r, "/dir/sub")
	v.Rename(r, "/dir", r, "/moved", 0)
	if p, ok := v.Path(v.Root(), l); !ok || p != "/moved/sub" {
		t.Errorf("path after rename: %q %v", p, ok)
	}
	v.Unlink(r, "/moved/sub", true)
	if p, _ := v.Path(v.Root(), l); p != "/moved/sub (deleted)" {
		t.Errorf("path after rmdir: %q", p)
	}
}

func TestPermissions(t *testing.T) {
	v, r, ctx := newTestVFS(t)
	v.Mknod(r, "/priv", abi.S_IFDIR|0o700, 0, "")
	mkfile(t, v, r, ctx, "/priv/f", "x")
	mkfile(t, v, r, ctx, "/ro", "x")
	v.Chmod(r.Creds, mustWalk(t, v, r, "/ro"), 0o444)
	user := &testCtx{c: Creds{UID: 1000, GID: 1000}}
	ur := &Resolver{Creds: &user.c, Root: v.Root(), Start: v.Root()}
	if _, _, err := v.Lookup(ur, "/priv/f", true); !errors.Is(err, abi.EACCES) {
		t.Errorf("search in 0700 dir as other user: %v", err)
	}
	if _, err := v.Open(user, ur, "/ro", abi.O_WRONLY, 0); !errors.Is(err, abi.EACCES) {
		t.Errorf("write 0444 file as other user: %v", err)
	}
	if f, err := v.Open(ctx, r, "/ro", abi.O_WRONLY, 0); err != nil {
		t.Errorf("root writing a 0444 file: %v", err)
	} else {
		f.DecRef()
	}
	if err := v.Chmod(&user.c, mustWalk(t, v, r, "/ro"), 0o777); !errors.Is(err, abi.EPERM) {
		t.Errorf("chmod of another's file: %v", err)
	}
	if err := v.Mknod(ur, "/dev0", abi.S_IFCHR|0o600, 1, ""); !errors.Is(err, abi.EACCES) && !errors.Is(err, abi.EPERM) {
		t.Errorf("mknod as user: %v", err)
	}
}
