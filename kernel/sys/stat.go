package sys

import (
	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

func putStat(t *kernel.Task, addr uint64, a vfs.Attr) error {
	st := a.Stat()
	b := make([]byte, abi.SizeofStat)
	st.Encode(b)
	return t.CopyOut(addr, b)
}

func statAt(t *kernel.Task, dirfd int32, pathAddr, statAddr uint64, flags uint32) (uint64, error) {
	if flags&^(abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH|abi.AT_NO_AUTOMOUNT) != 0 {
		return 0, abi.EINVAL
	}
	_, ino, err := locationAt(t, dirfd, pathAddr, flags)
	if err != nil {
		return 0, err
	}
	return 0, putStat(t, statAddr, ino.Attr())
}

// Stat implements stat(2).
func Stat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return statAt(t, abi.AT_FDCWD, a[0], a[1], 0)
}

// Lstat implements lstat(2).
func Lstat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return statAt(t, abi.AT_FDCWD, a[0], a[1], abi.AT_SYMLINK_NOFOLLOW)
}

// Newfstatat implements newfstatat(2).
func Newfstatat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return statAt(t, a.Int(0), a[1], a[2], a.Uint(3))
}

// Fstat implements fstat(2).
func Fstat(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := fileRaw(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	return 0, putStat(t, a[1], f.Inode.Attr())
}

// statxAttributesMask is what statx reports it can say about
// stx_attributes, per file system type, as Linux 6.1 does for ext4 and
// tmpfs; every file system adds STATX_ATTR_MOUNT_ROOT.
func statxAttributesMask(fsType string) uint64 {
	m := uint64(abi.STATX_ATTR_MOUNT_ROOT)
	switch fsType {
	case "ext4":
		m |= abi.STATX_ATTR_APPEND | abi.STATX_ATTR_COMPRESSED | abi.STATX_ATTR_ENCRYPTED |
			abi.STATX_ATTR_IMMUTABLE | abi.STATX_ATTR_NODUMP | abi.STATX_ATTR_VERITY
	case "tmpfs":
		m |= abi.STATX_ATTR_APPEND | abi.STATX_ATTR_IMMUTABLE | abi.STATX_ATTR_NODUMP
	}
	return m
}

// Statx implements statx(2). Every field the returned mask claims is
// filled: the basic stats, the birth time where the file system keeps one,
// and the mount id.
func Statx(t *kernel.Task, a kernel.Args) (uint64, error) {
	dirfd, flags, mask := a.Int(0), a.Uint(2), a.Uint(3)
	if flags&^(abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH|abi.AT_NO_AUTOMOUNT|abi.AT_STATX_SYNC_TYPE) != 0 ||
		flags&abi.AT_STATX_SYNC_TYPE == abi.AT_STATX_SYNC_TYPE || mask&abi.STATX__RESERVED != 0 {
		return 0, abi.EINVAL
	}
	l, ino, err := locationAt(t, dirfd, a[1], flags)
	if err != nil {
		return 0, err
	}
	at := ino.Attr()
	sx := abi.Statx{
		Mask:    abi.STATX_BASIC_STATS | abi.STATX_MNT_ID,
		Blksize: uint32(at.Blksize), Nlink: uint32(at.Nlink), UID: at.UID, GID: at.GID, Mode: uint16(at.Mode),
		Ino: at.Ino, Size: uint64(at.Size), Blocks: uint64(at.Blocks),
		Atime:     abi.StatxTimestamp{Sec: at.Atime.Sec, Nsec: uint32(at.Atime.Nsec)},
		Mtime:     abi.StatxTimestamp{Sec: at.Mtime.Sec, Nsec: uint32(at.Mtime.Nsec)},
		Ctime:     abi.StatxTimestamp{Sec: at.Ctime.Sec, Nsec: uint32(at.Ctime.Nsec)},
		RdevMajor: abi.Major(at.Rdev), RdevMinor: abi.Minor(at.Rdev),
		DevMajor: abi.Major(at.Dev), DevMinor: abi.Minor(at.Dev),
	}
	if at.HasBtime {
		sx.Mask |= abi.STATX_BTIME
		sx.Btime = abi.StatxTimestamp{Sec: at.Btime.Sec, Nsec: uint32(at.Btime.Nsec)}
	}
	if l.Valid() {
		sx.MntID = uint64(l.Mount.ID)
		sx.AttributesMask = statxAttributesMask(l.Mount.FS.Type())
		if l.Dentry == l.Mount.Root {
			sx.Attributes |= abi.STATX_ATTR_MOUNT_ROOT
		}
	} else {
		sx.Mask &^= abi.STATX_MNT_ID
	}
	b := make([]byte, abi.SizeofStatx)
	sx.Encode(b)
	return 0, t.CopyOut(a[4], b)
}

func putStatfs(t *kernel.Task, addr uint64, l vfs.Location) error {
	s := l.Mount.FS.Statfs()
	if l.Mount.ReadOnly {
		s.Flags |= abi.ST_RDONLY
	}
	b := make([]byte, abi.SizeofStatfs)
	s.Encode(b)
	return t.CopyOut(addr, b)
}

// Statfs implements statfs(2).
func Statfs(t *kernel.Task, a kernel.Args) (uint64, error) {
	l, _, err := locationAt(t, abi.AT_FDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	return 0, putStatfs(t, a[1], l)
}

// Fstatfs implements fstatfs(2); pipes and the console report their own
// pseudo file systems.
func Fstatfs(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := fileRaw(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if !f.Loc.Valid() {
		s := abi.Statfs{Type: abi.PIPEFS_MAGIC, Bsize: abi.PageSize, Namelen: abi.NAME_MAX, Frsize: abi.PageSize}
		b := make([]byte, abi.SizeofStatfs)
		s.Encode(b)
		return 0, t.CopyOut(a[1], b)
	}
	return 0, putStatfs(t, a[1], f.Loc)
}
