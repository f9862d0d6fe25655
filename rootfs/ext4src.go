package rootfs

import (
	"sync"

	"paddock/abi"
	"paddock/kernel/vfs"
	"paddock/rootfs/ext4"
)

// ext4Source serves an ext4 image to a vfs.MemFS as its read-only lower
// layer.
type ext4Source struct {
	fs *ext4.FS

	mu     sync.Mutex
	inodes map[uint64]*ext4.Inode // recently used inodes
}

func newExt4Source(fs *ext4.FS) *ext4Source {
	return &ext4Source{fs: fs, inodes: map[uint64]*ext4.Inode{}}
}

func (s *ext4Source) inode(ino uint64) (*ext4.Inode, error) {
	if ino > 1<<32-1 {
		return nil, abi.EIO
	}
	s.mu.Lock()
	in, ok := s.inodes[ino]
	s.mu.Unlock()
	if ok {
		return in, nil
	}
	in, err := s.fs.Inode(uint32(ino))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.inodes) > 1024 {
		s.inodes = map[uint64]*ext4.Inode{}
	}
	s.inodes[ino] = in
	s.mu.Unlock()
	return in, nil
}

func (s *ext4Source) RootIno() uint64 { return 2 }

func (s *ext4Source) MaxIno() uint64 { return uint64(s.fs.Superblock().InodesCount) }

func (s *ext4Source) Type() string { return "ext4" }

func ts(t ext4.Time) abi.Timespec { return abi.Timespec{Sec: t.Sec, Nsec: int64(t.Nsec)} }

func (s *ext4Source) Stat(ino uint64) (vfs.Attr, error) {
	in, err := s.inode(ino)
	if err != nil {
		return vfs.Attr{}, errIO(err)
	}
	a := vfs.Attr{
		Ino: ino, Mode: uint32(in.Mode), Nlink: uint64(in.Links), UID: in.UID, GID: in.GID,
		Size: int64(in.Size), Blocks: int64(in.Blocks), Blksize: int64(s.fs.Superblock().BlockSize),
		Atime: ts(in.Atime), Mtime: ts(in.Mtime), Ctime: ts(in.Ctime), Btime: ts(in.Crtime), HasBtime: in.HasCrtime,
	}
	if t := a.Mode & abi.S_IFMT; t == abi.S_IFCHR || t == abi.S_IFBLK {
		a.Rdev = abi.Makedev(in.Rdev())
	}
	return a, nil
}

// errIO turns a reader error into EIO for the guest, as a bad disk would.
func errIO(err error) error {
	if _, ok := err.(abi.Errno); ok {
		return err
	}
	return abi.EIO
}

// direntType converts an ext4 directory entry file type to a d_type.
var direntType = [8]uint8{abi.DT_UNKNOWN, abi.DT_REG, abi.DT_DIR, abi.DT_CHR, abi.DT_BLK, abi.DT_FIFO, abi.DT_SOCK, abi.DT_LNK}

func (s *ext4Source) ReadDir(ino uint64) ([]vfs.Dirent, error) {
	in, err := s.inode(ino)
	if err != nil {
		return nil, errIO(err)
	}
	ents, err := s.fs.ReadDir(in)
	if err != nil {
		return nil, errIO(err)
	}
	out := make([]vfs.Dirent, 0, len(ents))
	for _, e := range ents {
		if e.Name == "." || e.Name == ".." {
			continue
		}
		t := uint8(abi.DT_UNKNOWN)
		if int(e.Type) < len(direntType) {
			t = direntType[e.Type]
		}
		out = append(out, vfs.Dirent{Name: e.Name, Ino: uint64(e.Inode), Type: t})
	}
	return out, nil
}

func (s *ext4Source) ReadAt(ino uint64, p []byte, off int64) (int, error) {
	in, err := s.inode(ino)
	if err != nil {
		return 0, errIO(err)
	}
	n, err := s.fs.ReadAt(in, p, off)
	if err != nil {
		return n, errIO(err)
	}
	return n, nil
}

func (s *ext4Source) Readlink(ino uint64) (string, error) {
	in, err := s.inode(ino)
	if err != nil {
		return "", errIO(err)
	}
	t, err := s.fs.Readlink(in)
	if err != nil {
		return "", errIO(err)
	}
	return t, nil
}

func (s *ext4Source) Statfs() abi.Statfs {
	sb := s.fs.Superblock()
	var fsid [2]int32
	for i := 0; i < 16; i += 4 {
		w := int32(uint32(sb.UUID[i]) | uint32(sb.UUID[i+1])<<8 | uint32(sb.UUID[i+2])<<16 | uint32(sb.UUID[i+3])<<24)
		fsid[(i/4)%2] ^= w
	}
	return abi.Statfs{Type: abi.EXT4_SUPER_MAGIC, Bsize: int64(sb.BlockSize), Blocks: sb.BlocksCount,
		Bfree: sb.FreeBlocks, Bavail: sb.FreeBlocks, Files: uint64(sb.InodesCount), Ffree: uint64(sb.FreeInodes),
		Fsid: fsid, Namelen: abi.NAME_MAX, Frsize: int64(sb.BlockSize), Flags: abi.ST_RELATIME}
}
