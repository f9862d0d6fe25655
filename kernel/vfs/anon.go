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
