package vfs

import (
	"paddock/abi"
)

// Attr is an inode's metadata.
type Attr struct {
	Ino     uint64
	Dev     uint64 // the file system's device number
	Mode    uint32 // file type and permission bits
	Nlink   uint64
	UID     uint32
	GID     uint32
	Rdev    uint64
	Size    int64
	Blocks  int64 // 512-byte units allocated
	Blksize int64
	Atime   abi.Timespec
	Mtime   abi.Timespec
	Ctime   abi.Timespec
	Btime   abi.Timespec
	// HasBtime says the file system knows the creation time, so statx may
	// claim STATX_BTIME.
	HasBtime bool
}

// IsDir reports whether a is a directory.
func (a *Attr) IsDir() bool { return a.Mode&abi.S_IFMT == abi.S_IFDIR }

// IsRegular reports whether a is a regular file.
func (a *Attr) IsRegular() bool { return a.Mode&abi.S_IFMT == abi.S_IFREG }

// IsSymlink reports whether a is a symbolic link.
func (a *Attr) IsSymlink() bool { return a.Mode&abi.S_IFMT == abi.S_IFLNK }

// Type returns the file type bits of the mode.
func (a *Attr) Type() uint32 { return a.Mode & abi.S_IFMT }

// Stat converts a to struct stat.
func (a *Attr) Stat() abi.Stat {
	return abi.Stat{
		Dev: a.Dev, Ino: a.Ino, Nlink: a.Nlink, Mode: a.Mode, UID: a.UID, GID: a.GID, Rdev: a.Rdev,
		Size: a.Size, Blksize: a.Blksize, Blocks: a.Blocks, Atime: a.Atime, Mtime: a.Mtime, Ctime: a.Ctime,
	}
}

// SetAttr is a change of metadata: chmod, chown, utimensat and truncate.
// Only the fields whose Set flag is true change.
type SetAttr struct {
	SetMode  bool
	Mode     uint32 // permission bits only
	SetUID   bool
	UID      uint32
	SetGID   bool
	GID      uint32
	SetSize  bool
	Size     int64
	SetAtime bool
	Atime    abi.Timespec
	SetMtime bool
	Mtime    abi.Timespec
	// SetCtime sets ctime (to Ctime): every change but a pure size change
	// of zero bytes does it.
	SetCtime bool
	Ctime    abi.Timespec
}

// Creds are the credentials a file system operation runs with.
type Creds struct {
	UID, GID   uint32 // effective ids (used for access and new files)
	RUID, RGID uint32 // real ids (access(2) checks with these)
	Groups     []uint32
}

// Root reports whether c has root's power over files
// (CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_CHOWN in a user namespace paddock
// does not model: uid 0 has them all).
func (c *Creds) Root() bool { return c.UID == 0 }

// InGroup reports whether gid is c's group or a supplementary group.
func (c *Creds) InGroup(gid uint32) bool {
	if c.GID == gid {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}

// Permission access bits for CheckAccess.
const (
	MayExec  = 1
	MayWrite = 2
	MayRead  = 4
)

// CheckAccess implements generic_permission (fs/namei.c): the owner,
// group or other bits decide, and root may do anything except execute a
// file no one may execute.
func CheckAccess(c *Creds, a *Attr, want uint32) error {
	if c.Root() {
		if want&MayExec != 0 && !a.IsDir() && a.Mode&0o111 == 0 {
			return abi.EACCES
		}
		return nil
	}
	mode := a.Mode
	switch {
	case c.UID == a.UID:
		mode >>= 6
	case c.InGroup(a.GID):
		mode >>= 3
	}
	if mode&want&7 != want&7 {
		return abi.EACCES
	}
	return nil
}
