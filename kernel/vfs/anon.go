package vfs

import "paddock/abi"

// anonInode is the one inode that every anon_inode file shares (eventfd,
// epoll, timerfd, signalfd), as in Linux's anon_inodefs: mode 0600 with
// no file type bits, owned by root.
type anonInode struct {
	InodeBase
	attr Attr
}

func (i *anonInode) Attr() Attr { return i.attr }

// anonDev is anon_inodefs's device number.
var anonDev = abi.Makedev(0, 14)

// NewAnonFile returns an open anonymous file named "anon_inode:[kind]"
// whose operations are ops.
func (v *VFS) NewAnonFile(kind string, ops FileOps, flags uint32) *File {
	v.mu.Lock()
	if v.anon == nil {
		now := v.Now()
		v.anon = &anonInode{attr: Attr{Ino: 1, Dev: anonDev, Mode: 0o600, Nlink: 1,
			Blksize: abi.PageSize, Atime: now, Mtime: now, Ctime: now}}
	}
	inode := v.anon
	v.mu.Unlock()
	f := NewFile(Location{}, inode, ops, flags)
	f.Name = "anon_inode:[" + kind + "]"
	return f
}

// anonFS holds the files that have no place in the tree (pipes, sockets,
// anonymous inodes, the host's standard files) when a path reaches them
// through /proc/PID/fd. It is mounted nowhere.
type anonFS struct{ root *anonInode }

func (fs anonFS) Root() Inode         { return fs.root }
func (fs anonFS) Type() string        { return "anon_inodefs" }
func (fs anonFS) Statfs() abi.Statfs  { return abi.Statfs{Bsize: abi.PageSize, Namelen: 255} }
func (fs anonFS) CacheDentries() bool { return false }

// AnonLocation returns a location for f, which has none in the tree: what
// following /proc/PID/fd/N leads to, so that stat sees the file and open
// opens it again (a pipe's end joins the same pipe).
// It takes no VFS lock: path walks call it with the lock held.
func (v *VFS) AnonLocation(name string, inode Inode) Location {
	m := v.anonMount
	return Location{Mount: m, Dentry: &Dentry{Name: name, Parent: m.Root, Inode: inode}}
}

// newAnonMount makes the mount AnonLocation uses.
func newAnonMount() *Mount {
	root := &anonInode{attr: Attr{Dev: anonDev, Mode: abi.S_IFDIR | 0o500, Nlink: 2}}
	return &Mount{FS: anonFS{root}, Root: &Dentry{Name: "/", Inode: root}, Source: "none"}
}
