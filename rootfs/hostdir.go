package rootfs

import (
	"io"
	"io/fs"
	"os"
	"path"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"paddock/abi"
	"paddock/host"
	"paddock/kernel/vfs"
)

// HostDir is a host directory used as a guest file system, written in
// place. Every host access goes through an os.Root, so that no path, symlink
// or race can reach a host file outside the directory; the VFS resolves
// guest symlinks itself, inside the guest's root.
type HostDir struct {
	root *os.Root
	dir  string

	mu sync.Mutex
	// dirs keeps one inode object per host directory (by device and inode
	// number), so that mount points inside the tree are recognised.
	dirs map[[2]uint64]*hostInode
}

// NewHostDir opens dir as a file system.
func NewHostDir(dir string) (*HostDir, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &HostDir{root: r, dir: dir, dirs: map[[2]uint64]*hostInode{}}, nil
}

// Root implements vfs.FileSystem.
func (h *HostDir) Root() vfs.Inode {
	in, err := h.inode(".")
	if err != nil {
		return &hostInode{h: h, path: "."}
	}
	return in
}

// Type implements vfs.FileSystem: the host directory is shown like a bind
// mount of an ext4 file system.
func (h *HostDir) Type() string { return "ext4" }

// CacheDentries implements vfs.FileSystem: host processes may change the
// directory behind paddock's back, so every lookup asks the host.
func (h *HostDir) CacheDentries() bool { return false }

// Statfs implements vfs.FileSystem.
func (h *HostDir) Statfs() abi.Statfs {
	var st unix.Statfs_t
	if err := unix.Statfs(h.dir, &st); err != nil {
		return abi.Statfs{Type: abi.EXT4_SUPER_MAGIC, Bsize: 4096, Namelen: abi.NAME_MAX, Frsize: 4096}
	}
	return abi.Statfs{Type: int64(st.Type), Bsize: int64(st.Bsize), Blocks: st.Blocks, Bfree: st.Bfree,
		Bavail: st.Bavail, Files: st.Files, Ffree: st.Ffree, Fsid: st.Fsid.Val, Namelen: int64(st.Namelen),
		Frsize: int64(st.Frsize), Flags: int64(st.Flags)}
}

// hostErr converts a host error to the errno the guest sees.
func hostErr(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := host.Errno(err); ok {
		return e
	}
	// os.Root refuses paths that would leave the root.
	return abi.EACCES
}

func (h *HostDir) inode(p string) (*hostInode, error) {
	fi, err := h.root.Lstat(p)
	if err != nil {
		return nil, hostErr(err)
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	if st == nil {
		return &hostInode{h: h, path: p}, nil
	}
	if !fi.IsDir() {
		return &hostInode{h: h, path: p}, nil
	}
	key := [2]uint64{uint64(st.Dev), st.Ino}
	h.mu.Lock()
	defer h.mu.Unlock()
	if in, ok := h.dirs[key]; ok {
		in.path = p
		return in, nil
	}
	in := &hostInode{h: h, path: p}
	h.dirs[key] = in
	return in, nil
}

type hostInode struct {
	vfs.InodeBase
	h    *HostDir
	path string // relative to the root
}

func (i *hostInode) child(name string) string { return path.Join(i.path, name) }

func attrOf(fi fs.FileInfo) vfs.Attr {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return vfs.Attr{Mode: uint32(fi.Mode().Perm()), Size: fi.Size(), Nlink: 1}
	}
	return vfs.Attr{
		Ino: st.Ino, Dev: uint64(st.Dev), Mode: st.Mode, Nlink: uint64(st.Nlink), UID: st.Uid, GID: st.Gid,
		Rdev: uint64(st.Rdev), Size: st.Size, Blocks: st.Blocks, Blksize: int64(st.Blksize),
		Atime: abi.Timespec{Sec: st.Atim.Sec, Nsec: st.Atim.Nsec},
		Mtime: abi.Timespec{Sec: st.Mtim.Sec, Nsec: st.Mtim.Nsec},
		Ctime: abi.Timespec{Sec: st.Ctim.Sec, Nsec: st.Ctim.Nsec},
	}
}

// Attr implements vfs.Inode.
func (i *hostInode) Attr() vfs.Attr {
	fi, err := i.h.root.Lstat(i.path)
	if err != nil {
		// Removed behind our back: report an unlinked file.
		return vfs.Attr{Mode: abi.S_IFREG, Nlink: 0}
	}
	return attrOf(fi)
}

// SetAttr implements vfs.Inode. Changes to ctime are the host's to make.
func (i *hostInode) SetAttr(s *vfs.SetAttr) error {
	r := i.h.root
	if s.SetSize {
		f, err := r.OpenFile(i.path, os.O_WRONLY, 0)
		if err != nil {
			return hostErr(err)
		}
		err = f.Truncate(s.Size)
		f.Close()
		if err != nil {
			return hostErr(err)
		}
	}
	if s.SetMode {
		if err := r.Chmod(i.path, fs.FileMode(s.Mode&0o777)|modeBits(s.Mode)); err != nil {
			return hostErr(err)
		}
	}
	if s.SetUID || s.SetGID {
		uid, gid := -1, -1
		if s.SetUID {
			uid = int(s.UID)
		}
		if s.SetGID {
			gid = int(s.GID)
		}
		if err := r.Lchown(i.path, uid, gid); err != nil {
			return hostErr(err)
		}
	}
	if s.SetAtime || s.SetMtime {
		a := i.Attr()
		at, mt := a.Atime, a.Mtime
		if s.SetAtime {
			at = s.Atime
		}
		if s.SetMtime {
			mt = s.Mtime
		}
		if a.IsSymlink() {
			return abi.EOPNOTSUPP
		}
		if err := r.Chtimes(i.path, time.Unix(at.Sec, at.Nsec), time.Unix(mt.Sec, mt.Nsec)); err != nil {
			return hostErr(err)
		}
	}
	return nil
}

// modeBits converts the set-id and sticky bits to Go's FileMode flags.
func modeBits(m uint32) fs.FileMode {
	var f fs.FileMode
	if m&abi.S_ISUID != 0 {
		f |= fs.ModeSetuid
	}
	if m&abi.S_ISGID != 0 {
		f |= fs.ModeSetgid
	}
	if m&abi.S_ISVTX != 0 {
		f |= fs.ModeSticky
	}
	return f
}

// Lookup implements vfs.Inode.
func (i *hostInode) Lookup(name string) (vfs.Inode, error) {
	in, err := i.h.inode(i.child(name))
	if err != nil {
		return nil, err
	}
	return in, nil
}

// ReadDir implements vfs.Inode.
func (i *hostInode) ReadDir() ([]vfs.Dirent, error) {
	f, err := i.h.root.Open(i.path)
	if err != nil {
		return nil, hostErr(err)
	}
	defer f.Close()
	ents, err := f.ReadDir(-1)
	if err != nil {
		return nil, hostErr(err)
	}
	out := make([]vfs.Dirent, 0, len(ents))
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			continue
		}
		a := attrOf(fi)
		out = append(out, vfs.Dirent{Name: e.Name(), Ino: a.Ino, Type: abi.DirentType(a.Mode)})
	}
	return out, nil
}

// Create implements vfs.Inode. New files get exactly the requested mode
// (the host's umask is undone) and, when paddock may, the guest's owner.
func (i *hostInode) Create(name string, n *vfs.NewInode) (vfs.Inode, error) {
	p := i.child(name)
	r := i.h.root
	perm := fs.FileMode(n.Mode & 0o777)
	switch n.Mode & abi.S_IFMT {
	case abi.S_IFREG:
		f, err := r.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_RDWR, perm)
		if err != nil {
			return nil, hostErr(err)
		}
		f.Close()
	case abi.S_IFDIR:
		if err := r.Mkdir(p, perm); err != nil {
			return nil, hostErr(err)
		}
	case abi.S_IFLNK:
		if err := r.Symlink(n.Target, p); err != nil {
			return nil, hostErr(err)
		}
	case abi.S_IFIFO, abi.S_IFSOCK:
		// os.Root has no mknod: make the node relative to the parent
		// directory, opened through the root, by its last component. A
		// socket node needs no privilege; it is a name for paddock's
		// own socket, which no host process can reach through it.
		d, err := r.Open(i.path)
		if err != nil {
			return nil, hostErr(err)
		}
		err = unix.Mknodat(int(d.Fd()), name, n.Mode&abi.S_IFMT|uint32(perm), 0)
		d.Close()
		if err != nil {
			return nil, hostErr(err)
		}
	default:
		// Device nodes would need host privileges.
		return nil, abi.EPERM
	}
	if n.Mode&abi.S_IFMT != abi.S_IFLNK {
		r.Chmod(p, perm|modeBits(n.Mode))
	}
	if a := (&hostInode{h: i.h, path: p}).Attr(); a.UID != n.UID || a.GID != n.GID {
		r.Lchown(p, int(n.UID), int(n.GID))
	}
	return i.h.inode(p)
}

// Link implements vfs.Inode.
func (i *hostInode) Link(name string, target vfs.Inode) error {
	t, ok := target.(*hostInode)
	if !ok || t.h != i.h {
		return abi.EXDEV
	}
	return hostErr(i.h.root.Link(t.path, i.child(name)))
}

// Unlink implements vfs.Inode.
func (i *hostInode) Unlink(name string) error { return hostErr(i.h.root.Remove(i.child(name))) }

// Rmdir implements vfs.Inode.
func (i *hostInode) Rmdir(name string) error { return hostErr(i.h.root.Remove(i.child(name))) }

// Rename implements vfs.Inode; exchanging two names is not possible through
// os.Root.
func (i *hostInode) Rename(name string, newDir vfs.Inode, newName string, exchange bool) error {
	nd, ok := newDir.(*hostInode)
	if !ok || nd.h != i.h {
		return abi.EXDEV
	}
	if exchange {
		return abi.EINVAL
	}
	return hostErr(i.h.root.Rename(i.child(name), nd.child(newName)))
}

// Readlink implements vfs.Inode.
func (i *hostInode) Readlink() (string, error) {
	t, err := i.h.root.Readlink(i.path)
	return t, hostErr(err)
}

// Open implements vfs.Inode.
func (i *hostInode) Open(flags uint32) (vfs.FileOps, error) {
	mode := os.O_RDONLY
	switch flags & abi.O_ACCMODE {
	case abi.O_WRONLY:
		mode = os.O_WRONLY
	case abi.O_RDWR:
		mode = os.O_RDWR
	}
	f, err := i.h.root.OpenFile(i.path, mode, 0)
	if err != nil {
		return nil, hostErr(err)
	}
	return &hostFile{f: f}, nil
}

// hostFile is an open host file.
type hostFile struct{ f *os.File }

func (h *hostFile) Read(_ vfs.Context, _ *vfs.File, dst []byte, off int64) (int, error) {
	n, err := h.f.ReadAt(dst, off)
	if err == io.EOF {
		err = nil
	}
	return n, hostErr(err)
}

func (h *hostFile) Write(_ vfs.Context, _ *vfs.File, src []byte, off int64) (int, error) {
	n, err := h.f.WriteAt(src, off)
	return n, hostErr(err)
}

func (h *hostFile) Release()    { h.f.Close() }
func (h *hostFile) Sync() error { return hostErr(h.f.Sync()) }
