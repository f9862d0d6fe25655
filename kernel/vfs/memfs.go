package vfs

import (
	"sync"
	"syscall"

	"paddock/abi"
)

// Source is a read-only file tree that a MemFS can sit on: an ext4 image or
// a tar archive. Inode numbers are the source's own.
type Source interface {
	RootIno() uint64
	Stat(ino uint64) (Attr, error)
	ReadDir(ino uint64) ([]Dirent, error)
	ReadAt(ino uint64, p []byte, off int64) (int, error)
	Readlink(ino uint64) (string, error)
	// MaxIno bounds the source's inode numbers: new files get larger ones.
	MaxIno() uint64
	// Type names the source's file system ("ext4").
	Type() string
	Statfs() abi.Statfs
}

// MemFS is an in-memory file system. Alone it is tmpfs. Over a Source it is
// the writable layer of a read-only root: a directory's entries are read
// from the source the first time it is looked at, and a file's data is
// copied into memory the first time it changes, so that the source is never
// written and, being immutable, never needs whiteouts.
type MemFS struct {
	mu      sync.Mutex
	typ     string
	dev     uint64
	lower   Source
	root    *node
	nextIno uint64
	byLower map[uint64]*node
	pages   int64 // data pages in use, for statfs
	now     func() abi.Timespec
}

type node struct {
	fs   *MemFS
	attr Attr

	// Directory entries, in creation order (as listed by getdents).
	kids  map[string]*node
	order []string
	// Regular file data: sparse pages, which st_blocks counts as Linux's
	// tmpfs does; absent pages read as zeros. Once
	// the file is mapped shared, its data lives in seg instead, host
	// memory that every mapping of it shows (MapShared).
	data map[int64]*[abi.PageSize]byte
	seg  []byte
	// Symlink target.
	target string

	// Source backing, until copied up or populated.
	lowerIno   uint64
	lowerAttr  bool // attr still to be read from the source
	lowerDir   bool // entries still to be read from the source
	lowerData  bool // data still in the source
	lowerLink  bool // target still in the source
	lowerError error
}

// NewMemFS returns an empty in-memory file system (tmpfs) whose root has
// the given mode and owner.
func NewMemFS(dev uint64, mode uint32, now func() abi.Timespec) *MemFS {
	fs := &MemFS{typ: "tmpfs", dev: dev, nextIno: 1, now: now}
	t := now()
	fs.root = fs.newNode(Attr{Mode: abi.S_IFDIR | mode&0o7777, Nlink: 2, Atime: t, Mtime: t, Ctime: t, Btime: t})
	return fs
}

// NewOverlay returns a writable in-memory file system over src.
func NewOverlay(dev uint64, src Source, now func() abi.Timespec) (*MemFS, error) {
	fs := &MemFS{typ: src.Type(), dev: dev, lower: src, nextIno: src.MaxIno() + 1, byLower: map[uint64]*node{}, now: now}
	a, err := src.Stat(src.RootIno())
	if err != nil {
		return nil, err
	}
	if !a.IsDir() {
		return nil, abi.ENOTDIR
	}
	fs.root = fs.lowerNode(src.RootIno(), abi.DT_DIR)
	return fs, nil
}

func (fs *MemFS) newNode(a Attr) *node {
	a.Ino = fs.nextIno
	fs.nextIno++
	a.Dev = fs.dev
	a.Blksize = abi.PageSize
	a.HasBtime = true
	n := &node{fs: fs, attr: a}
	if a.IsDir() {
		n.kids = map[string]*node{}
	}
	return n
}

// lowerNode returns the node for source inode ino, creating it on first
// sight; hard links in the source share one node.
func (fs *MemFS) lowerNode(ino uint64, typ uint8) *node {
	if n, ok := fs.byLower[ino]; ok {
		return n
	}
	n := &node{fs: fs, lowerIno: ino, lowerAttr: true}
	n.attr.Ino = ino
	switch typ {
	case abi.DT_DIR:
		n.lowerDir = true
	case abi.DT_REG:
		n.lowerData = true
	case abi.DT_LNK:
		n.lowerLink = true
	}
	fs.byLower[ino] = n
	return n
}

// load reads the node's attributes from the source. fs.mu is held.
func (n *node) load() {
	if !n.lowerAttr {
		return
	}
	n.lowerAttr = false
	a, err := n.fs.lower.Stat(n.lowerIno)
	if err != nil {
		n.lowerError = err
		a = Attr{Mode: abi.S_IFREG, Nlink: 1}
	}
	a.Ino = n.lowerIno
	a.Dev = n.fs.dev
	if a.Blksize == 0 {
		a.Blksize = abi.PageSize
	}
	n.attr = a
	switch a.Type() {
	case abi.S_IFDIR:
		n.lowerDir, n.lowerData, n.lowerLink = true, false, false
		if n.kids == nil {
			n.kids = map[string]*node{}
		}
	case abi.S_IFREG:
		n.lowerDir, n.lowerData, n.lowerLink = false, true, false
	case abi.S_IFLNK:
		n.lowerDir, n.lowerData, n.lowerLink = false, false, true
	default:
		n.lowerDir, n.lowerData, n.lowerLink = false, false, false
	}
}

// populate reads a directory's entries from the source. fs.mu is held.
func (n *node) populate() error {
	n.load()
	if !n.lowerDir {
		return n.lowerError
	}
	ents, err := n.fs.lower.ReadDir(n.lowerIno)
	if err != nil {
		return err
	}
	n.lowerDir = false
	for _, e := range ents {
		if e.Name == "." || e.Name == ".." {
			continue
		}
		if _, dup := n.kids[e.Name]; dup {
			continue
		}
		n.kids[e.Name] = n.fs.lowerNode(e.Ino, e.Type)
		n.order = append(n.order, e.Name)
	}
	return nil
}

// copyUp moves a file's data from the source into memory. fs.mu is held.
func (n *node) copyUp() error {
	n.load()
	if !n.lowerData {
		return nil
	}
	buf := make([]byte, 64<<10)
	for off := int64(0); off < n.attr.Size; off += int64(len(buf)) {
		k := min(int64(len(buf)), n.attr.Size-off)
		got, err := n.fs.lower.ReadAt(n.lowerIno, buf[:k], off)
		if int64(got) < k && err != nil {
			return abi.EIO
		}
		n.writePages(buf[:k], off)
	}
	n.lowerData = false
	return nil
}

func (n *node) writePages(src []byte, off int64) {
	if n.seg != nil {
		copy(n.seg[off:], src)
		return
	}
	if n.data == nil {
		n.data = map[int64]*[abi.PageSize]byte{}
	}
	for len(src) > 0 {
		pi, po := off/abi.PageSize, off%abi.PageSize
		p := n.data[pi]
		if p == nil {
			p = new([abi.PageSize]byte)
			n.data[pi] = p
			n.fs.pages++
		}
		k := copy(p[po:], src)
		src, off = src[k:], off+int64(k)
	}
}

func (n *node) readPages(dst []byte, off int64) {
	if n.seg != nil {
		copy(dst, n.seg[off:])
		return
	}
	for len(dst) > 0 {
		pi, po := off/abi.PageSize, off%abi.PageSize
		k := min(int64(len(dst)), abi.PageSize-po)
		if p := n.data[pi]; p != nil {
			copy(dst[:k], p[po:])
		} else {
			clear(dst[:k])
		}
		dst, off = dst[k:], off+k
	}
}

// truncate sets the size, dropping pages past it and zeroing the tail of
// the last one. fs.mu is held and the data is in memory.
func (n *node) truncate(size int64) {
	if n.seg != nil {
		// What lies past the end reads as zeros if the file grows
		// again, through read and through every mapping.
		if size < n.attr.Size {
			clear(n.seg[size:n.attr.Size])
		}
		n.attr.Size = size
		return
	}
	if size < n.attr.Size {
		for pi, p := range n.data {
			switch {
			case pi*abi.PageSize >= size:
				delete(n.data, pi)
				n.fs.pages--
			case (pi+1)*abi.PageSize > size:
				clear(p[size-pi*abi.PageSize:])
			}
		}
	}
	n.attr.Size = size
}

func (n *node) blocks() int64 {
	if n.lowerData {
		return n.attr.Blocks
	}
	if n.seg != nil {
		return (n.attr.Size + abi.PageSize - 1) / abi.PageSize * (abi.PageSize / 512)
	}
	return int64(len(n.data)) * (abi.PageSize / 512)
}

// Root implements FileSystem.
func (fs *MemFS) Root() Inode { return fs.root }

// Type implements FileSystem.
func (fs *MemFS) Type() string { return fs.typ }

// CacheDentries implements FileSystem: memfs changes only through the VFS.
func (fs *MemFS) CacheDentries() bool { return true }

// SetType changes the type name /proc/mounts shows ("devtmpfs").
func (fs *MemFS) SetType(t string) { fs.typ = t }

// memfsSize is the size tmpfs reports: Linux's default is half of RAM; this
// is paddock's nominal 4 GiB machine.
const memfsSize = 2 << 30

// Statfs implements FileSystem.
func (fs *MemFS) Statfs() abi.Statfs {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.lower != nil {
		s := fs.lower.Statfs()
		return s
	}
	total := uint64(memfsSize / abi.PageSize)
	used := uint64(fs.pages)
	free := total - min(used, total)
	return abi.Statfs{Type: abi.TMPFS_MAGIC, Bsize: abi.PageSize, Blocks: total, Bfree: free, Bavail: free,
		Files: 1 << 20, Ffree: 1<<20 - min(fs.nextIno, 1<<20), Namelen: abi.NAME_MAX, Frsize: abi.PageSize,
		Flags: abi.ST_RELATIME}
}

// bogoDirent is what each entry adds to a tmpfs directory's size
// (BOGO_DIRENT_SIZE in mm/shmem.c); "." and ".." count too.
const bogoDirent = 20

// Attr implements Inode.
func (n *node) Attr() Attr {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	n.load()
	a := n.attr
	a.Blocks = n.blocks()
	if a.IsDir() && n.fs.lower == nil {
		a.Size = int64(2+len(n.kids)) * bogoDirent
	}
	return a
}

// SetAttr implements Inode.
func (n *node) SetAttr(s *SetAttr) error {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	n.load()
	if s.SetSize {
		if !n.attr.IsRegular() {
			return abi.EINVAL
		}
		if s.Size != n.attr.Size || n.lowerData {
			if s.Size == 0 {
				// Nothing of the source's data survives: drop it
				// rather than copying it up.
				n.lowerData = false
				n.truncate(0)
			} else {
				if err := n.copyUp(); err != nil {
					return err
				}
				if n.seg != nil && s.Size > int64(len(n.seg)) {
					return abi.EFBIG
				}
				n.truncate(s.Size)
			}
		}
	}
	if s.SetMode {
		n.attr.Mode = n.attr.Mode&abi.S_IFMT | s.Mode&0o7777
	}
	if s.SetUID {
		n.attr.UID = s.UID
	}
	if s.SetGID {
		n.attr.GID = s.GID
	}
	if s.SetAtime {
		n.attr.Atime = s.Atime
	}
	if s.SetMtime {
		n.attr.Mtime = s.Mtime
	}
	if s.SetCtime {
		n.attr.Ctime = s.Ctime
	}
	return nil
}

func (n *node) dir() error {
	n.load()
	if !n.attr.IsDir() {
		return abi.ENOTDIR
	}
	return n.populate()
}

// Lookup implements Inode.
func (n *node) Lookup(name string) (Inode, error) {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if err := n.dir(); err != nil {
		return nil, err
	}
	if k, ok := n.kids[name]; ok {
		return k, nil
	}
	return nil, abi.ENOENT
}

// ReadDir implements Inode.
func (n *node) ReadDir() ([]Dirent, error) {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if err := n.dir(); err != nil {
		return nil, err
	}
	out := make([]Dirent, 0, len(n.order))
	for _, name := range n.order {
		k := n.kids[name]
		typ := uint8(abi.DT_UNKNOWN)
		switch {
		case k.lowerAttr && k.lowerDir:
			typ = abi.DT_DIR
		case k.lowerAttr && k.lowerData:
			typ = abi.DT_REG
		case k.lowerAttr && k.lowerLink:
			typ = abi.DT_LNK
		default:
			k.load()
			typ = abi.DirentType(k.attr.Mode)
		}
		out = append(out, Dirent{Name: name, Ino: k.attr.Ino, Type: typ})
	}
	return out, nil
}

func (n *node) touchDir(now abi.Timespec) {
	n.attr.Mtime, n.attr.Ctime = now, now
}

func (n *node) addKid(name string, k *node) {
	n.kids[name] = k
	n.order = append(n.order, name)
}

func (n *node) removeKid(name string) {
	delete(n.kids, name)
	for i, s := range n.order {
		if s == name {
			n.order = append(n.order[:i], n.order[i+1:]...)
			break
		}
	}
}

// Create implements Inode.
func (n *node) Create(name string, ni *NewInode) (Inode, error) {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if err := n.dir(); err != nil {
		return nil, err
	}
	if n.attr.Nlink == 0 {
		return nil, abi.ENOENT
	}
	if _, ok := n.kids[name]; ok {
		return nil, abi.EEXIST
	}
	t := ni.Now
	k := n.fs.newNode(Attr{Mode: ni.Mode, Nlink: 1, UID: ni.UID, GID: ni.GID, Rdev: ni.Rdev,
		Atime: t, Mtime: t, Ctime: t, Btime: t})
	switch ni.Mode & abi.S_IFMT {
	case abi.S_IFDIR:
		k.attr.Nlink = 2
		n.attr.Nlink++
	case abi.S_IFLNK:
		k.target = ni.Target
		k.attr.Size = int64(len(ni.Target))
	}
	n.addKid(name, k)
	n.touchDir(t)
	return k, nil
}

// CreateTmpfile implements TmpfileCreator: a regular file with no name
// and no link, which leaves the directory unchanged (shmem_tmpfile).
func (n *node) CreateTmpfile(ni *NewInode) (Inode, error) {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if err := n.dir(); err != nil {
		return nil, err
	}
	t := ni.Now
	return n.fs.newNode(Attr{Mode: abi.S_IFREG | ni.Mode&0o7777, UID: ni.UID, GID: ni.GID,
		Atime: t, Mtime: t, Ctime: t, Btime: t}), nil
}

// Link implements Inode.
func (n *node) Link(name string, target Inode) error {
	t, ok := target.(*node)
	if !ok || t.fs != n.fs {
		return abi.EXDEV
	}
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if err := n.dir(); err != nil {
		return err
	}
	if _, ok := n.kids[name]; ok {
		return abi.EEXIST
	}
	t.load()
	now := n.fs.now()
	t.attr.Nlink++
	t.attr.Ctime = now
	n.addKid(name, t)
	n.touchDir(now)
	return nil
}

// Unlink implements Inode.
func (n *node) Unlink(name string) error {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if err := n.dir(); err != nil {
		return err
	}
	k, ok := n.kids[name]
	if !ok {
		return abi.ENOENT
	}
	k.load()
	if k.attr.IsDir() {
		return abi.EISDIR
	}
	now := n.fs.now()
	k.attr.Nlink--
	k.attr.Ctime = now
	n.removeKid(name)
	n.touchDir(now)
	return nil
}

// Rmdir implements Inode.
func (n *node) Rmdir(name string) error {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if err := n.dir(); err != nil {
		return err
	}
	k, ok := n.kids[name]
	if !ok {
		return abi.ENOENT
	}
	if err := k.dir(); err != nil {
		return err
	}
	if len(k.kids) > 0 {
		return abi.ENOTEMPTY
	}
	now := n.fs.now()
	k.attr.Nlink = 0
	k.attr.Ctime = now
	n.attr.Nlink--
	n.removeKid(name)
	n.touchDir(now)
	return nil
}

// Rename implements Inode.
func (n *node) Rename(name string, newDir Inode, newName string, exchange bool) error {
	nd, ok := newDir.(*node)
	if !ok || nd.fs != n.fs {
		return abi.EXDEV
	}
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if err := n.dir(); err != nil {
		return err
	}
	if err := nd.dir(); err != nil {
		return err
	}
	src, ok := n.kids[name]
	if !ok {
		return abi.ENOENT
	}
	src.load()
	dst := nd.kids[newName]
	now := n.fs.now()
	if exchange {
		if dst == nil {
			return abi.ENOENT
		}
		dst.load()
		n.kids[name], nd.kids[newName] = dst, src
		if n != nd {
			if src.attr.IsDir() && !dst.attr.IsDir() {
				n.attr.Nlink--
				nd.attr.Nlink++
			} else if !src.attr.IsDir() && dst.attr.IsDir() {
				n.attr.Nlink++
				nd.attr.Nlink--
			}
		}
		src.attr.Ctime, dst.attr.Ctime = now, now
		n.touchDir(now)
		nd.touchDir(now)
		return nil
	}
	if dst != nil {
		dst.load()
		if dst.attr.IsDir() {
			if err := dst.dir(); err != nil {
				return err
			}
			if len(dst.kids) > 0 {
				return abi.ENOTEMPTY
			}
			dst.attr.Nlink = 0
			nd.attr.Nlink--
		} else {
			dst.attr.Nlink--
		}
		dst.attr.Ctime = now
		nd.removeKid(newName)
	}
	n.removeKid(name)
	nd.addKid(newName, src)
	if src.attr.IsDir() && n != nd {
		n.attr.Nlink--
		nd.attr.Nlink++
	}
	src.attr.Ctime = now
	n.touchDir(now)
	nd.touchDir(now)
	return nil
}

// Readlink implements Inode.
func (n *node) Readlink() (string, error) {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	n.load()
	if !n.attr.IsSymlink() {
		return "", abi.EINVAL
	}
	if n.lowerLink {
		t, err := n.fs.lower.Readlink(n.lowerIno)
		if err != nil {
			return "", err
		}
		n.target, n.lowerLink = t, false
	}
	return n.target, nil
}

// Open implements Inode.
func (n *node) Open(flags uint32) (FileOps, error) {
	a := n.Attr()
	if !a.IsRegular() {
		return nil, abi.ENXIO
	}
	return &memFile{n: n}, nil
}

// memFile is an open regular file of a MemFS.
type memFile struct{ n *node }

// relatimeSpan is how stale atime may get before a read refreshes it even
// when it is newer than mtime and ctime (relatime's one day).
const relatimeSpan = 24 * 3600

func (m *memFile) Read(_ Context, f *File, dst []byte, off int64) (int, error) {
	n := m.n
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if off < 0 {
		return 0, abi.EINVAL
	}
	if off >= n.attr.Size || len(dst) == 0 {
		n.accessed(f)
		return 0, nil
	}
	k := int(min(int64(len(dst)), n.attr.Size-off))
	if n.lowerData {
		got, err := n.fs.lower.ReadAt(n.lowerIno, dst[:k], off)
		if got < k && err != nil {
			return got, abi.EIO
		}
	} else {
		n.readPages(dst[:k], off)
	}
	n.accessed(f)
	return k, nil
}

// accessed updates atime as a relatime mount does.
func (n *node) accessed(f *File) {
	if f.Flags()&abi.O_NOATIME != 0 {
		return
	}
	a := &n.attr
	now := n.fs.now()
	if a.Atime.Nsec64() <= a.Mtime.Nsec64() || a.Atime.Nsec64() <= a.Ctime.Nsec64() || now.Sec-a.Atime.Sec >= relatimeSpan {
		a.Atime = now
	}
}

func (m *memFile) Write(_ Context, f *File, src []byte, off int64) (int, error) {
	n := m.n
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if off < 0 {
		return 0, abi.EINVAL
	}
	if len(src) == 0 {
		return 0, nil
	}
	if off+int64(len(src)) < off {
		return 0, abi.EFBIG
	}
	if err := n.copyUp(); err != nil {
		return 0, err
	}
	if n.seg != nil && off+int64(len(src)) > int64(len(n.seg)) {
		return 0, abi.EFBIG
	}
	n.writePages(src, off)
	if end := off + int64(len(src)); end > n.attr.Size {
		n.attr.Size = end
	}
	now := n.fs.now()
	n.attr.Mtime, n.attr.Ctime = now, now
	// A write by a non-owner clears set-user-ID (and set-group-ID when
	// group-executable), as file_remove_privs does.
	if n.attr.Mode&(abi.S_ISUID|abi.S_ISGID) != 0 {
		n.attr.Mode &^= abi.S_ISUID
		if n.attr.Mode&0o010 != 0 {
			n.attr.Mode &^= abi.S_ISGID
		}
	}
	return len(src), nil
}

// Allocate implements fallocate(2): the default mode reserves space and
// extends the size; FALLOC_FL_KEEP_SIZE only reserves; PUNCH_HOLE (with
// KEEP_SIZE) zeroes a range.
func (m *memFile) Allocate(mode uint32, off, length int64) error {
	n := m.n
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if err := n.copyUp(); err != nil {
		return err
	}
	end := off + length
	if n.seg != nil {
		return n.allocateShared(mode, off, end)
	}
	switch mode {
	case 0, abi.FALLOC_FL_KEEP_SIZE:
		for p := off / abi.PageSize; p*abi.PageSize < end; p++ {
			if n.data == nil {
				n.data = map[int64]*[abi.PageSize]byte{}
			}
			if n.data[p] == nil {
				n.data[p] = new([abi.PageSize]byte)
				n.fs.pages++
			}
		}
		if mode == 0 && end > n.attr.Size {
			n.attr.Size = end
			now := n.fs.now()
			n.attr.Ctime = now
		}
	case abi.FALLOC_FL_PUNCH_HOLE | abi.FALLOC_FL_KEEP_SIZE:
		end = min(end, n.attr.Size)
		for p := off / abi.PageSize; p*abi.PageSize < end; p++ {
			pg := n.data[p]
			if pg == nil {
				continue
			}
			ps, pe := max(off, p*abi.PageSize), min(end, (p+1)*abi.PageSize)
			if ps == p*abi.PageSize && pe == (p+1)*abi.PageSize {
				delete(n.data, p)
				n.fs.pages--
			} else {
				clear(pg[ps-p*abi.PageSize : pe-p*abi.PageSize])
			}
		}
		now := n.fs.now()
		n.attr.Mtime, n.attr.Ctime = now, now
	default:
		return abi.EOPNOTSUPP
	}
	return nil
}

// sharedSegment is the host memory reserved for a file that is mapped
// shared: its data may grow to this size. The reservation costs address
// space only until pages are touched.
const sharedSegment = 1 << 30

// MapShared implements SharedMapper: the file's data moves into host
// memory that the caller maps, so that every shared mapping, read and
// write sees the same bytes, as the page cache makes them on Linux.
func (m *memFile) MapShared() ([]byte, error) {
	n := m.n
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if n.seg != nil {
		return n.seg, nil
	}
	if err := n.copyUp(); err != nil {
		return nil, err
	}
	if n.attr.Size > sharedSegment {
		return nil, abi.ENOMEM
	}
	seg, err := syscall.Mmap(-1, 0, sharedSegment, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return nil, abi.ENOMEM
	}
	for pi, p := range n.data {
		copy(seg[pi*abi.PageSize:], p[:])
	}
	n.fs.pages -= int64(len(n.data))
	n.data = nil
	n.seg = seg
	return seg, nil
}

// allocateShared is Allocate for a file whose data is in its segment:
// the memory is there already; only the size may change. fs.mu is held.
func (n *node) allocateShared(mode uint32, off, end int64) error {
	if end > int64(len(n.seg)) {
		return abi.EFBIG
	}
	switch mode {
	case 0:
		if end > n.attr.Size {
			n.attr.Size = end
			n.attr.Ctime = n.fs.now()
		}
	case abi.FALLOC_FL_KEEP_SIZE:
	case abi.FALLOC_FL_PUNCH_HOLE | abi.FALLOC_FL_KEEP_SIZE:
		if end = min(end, n.attr.Size); off < end {
			clear(n.seg[off:end])
		}
		now := n.fs.now()
		n.attr.Mtime, n.attr.Ctime = now, now
	default:
		return abi.EOPNOTSUPP
	}
	return nil
}
