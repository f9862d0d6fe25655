package abi

// Open flags (include/uapi/asm-generic/fcntl.h, x86_64 values).
const (
	O_ACCMODE   = 0x3
	O_RDONLY    = 0x0
	O_WRONLY    = 0x1
	O_RDWR      = 0x2
	O_CREAT     = 0x40
	O_EXCL      = 0x80
	O_NOCTTY    = 0x100
	O_TRUNC     = 0x200
	O_APPEND    = 0x400
	O_NONBLOCK  = 0x800
	O_DSYNC     = 0x1000
	O_ASYNC     = 0x2000
	O_DIRECT    = 0x4000
	O_LARGEFILE = 0x8000
	O_DIRECTORY = 0x10000
	O_NOFOLLOW  = 0x20000
	O_NOATIME   = 0x40000
	O_CLOEXEC   = 0x80000
	O_SYNC      = 0x101000
	O_PATH      = 0x200000
	O_TMPFILE   = 0x410000
)

// Flags that live on the open file description and that F_SETFL may change
// (fs/fcntl.c SETFL_MASK).
const SetflMask = O_APPEND | O_NONBLOCK | O_NDELAY | O_DIRECT | O_NOATIME | O_ASYNC

// O_NDELAY is O_NONBLOCK on x86_64.
const O_NDELAY = O_NONBLOCK

// *at() directory and flag arguments (include/uapi/linux/fcntl.h).
const (
	AT_FDCWD            = -100
	AT_SYMLINK_NOFOLLOW = 0x100
	AT_REMOVEDIR        = 0x200
	AT_EACCESS          = 0x200
	AT_SYMLINK_FOLLOW   = 0x400
	AT_NO_AUTOMOUNT     = 0x800
	AT_EMPTY_PATH       = 0x1000
	AT_STATX_SYNC_TYPE  = 0x6000
	AT_RECURSIVE        = 0x8000
)

// close_range flags (include/uapi/linux/close_range.h).
const (
	CLOSE_RANGE_UNSHARE = 1 << 1
	CLOSE_RANGE_CLOEXEC = 1 << 2
)

// renameat2 flags.
const (
	RENAME_NOREPLACE = 1
	RENAME_EXCHANGE  = 2
	RENAME_WHITEOUT  = 4
)

// File type and permission bits of st_mode (include/uapi/linux/stat.h).
const (
	S_IFMT   = 0o170000
	S_IFSOCK = 0o140000
	S_IFLNK  = 0o120000
	S_IFREG  = 0o100000
	S_IFBLK  = 0o060000
	S_IFDIR  = 0o040000
	S_IFCHR  = 0o020000
	S_IFIFO  = 0o010000
	S_ISUID  = 0o4000
	S_ISGID  = 0o2000
	S_ISVTX  = 0o1000
)

// Directory entry types of getdents64's d_type (include/linux/fs_types.h).
const (
	DT_UNKNOWN = 0
	DT_FIFO    = 1
	DT_CHR     = 2
	DT_DIR     = 4
	DT_BLK     = 6
	DT_REG     = 8
	DT_LNK     = 10
	DT_SOCK    = 12
)

// DirentType returns the d_type for a file mode.
func DirentType(mode uint32) uint8 {
	switch mode & S_IFMT {
	case S_IFIFO:
		return DT_FIFO
	case S_IFCHR:
		return DT_CHR
	case S_IFDIR:
		return DT_DIR
	case S_IFBLK:
		return DT_BLK
	case S_IFREG:
		return DT_REG
	case S_IFLNK:
		return DT_LNK
	case S_IFSOCK:
		return DT_SOCK
	}
	return DT_UNKNOWN
}

// access(2) modes.
const (
	F_OK = 0
	X_OK = 1
	W_OK = 2
	R_OK = 4
)

// lseek whence values.
const (
	SEEK_SET  = 0
	SEEK_CUR  = 1
	SEEK_END  = 2
	SEEK_DATA = 3
	SEEK_HOLE = 4
)

// fcntl commands (include/uapi/asm-generic/fcntl.h, linux/fcntl.h).
const (
	F_DUPFD         = 0
	F_GETFD         = 1
	F_SETFD         = 2
	F_GETFL         = 3
	F_SETFL         = 4
	F_GETLK         = 5
	F_SETLK         = 6
	F_SETLKW        = 7
	F_SETOWN        = 8
	F_GETOWN        = 9
	F_SETSIG        = 10
	F_GETSIG        = 11
	F_SETOWN_EX     = 15
	F_GETOWN_EX     = 16
	F_OFD_GETLK     = 36
	F_OFD_SETLK     = 37
	F_OFD_SETLKW    = 38
	F_SETLEASE      = 1024
	F_GETLEASE      = 1025
	F_NOTIFY        = 1026
	F_DUPFD_CLOEXEC = 1030
	F_SETPIPE_SZ    = 1031
	F_GETPIPE_SZ    = 1032
	F_ADD_SEALS     = 1033
	F_GET_SEALS     = 1034
	FD_CLOEXEC      = 1
)

// Record lock types.
const (
	F_RDLCK = 0
	F_WRLCK = 1
	F_UNLCK = 2
)

// flock(2) operations.
const (
	LOCK_SH = 1
	LOCK_EX = 2
	LOCK_NB = 4
	LOCK_UN = 8
)

// utimensat special nanosecond values.
const (
	UTIME_NOW  = (1 << 30) - 1
	UTIME_OMIT = (1 << 30) - 2
)

// fallocate modes.
const (
	FALLOC_FL_KEEP_SIZE      = 0x01
	FALLOC_FL_PUNCH_HOLE     = 0x02
	FALLOC_FL_COLLAPSE_RANGE = 0x08
	FALLOC_FL_ZERO_RANGE     = 0x10
	FALLOC_FL_INSERT_RANGE   = 0x20
)

// statx mask bits (include/uapi/linux/stat.h).
const (
	STATX_TYPE        = 0x1
	STATX_MODE        = 0x2
	STATX_NLINK       = 0x4
	STATX_UID         = 0x8
	STATX_GID         = 0x10
	STATX_ATIME       = 0x20
	STATX_MTIME       = 0x40
	STATX_CTIME       = 0x80
	STATX_INO         = 0x100
	STATX_SIZE        = 0x200
	STATX_BLOCKS      = 0x400
	STATX_BASIC_STATS = 0x7ff
	STATX_BTIME       = 0x800
	STATX_MNT_ID      = 0x1000
	STATX__RESERVED   = 0x80000000
)

// statx attribute bits.
const (
	STATX_ATTR_COMPRESSED = 0x4
	STATX_ATTR_IMMUTABLE  = 0x10
	STATX_ATTR_APPEND     = 0x20
	STATX_ATTR_NODUMP     = 0x40
	STATX_ATTR_ENCRYPTED  = 0x800
	STATX_ATTR_AUTOMOUNT  = 0x1000
	STATX_ATTR_MOUNT_ROOT = 0x2000
	STATX_ATTR_VERITY     = 0x100000
	STATX_ATTR_DAX        = 0x200000
)

// Filesystem magic numbers for statfs's f_type (include/uapi/linux/magic.h).
const (
	EXT4_SUPER_MAGIC      = 0xEF53
	TMPFS_MAGIC           = 0x01021994
	PROC_SUPER_MAGIC      = 0x9fa0
	DEVPTS_SUPER_MAGIC    = 0x1cd1
	SYSFS_MAGIC           = 0x62656572
	PIPEFS_MAGIC          = 0x50495045
	SOCKFS_MAGIC          = 0x534F434B
	OVERLAYFS_SUPER_MAGIC = 0x794c7630
)

// statfs f_flags (ST_* from include/linux/statfs.h).
const (
	ST_RDONLY   = 0x0001
	ST_NOSUID   = 0x0002
	ST_NODEV    = 0x0004
	ST_NOEXEC   = 0x0008
	ST_RELATIME = 0x1000
)

// Path limits.
const (
	PATH_MAX = 4096
	NAME_MAX = 255
	// SymlinkMax is the number of symlinks a path walk follows before it
	// fails with ELOOP (MAXSYMLINKS in include/linux/namei.h).
	SymlinkMax = 40
)

// Makedev encodes a device number the way glibc and musl's makedev and the
// kernel's new_encode_dev do.
func Makedev(major, minor uint32) uint64 {
	return uint64(minor&0xff) | uint64(major&0xfff)<<8 | uint64(minor&^0xff)<<12 | uint64(major&^0xfff)<<32
}

// Major returns the major number of a device encoded by Makedev.
func Major(dev uint64) uint32 {
	return uint32((dev>>8)&0xfff) | uint32(dev>>32)&^0xfff
}

// Minor returns the minor number of a device encoded by Makedev.
func Minor(dev uint64) uint32 {
	return uint32(dev&0xff) | uint32(dev>>12)&^0xff
}

// Flock is struct flock for fcntl record locks on x86_64:
//
//	0 l_type i16   2 l_whence i16   8 l_start i64   16 l_len i64   24 l_pid i32
type Flock struct {
	Type   int16
	Whence int16
	Start  int64
	Len    int64
	Pid    int32
}

// SizeofFlock is sizeof(struct flock).
const SizeofFlock = 32

// Encode writes f into b[:32].
func (f *Flock) Encode(b []byte) {
	b = b[:SizeofFlock]
	clear(b)
	le.PutUint16(b[0:], uint16(f.Type))
	le.PutUint16(b[2:], uint16(f.Whence))
	le.PutUint64(b[8:], uint64(f.Start))
	le.PutUint64(b[16:], uint64(f.Len))
	le.PutUint32(b[24:], uint32(f.Pid))
}

// DecodeFlock reads a struct flock from b[:32].
func DecodeFlock(b []byte) Flock {
	return Flock{
		Type:   int16(le.Uint16(b[0:])),
		Whence: int16(le.Uint16(b[2:])),
		Start:  int64(le.Uint64(b[8:])),
		Len:    int64(le.Uint64(b[16:])),
		Pid:    int32(le.Uint32(b[24:])),
	}
}
