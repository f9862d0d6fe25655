package abi

import "encoding/binary"

var le = binary.LittleEndian

// Stat is struct stat as x86_64 Linux returns it from stat, fstat, lstat and
// newfstatat (arch/x86/include/uapi/asm/stat.h).
type Stat struct {
	Dev     uint64
	Ino     uint64
	Nlink   uint64
	Mode    uint32
	UID     uint32
	GID     uint32
	Rdev    uint64
	Size    int64
	Blksize int64
	Blocks  int64
	Atime   Timespec
	Mtime   Timespec
	Ctime   Timespec
}

// SizeofStat is sizeof(struct stat) on x86_64.
const SizeofStat = 144

// Encode writes s into b[:SizeofStat]:
//
//	 0 st_dev      u64     48 st_size     i64     96 st_mtime_nsec
//	 8 st_ino      u64     56 st_blksize  i64    104 st_ctime
//	16 st_nlink    u64     64 st_blocks   i64    112 st_ctime_nsec
//	24 st_mode     u32     72 st_atime           120 __unused[3]
//	28 st_uid      u32     80 st_atime_nsec
//	32 st_gid      u32     88 st_mtime
//	36 __pad0      u32
//	40 st_rdev     u64
func (s *Stat) Encode(b []byte) {
	b = b[:SizeofStat]
	clear(b)
	le.PutUint64(b[0:], s.Dev)
	le.PutUint64(b[8:], s.Ino)
	le.PutUint64(b[16:], s.Nlink)
	le.PutUint32(b[24:], s.Mode)
	le.PutUint32(b[28:], s.UID)
	le.PutUint32(b[32:], s.GID)
	le.PutUint64(b[40:], s.Rdev)
	le.PutUint64(b[48:], uint64(s.Size))
	le.PutUint64(b[56:], uint64(s.Blksize))
	le.PutUint64(b[64:], uint64(s.Blocks))
	s.Atime.Encode(b[72:])
	s.Mtime.Encode(b[88:])
	s.Ctime.Encode(b[104:])
}

// DecodeStat reads a struct stat laid out as Encode writes it.
func DecodeStat(b []byte) Stat {
	b = b[:SizeofStat]
	return Stat{
		Dev: le.Uint64(b[0:]), Ino: le.Uint64(b[8:]), Nlink: le.Uint64(b[16:]),
		Mode: le.Uint32(b[24:]), UID: le.Uint32(b[28:]), GID: le.Uint32(b[32:]),
		Rdev: le.Uint64(b[40:]), Size: int64(le.Uint64(b[48:])),
		Blksize: int64(le.Uint64(b[56:])), Blocks: int64(le.Uint64(b[64:])),
		Atime: DecodeTimespec(b[72:]), Mtime: DecodeTimespec(b[88:]), Ctime: DecodeTimespec(b[104:]),
	}
}

// StatxTimestamp is struct statx_timestamp.
type StatxTimestamp struct {
	Sec  int64
	Nsec uint32
}

// Statx is struct statx (include/uapi/linux/stat.h).
type Statx struct {
	Mask           uint32
	Blksize        uint32
	Attributes     uint64
	Nlink          uint32
	UID            uint32
	GID            uint32
	Mode           uint16
	Ino            uint64
	Size           uint64
	Blocks         uint64
	AttributesMask uint64
	Atime          StatxTimestamp
	Btime          StatxTimestamp
	Ctime          StatxTimestamp
	Mtime          StatxTimestamp
	RdevMajor      uint32
	RdevMinor      uint32
	DevMajor       uint32
	DevMinor       uint32
	MntID          uint64
	DioMemAlign    uint32
	DioOffsetAlign uint32
}

// SizeofStatx is sizeof(struct statx).
const SizeofStatx = 256

// Encode writes s into b[:SizeofStatx]:
//
//	 0 stx_mask       u32     56 stx_attributes_mask u64   136 stx_dev_major u32
//	 4 stx_blksize    u32     64 stx_atime (16 bytes:      140 stx_dev_minor u32
//	 8 stx_attributes u64        i64 sec, u32 nsec, pad)   144 stx_mnt_id    u64
//	16 stx_nlink      u32     80 stx_btime                 152 stx_dio_mem_align u32
//	20 stx_uid        u32     96 stx_ctime                 156 stx_dio_offset_align u32
//	24 stx_gid        u32    112 stx_mtime                 160 spare, zero
//	28 stx_mode       u16    128 stx_rdev_major u32
//	32 stx_ino        u64    132 stx_rdev_minor u32
//	40 stx_size       u64
//	48 stx_blocks     u64
func (s *Statx) Encode(b []byte) {
	b = b[:SizeofStatx]
	clear(b)
	le.PutUint32(b[0:], s.Mask)
	le.PutUint32(b[4:], s.Blksize)
	le.PutUint64(b[8:], s.Attributes)
	le.PutUint32(b[16:], s.Nlink)
	le.PutUint32(b[20:], s.UID)
	le.PutUint32(b[24:], s.GID)
	le.PutUint16(b[28:], s.Mode)
	le.PutUint64(b[32:], s.Ino)
	le.PutUint64(b[40:], s.Size)
	le.PutUint64(b[48:], s.Blocks)
	le.PutUint64(b[56:], s.AttributesMask)
	for i, ts := range [4]StatxTimestamp{s.Atime, s.Btime, s.Ctime, s.Mtime} {
		le.PutUint64(b[64+16*i:], uint64(ts.Sec))
		le.PutUint32(b[72+16*i:], ts.Nsec)
	}
	le.PutUint32(b[128:], s.RdevMajor)
	le.PutUint32(b[132:], s.RdevMinor)
	le.PutUint32(b[136:], s.DevMajor)
	le.PutUint32(b[140:], s.DevMinor)
	le.PutUint64(b[144:], s.MntID)
	le.PutUint32(b[152:], s.DioMemAlign)
	le.PutUint32(b[156:], s.DioOffsetAlign)
}

// DecodeStatx reads a struct statx laid out as Encode writes it.
func DecodeStatx(b []byte) Statx {
	b = b[:SizeofStatx]
	s := Statx{
		Mask: le.Uint32(b[0:]), Blksize: le.Uint32(b[4:]), Attributes: le.Uint64(b[8:]),
		Nlink: le.Uint32(b[16:]), UID: le.Uint32(b[20:]), GID: le.Uint32(b[24:]),
		Mode: le.Uint16(b[28:]), Ino: le.Uint64(b[32:]), Size: le.Uint64(b[40:]),
		Blocks: le.Uint64(b[48:]), AttributesMask: le.Uint64(b[56:]),
		RdevMajor: le.Uint32(b[128:]), RdevMinor: le.Uint32(b[132:]),
		DevMajor: le.Uint32(b[136:]), DevMinor: le.Uint32(b[140:]), MntID: le.Uint64(b[144:]),
		DioMemAlign: le.Uint32(b[152:]), DioOffsetAlign: le.Uint32(b[156:]),
	}
	for i, ts := range [4]*StatxTimestamp{&s.Atime, &s.Btime, &s.Ctime, &s.Mtime} {
		ts.Sec = int64(le.Uint64(b[64+16*i:]))
		ts.Nsec = le.Uint32(b[72+16*i:])
	}
	return s
}

// Statfs is struct statfs on x86_64 (include/uapi/asm-generic/statfs.h with
// 64-bit longs).
type Statfs struct {
	Type    int64
	Bsize   int64
	Blocks  uint64
	Bfree   uint64
	Bavail  uint64
	Files   uint64
	Ffree   uint64
	Fsid    [2]int32
	Namelen int64
	Frsize  int64
	Flags   int64
}

// SizeofStatfs is sizeof(struct statfs) on x86_64.
const SizeofStatfs = 120

// Encode writes s into b[:SizeofStatfs]:
//
//	 0 f_type    8 f_bsize   16 f_blocks  24 f_bfree  32 f_bavail  40 f_files
//	48 f_ffree  56 f_fsid (2 x i32)  64 f_namelen  72 f_frsize  80 f_flags
//	88 f_spare[4]
func (s *Statfs) Encode(b []byte) {
	b = b[:SizeofStatfs]
	clear(b)
	le.PutUint64(b[0:], uint64(s.Type))
	le.PutUint64(b[8:], uint64(s.Bsize))
	le.PutUint64(b[16:], s.Blocks)
	le.PutUint64(b[24:], s.Bfree)
	le.PutUint64(b[32:], s.Bavail)
	le.PutUint64(b[40:], s.Files)
	le.PutUint64(b[48:], s.Ffree)
	le.PutUint32(b[56:], uint32(s.Fsid[0]))
	le.PutUint32(b[60:], uint32(s.Fsid[1]))
	le.PutUint64(b[64:], uint64(s.Namelen))
	le.PutUint64(b[72:], uint64(s.Frsize))
	le.PutUint64(b[80:], uint64(s.Flags))
}

// Dirent64 is one record of getdents64 (struct linux_dirent64):
//
//	0 d_ino u64   8 d_off i64   16 d_reclen u16   18 d_type u8   19 d_name, NUL
//
// The record is padded to a multiple of 8 bytes.
type Dirent64 struct {
	Ino  uint64
	Off  int64
	Type uint8
	Name string
}

// Reclen returns the record length of d.
func (d *Dirent64) Reclen() int {
	return (19 + len(d.Name) + 1 + 7) &^ 7
}

// Encode writes d into b[:d.Reclen()].
func (d *Dirent64) Encode(b []byte) {
	n := d.Reclen()
	b = b[:n]
	clear(b)
	le.PutUint64(b[0:], d.Ino)
	le.PutUint64(b[8:], uint64(d.Off))
	le.PutUint16(b[16:], uint16(n))
	b[18] = d.Type
	copy(b[19:], d.Name)
}
