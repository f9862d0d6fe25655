// Package procfs is /proc: files generated from the kernel's state at the
// moment they are opened, in Linux's formats (fs/proc).
package procfs

import (
	"hash/fnv"

	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

// FS is a proc file system for one kernel.
type FS struct {
	k   *kernel.Kernel
	dev uint64
}

// New returns the proc file system of k, to mount on /proc.
func New(k *kernel.Kernel) *FS {
	return &FS{k: k, dev: k.VFS().AnonDev()}
}

// Root returns /proc.
func (fs *FS) Root() vfs.Inode { return &rootDir{node: fs.node("/", abi.S_IFDIR|0o555, 0, 0)} }

// Type is "proc".
func (fs *FS) Type() string { return "proc" }

// Statfs describes proc as Linux does: no blocks, PROC_SUPER_MAGIC.
func (fs *FS) Statfs() abi.Statfs {
	return abi.Statfs{Type: abi.PROC_SUPER_MAGIC, Bsize: abi.PageSize, Namelen: 255, Frsize: abi.PageSize,
		Flags: abi.ST_NOSUID | abi.ST_NODEV | abi.ST_NOEXEC | abi.ST_RELATIME}
}

// CacheDentries is false: processes come and go on their own.
func (fs *FS) CacheDentries() bool { return false }

// node is what every proc inode has: an identity and an owner.
type node struct {
	vfs.InodeBase
	fs       *FS
	ino      uint64
	mode     uint32
	uid, gid uint32
}

// node makes the node for path; its inode number is a hash of the path, so
// that it is stable for as long as the path means the same thing.
func (fs *FS) node(path string, mode, uid, gid uint32) node {
	h := fnv.New64a()
	h.Write([]byte(path))
	ino := uint64(1)
	if path != "/" {
		ino = h.Sum64()&0xffffffff | 0x100000000
	}
	return node{fs: fs, ino: ino, mode: mode, uid: uid, gid: gid}
}

// Attr reports the node's metadata; proc files have no size, and their
// times are the moment they are looked at.
func (n *node) Attr() vfs.Attr {
	now := n.fs.k.RealtimeNow()
	nlink := uint64(1)
	if n.mode&abi.S_IFMT == abi.S_IFDIR {
		nlink = 2
	}
	return vfs.Attr{Ino: n.ino, Dev: n.fs.dev, Mode: n.mode, Nlink: nlink, UID: n.uid, GID: n.gid,
		Blksize: 1024, Atime: now, Mtime: now, Ctime: now}
}

// Create fails as Linux's does: proc's lookup of a name it does not know
// fails with ENOENT before any creation is tried.
func (n *node) Create(string, *vfs.NewInode) (vfs.Inode, error) { return nil, abi.ENOENT }

// Link, Unlink, Rmdir and Rename: proc's directories have no such
// operations, which the VFS answers with EPERM.
func (n *node) Link(string, vfs.Inode) error { return abi.EPERM }

// Unlink refuses: see Link.
func (n *node) Unlink(string) error { return abi.EPERM }

// Rmdir refuses: see Link.
func (n *node) Rmdir(string) error { return abi.EPERM }

// Rename refuses: see Link.
func (n *node) Rename(string, vfs.Inode, string, bool) error { return abi.EPERM }

// entry is one name in a fixed directory and how to make its inode.
type entry struct {
	name string
	typ  uint8 // DT_*
	make func(path string) vfs.Inode
}

// dir is a directory with a fixed list of entries.
type dir struct {
	node
	path    string
	entries []entry
}

func (fs *FS) dir(path string, uid, gid uint32, entries []entry) *dir {
	return &dir{node: fs.node(path, abi.S_IFDIR|0o555, uid, gid), path: path, entries: entries}
}

// Lookup finds a fixed entry.
func (d *dir) Lookup(name string) (vfs.Inode, error) {
	for _, e := range d.entries {
		if e.name == name {
			return e.make(join(d.path, name)), nil
		}
	}
	return nil, abi.ENOENT
}

// ReadDir lists the fixed entries.
func (d *dir) ReadDir() ([]vfs.Dirent, error) {
	out := make([]vfs.Dirent, len(d.entries))
	for i, e := range d.entries {
		out[i] = vfs.Dirent{Name: e.name, Ino: d.fs.node(join(d.path, e.name), 0, 0, 0).ino, Type: e.typ}
	}
	return out, nil
}

func join(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// file is a file whose contents are generated when it is opened; write,
// if set, takes what the guest writes.
type file struct {
	node
	gen   func() ([]byte, error)
	write func(b []byte) error
}

func (fs *FS) file(path string, mode, uid, gid uint32, gen func() ([]byte, error)) *file {
	return &file{node: fs.node(path, abi.S_IFREG|mode, uid, gid), gen: gen}
}

// text wraps a generator of a string.
func text(f func() string) func() ([]byte, error) {
	return func() ([]byte, error) { return []byte(f()), nil }
}

// Open generates the contents. A file without a writer may still be
// opened for writing by whoever passes the permission check; its writes
// fail with EINVAL, as Linux's do without FMODE_CAN_WRITE.
func (f *file) Open(flags uint32) (vfs.FileOps, error) {
	var b []byte
	if flags&abi.O_ACCMODE != abi.O_WRONLY {
		var err error
		if b, err = f.gen(); err != nil {
			return nil, err
		}
	}
	return &snapshot{b: b, write: f.write}, nil
}

// SetAttr accepts a truncation of a writable file (the shell's > opens
// with O_TRUNC), which changes nothing.
func (f *file) SetAttr(s *vfs.SetAttr) error {
	if f.write != nil && s.SetSize && s.Size == 0 {
		return nil
	}
	return abi.EPERM
}

// snapshot is an open proc file: the contents as generated at open.
type snapshot struct {
	b     []byte
	write func([]byte) error
}

// Read reads from the snapshot.
func (s *snapshot) Read(_ vfs.Context, _ *vfs.File, dst []byte, off int64) (int, error) {
	if off >= int64(len(s.b)) {
		return 0, nil
	}
	return copy(dst, s.b[off:]), nil
}

// Write hands the data to the file's writer.
func (s *snapshot) Write(_ vfs.Context, _ *vfs.File, src []byte, _ int64) (int, error) {
	if s.write == nil {
		return 0, abi.EINVAL
	}
	if err := s.write(src); err != nil {
		return 0, err
	}
	return len(src), nil
}

// link is a symbolic link whose target is computed at lookup. jump, if
// set, is where following the link leads (Linux's "magic links":
// /proc/PID/fd/N, cwd, root and exe lead to the object itself, whatever
// its name now is).
type link struct {
	node
	target string
	jump   func() (vfs.Location, error)
}

func (fs *FS) link(path string, uid, gid uint32, target string) *link {
	return &link{node: fs.node(path, abi.S_IFLNK|0o777, uid, gid), target: target}
}

// Readlink returns the target.
func (l *link) Readlink() (string, error) { return l.target, nil }

// Jump implements vfs.LinkJumper.
func (l *link) Jump() (vfs.Location, bool, error) {
	if l.jump == nil {
		return vfs.Location{}, false, nil
	}
	loc, err := l.jump()
	return loc, true, err
}
