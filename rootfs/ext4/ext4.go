// Package ext4 reads ext2, ext3 and ext4 images: superblock, 32- and 64-bit
// group descriptors (meta_bg too), inodes with 32-bit ids, nanosecond times
// and creation time, extent trees with holes and uninitialised extents, the
// older indirect block maps, directories (a linear scan, which is also right
// for htree directories), fast and slow symlinks and inline data. It only
// reads; paddock writes to a layer above it. Every offset read from the
// image is checked, so a corrupt image gives an error, never a panic.
//
// Layout references: Documentation/filesystems/ext4/ in the Linux tree and
// e2fsprogs' lib/ext2fs/ext2_fs.h.
package ext4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

var le = binary.LittleEndian

// ErrCorrupt wraps every error about malformed image contents.
var ErrCorrupt = errors.New("corrupt ext4 image")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// Feature flags used by the reader.
const (
	incompatFiletype   = 0x2
	incompatJournalDev = 0x8
	incompatMetaBG     = 0x10
	incompatExtents    = 0x40
	incompat64bit      = 0x80
	incompatInlineData = 0x8000
	incompatEncrypt    = 0x10000

	roCompatHugeFile = 0x8

	// incompatKnown is every incompat feature whose on-disk changes the
	// reader understands or can ignore when reading.
	incompatKnown = incompatFiletype | 0x4 /* recover */ | incompatMetaBG | incompatExtents | incompat64bit |
		0x100 /* mmp */ | 0x200 /* flex_bg */ | 0x2000 /* csum_seed */ | 0x4000 /* largedir */ | incompatInlineData
)

// Inode flags.
const (
	flagIndex      = 0x1000
	flagHugeFile   = 0x40000
	flagExtents    = 0x80000
	flagInlineData = 0x10000000
)

// Superblock holds the fields the reader uses.
type Superblock struct {
	InodesCount     uint32
	BlocksCount     uint64
	FreeBlocks      uint64
	FreeInodes      uint32
	FirstDataBlock  uint32
	BlockSize       uint32
	BlocksPerGroup  uint32
	InodesPerGroup  uint32
	InodeSize       uint16
	FeatureCompat   uint32
	FeatureIncompat uint32
	FeatureROCompat uint32
	DescSize        uint16
	FirstMetaBG     uint32
	UUID            [16]byte
	VolumeName      string
}

// FS is an open ext4 image.
type FS struct {
	r      io.ReaderAt
	size   int64
	sb     Superblock
	groups uint32
	// Inode table block of each group.
	inodeTables []uint64

	mu      sync.Mutex
	extents map[uint32][]extent // per-inode block maps, cached
}

// Open reads the superblock and group descriptors of the image in r.
func Open(r io.ReaderAt, size int64) (*FS, error) {
	b := make([]byte, 1024)
	if n, _ := r.ReadAt(b, 1024); n != 1024 {
		return nil, corrupt("image too small for a superblock")
	}
	if le.Uint16(b[0x38:]) != 0xEF53 {
		return nil, corrupt("no ext2/3/4 superblock magic")
	}
	sb := Superblock{
		InodesCount:     le.Uint32(b[0x00:]),
		BlocksCount:     uint64(le.Uint32(b[0x04:])),
		FreeBlocks:      uint64(le.Uint32(b[0x0C:])),
		FreeInodes:      le.Uint32(b[0x10:]),
		FirstDataBlock:  le.Uint32(b[0x14:]),
		BlocksPerGroup:  le.Uint32(b[0x20:]),
		InodesPerGroup:  le.Uint32(b[0x28:]),
		InodeSize:       128,
		FeatureCompat:   le.Uint32(b[0x5C:]),
		FeatureIncompat: le.Uint32(b[0x60:]),
		FeatureROCompat: le.Uint32(b[0x64:]),
		DescSize:        32,
		FirstMetaBG:     le.Uint32(b[0x104:]),
	}
	logBS := le.Uint32(b[0x18:])
	if logBS > 6 {
		return nil, corrupt("block size 2^(10+%d)", logBS)
	}
	sb.BlockSize = 1024 << logBS
	if le.Uint32(b[0x4C:]) >= 1 {
		sb.InodeSize = le.Uint16(b[0x58:])
	}
	copy(sb.UUID[:], b[0x68:0x78])
	sb.VolumeName = cstring(b[0x78:0x88])
	if sb.FeatureIncompat&incompat64bit != 0 {
		sb.DescSize = le.Uint16(b[0xFE:])
		sb.BlocksCount |= uint64(le.Uint32(b[0x150:])) << 32
		sb.FreeBlocks |= uint64(le.Uint32(b[0x158:])) << 32
		if sb.DescSize < 64 || sb.DescSize > 1024 || sb.DescSize&(sb.DescSize-1) != 0 {
			return nil, corrupt("group descriptor size %d", sb.DescSize)
		}
	}
	if sb.FeatureIncompat&incompatJournalDev != 0 {
		return nil, fmt.Errorf("ext4: image is an external journal, not a file system")
	}
	if unk := sb.FeatureIncompat &^ incompatKnown; unk != 0 {
		if unk&incompatEncrypt != 0 {
			return nil, fmt.Errorf("ext4: encrypted file systems are not supported")
		}
		return nil, fmt.Errorf("ext4: unsupported incompatible features %#x", unk)
	}
	switch {
	case sb.InodeSize < 128 || sb.InodeSize > uint16(sb.BlockSize) || sb.InodeSize&(sb.InodeSize-1) != 0:
		return nil, corrupt("inode size %d", sb.InodeSize)
	case sb.BlocksPerGroup == 0 || sb.InodesPerGroup == 0 || sb.BlocksPerGroup > 8*sb.BlockSize*8:
		return nil, corrupt("bad group geometry")
	case sb.BlocksCount <= uint64(sb.FirstDataBlock):
		return nil, corrupt("block count %d", sb.BlocksCount)
	case uint64(sb.BlocksCount)*uint64(sb.BlockSize)/uint64(sb.BlockSize) != sb.BlocksCount:
		return nil, corrupt("block count overflows")
	}
	fs := &FS{r: r, size: size, sb: sb, extents: map[uint32][]extent{}}
	groups := (sb.BlocksCount - uint64(sb.FirstDataBlock) + uint64(sb.BlocksPerGroup) - 1) / uint64(sb.BlocksPerGroup)
	if groups == 0 || groups > 1<<32-1 || uint64(sb.InodesCount) > groups*uint64(sb.InodesPerGroup) {
		return nil, corrupt("%d groups for %d inodes", groups, sb.InodesCount)
	}
	if groups*uint64(sb.DescSize) > uint64(size) {
		return nil, corrupt("%d group descriptors do not fit in the image", groups)
	}
	fs.groups = uint32(groups)
	if err := fs.readDescriptors(); err != nil {
		return nil, err
	}
	return fs, nil
}

func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// Superblock returns the superblock fields.
func (fs *FS) Superblock() Superblock { return fs.sb }

// readAt reads exactly len(b) bytes at off, or fails.
func (fs *FS) readAt(b []byte, off uint64) error {
	if off > uint64(fs.size) || uint64(len(b)) > uint64(fs.size)-off {
		return corrupt("read of %d bytes at %d beyond the image (%d bytes)", len(b), off, fs.size)
	}
	n, err := fs.r.ReadAt(b, int64(off))
	if n == len(b) {
		return nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("ext4: reading image at %d: %w", off, err)
}

func (fs *FS) readBlock(b []byte, blk uint64) error {
	if blk >= fs.sb.BlocksCount {
		return corrupt("block %d beyond the end (%d blocks)", blk, fs.sb.BlocksCount)
	}
	return fs.readAt(b, blk*uint64(fs.sb.BlockSize))
}

// groupHasSuper reports whether group g holds a superblock backup (with
// sparse_super: groups 0, 1 and powers of 3, 5 and 7).
func (fs *FS) groupHasSuper(g uint32) bool {
	if fs.sb.FeatureROCompat&0x1 == 0 || g <= 1 {
		return true
	}
	for _, base := range []uint32{3, 5, 7} {
		n := base
		for n < g {
			n *= base
		}
		if n == g {
			return true
		}
	}
	return false
}

func (fs *FS) readDescriptors() error {
	bs := uint64(fs.sb.BlockSize)
	ds := uint64(fs.sb.DescSize)
	perBlock := bs / ds
	fs.inodeTables = make([]uint64, fs.groups)
	buf := make([]byte, bs)
	cached := ^uint64(0)
	for g := uint64(0); g < uint64(fs.groups); g++ {
		var blk uint64
		mb := g / perBlock
		if fs.sb.FeatureIncompat&incompatMetaBG != 0 && mb >= uint64(fs.sb.FirstMetaBG) {
			// meta_bg: the descriptors of a meta group live in its first
			// group, after that group's superblock backup if it has one.
			first := mb * perBlock
			blk = uint64(fs.sb.FirstDataBlock) + first*uint64(fs.sb.BlocksPerGroup)
			if fs.groupHasSuper(uint32(first)) {
				blk++
			}
		} else {
			blk = uint64(fs.sb.FirstDataBlock) + 1 + mb
		}
		if blk != cached {
			if err := fs.readBlock(buf, blk); err != nil {
				return fmt.Errorf("group descriptors: %w", err)
			}
			cached = blk
		}
		d := buf[(g%perBlock)*ds:]
		t := uint64(le.Uint32(d[0x08:]))
		if ds >= 64 {
			t |= uint64(le.Uint32(d[0x28:])) << 32
		}
		if t == 0 || t >= fs.sb.BlocksCount {
			return corrupt("group %d: inode table at block %d", g, t)
		}
		fs.inodeTables[g] = t
	}
	return nil
}

// Inode is a decoded inode.
type Inode struct {
	Num         uint32
	Mode        uint16
	UID, GID    uint32
	Size        uint64
	Links       uint16
	Blocks      uint64 // 512-byte units
	Flags       uint32
	Atime       Time
	Mtime       Time
	Ctime       Time
	Crtime      Time
	HasCrtime   bool
	Generation  uint32
	FileACL     uint64   // block holding extended attributes, 0 if none
	block       [60]byte // i_block
	inlineXattr []byte   // system.data value for inline data
}

// Time is an inode timestamp.
type Time struct {
	Sec  int64
	Nsec uint32
}

// decodeTime combines a 32-bit seconds field with its _extra field: two
// epoch bits extending the seconds and 30 bits of nanoseconds, passed on
// unchecked as ext4_decode_extra_time does.
func decodeTime(sec uint32, extra uint32, hasExtra bool) Time {
	t := Time{Sec: int64(int32(sec))}
	if hasExtra {
		t.Sec += int64(extra&3) << 32
		t.Nsec = extra >> 2
	}
	return t
}

// Inode reads inode number n.
func (fs *FS) Inode(n uint32) (*Inode, error) {
	if n == 0 || n > fs.sb.InodesCount {
		return nil, corrupt("inode number %d out of range", n)
	}
	g := (n - 1) / fs.sb.InodesPerGroup
	idx := (n - 1) % fs.sb.InodesPerGroup
	if g >= fs.groups {
		return nil, corrupt("inode %d in group %d of %d", n, g, fs.groups)
	}
	isz := uint64(fs.sb.InodeSize)
	b := make([]byte, isz)
	off := fs.inodeTables[g]*uint64(fs.sb.BlockSize) + uint64(idx)*isz
	if err := fs.readAt(b, off); err != nil {
		return nil, fmt.Errorf("inode %d: %w", n, err)
	}
	in := &Inode{
		Num:        n,
		Mode:       le.Uint16(b[0x00:]),
		UID:        uint32(le.Uint16(b[0x02:])) | uint32(le.Uint16(b[0x78:]))<<16,
		GID:        uint32(le.Uint16(b[0x18:])) | uint32(le.Uint16(b[0x7A:]))<<16,
		Size:       uint64(le.Uint32(b[0x04:])) | uint64(le.Uint32(b[0x6C:]))<<32,
		Links:      le.Uint16(b[0x1A:]),
		Flags:      le.Uint32(b[0x20:]),
		Generation: le.Uint32(b[0x64:]),
		FileACL:    uint64(le.Uint32(b[0x68:])) | uint64(le.Uint16(b[0x76:]))<<32,
	}
	blocks := uint64(le.Uint32(b[0x1C:])) | uint64(le.Uint16(b[0x74:]))<<32
	if fs.sb.FeatureROCompat&roCompatHugeFile != 0 && in.Flags&flagHugeFile != 0 {
		blocks *= uint64(fs.sb.BlockSize) / 512
	}
	in.Blocks = blocks
	copy(in.block[:], b[0x28:0x64])
	extra := 0
	if isz > 128 {
		extra = int(le.Uint16(b[0x80:]))
		if 128+extra > int(isz) || extra%4 != 0 {
			return nil, corrupt("inode %d: extra size %d", n, extra)
		}
	}
	has := func(field int) bool { return extra >= field-0x80+4 }
	get := func(field int) uint32 {
		if has(field) {
			return le.Uint32(b[field:])
		}
		return 0
	}
	in.Ctime = decodeTime(le.Uint32(b[0x0C:]), get(0x84), has(0x84))
	in.Mtime = decodeTime(le.Uint32(b[0x10:]), get(0x88), has(0x88))
	in.Atime = decodeTime(le.Uint32(b[0x08:]), get(0x8C), has(0x8C))
	if has(0x90) {
		in.HasCrtime = true
		in.Crtime = decodeTime(get(0x90), get(0x94), has(0x94))
	}
	if in.Flags&flagInlineData != 0 {
		v, err := inlineValue(b, 128+extra)
		if err != nil {
			return nil, fmt.Errorf("inode %d: %w", n, err)
		}
		in.inlineXattr = v
	}
	return in, nil
}

// inlineValue returns the value of the in-inode extended attribute
// "system.data" (name index 7, name "data"), which holds inline data past
// the first 60 bytes.
func inlineValue(b []byte, start int) ([]byte, error) {
	if start+4 > len(b) || le.Uint32(b[start:]) != 0xEA020000 {
		return nil, nil
	}
	first := start + 4
	for p := first; p+16 <= len(b); {
		nameLen := int(b[p])
		if nameLen == 0 && b[p+1] == 0 && le.Uint16(b[p+2:]) == 0 {
			break
		}
		index := b[p+1]
		valOff := int(le.Uint16(b[p+2:]))
		valSize := int(le.Uint32(b[p+8:]))
		if p+16+nameLen > len(b) {
			return nil, corrupt("in-inode xattr runs past the inode")
		}
		name := string(b[p+16 : p+16+nameLen])
		if index == 7 && name == "data" {
			if first+valOff+valSize > len(b) || valOff < 0 {
				return nil, corrupt("inline data xattr value out of bounds")
			}
			return b[first+valOff : first+valOff+valSize], nil
		}
		p += (16 + nameLen + 3) &^ 3
	}
	return nil, nil
}

// IsDir, IsRegular, IsSymlink report the inode's type.
func (in *Inode) IsDir() bool     { return in.Mode&0xF000 == 0x4000 }
func (in *Inode) IsRegular() bool { return in.Mode&0xF000 == 0x8000 }
func (in *Inode) IsSymlink() bool { return in.Mode&0xF000 == 0xA000 }

// Rdev returns a device node's number in Linux's encoding: an old-style
// 16-bit number in i_block[0], else a new-style one in i_block[1].
func (in *Inode) Rdev() (major, minor uint32) {
	if d := le.Uint32(in.block[0:]); d != 0 {
		return (d >> 8) & 0xff, d & 0xff
	}
	d := le.Uint32(in.block[4:])
	return (d & 0xfff00) >> 8, (d & 0xff) | ((d >> 12) & 0xfff00)
}
