package rootfs

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"path"
	"strings"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// tarSource serves a tar archive (plain or gzip-compressed) as a read-only
// tree. The archive is read once into memory; inode numbers are given in
// archive order, hard links share one.
type tarSource struct {
	nodes []*tarNode // index is inode number - 1
}

type tarNode struct {
	attr   vfs.Attr
	data   []byte
	target string
	kids   []vfs.Dirent
	index  map[string]int
}

func newTarSource(r io.Reader) (*tarSource, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("tar.gz: %w", err)
		}
		r = zr
	} else {
		r = br
	}
	s := &tarSource{}
	root := s.add(vfs.Attr{Mode: abi.S_IFDIR | 0o755, Nlink: 2})
	byPath := map[string]uint64{".": root}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("tar: %w", err)
		}
		name := path.Clean("./" + h.Name)
		if strings.HasPrefix(name, "../") || name == ".." {
			return nil, fmt.Errorf("tar: entry %q leaves the archive root", h.Name)
		}
		mtime := abi.NsecTimespec(h.ModTime.UnixNano())
		atime, ctime := mtime, mtime
		if !h.AccessTime.IsZero() {
			atime = abi.NsecTimespec(h.AccessTime.UnixNano())
		}
		if !h.ChangeTime.IsZero() {
			ctime = abi.NsecTimespec(h.ChangeTime.UnixNano())
		}
		a := vfs.Attr{Mode: uint32(h.Mode) & 0o7777, Nlink: 1, UID: uint32(h.Uid), GID: uint32(h.Gid),
			Atime: atime, Mtime: mtime, Ctime: ctime}
		var data []byte
		var target string
		switch h.Typeflag {
		case tar.TypeReg: // archive/tar reports the legacy '\x00' as TypeReg
			a.Mode |= abi.S_IFREG
			if h.Size > 1<<34 {
				return nil, fmt.Errorf("tar: %s: %d bytes is too large to hold in memory", h.Name, h.Size)
			}
			data, err = io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("tar: %s: %w", h.Name, err)
			}
			a.Size = int64(len(data))
		case tar.TypeDir:
			a.Mode |= abi.S_IFDIR
			a.Nlink = 2
		case tar.TypeSymlink:
			a.Mode |= abi.S_IFLNK
			target = h.Linkname
			a.Size = int64(len(target))
		case tar.TypeChar:
			a.Mode |= abi.S_IFCHR
			a.Rdev = abi.Makedev(uint32(h.Devmajor), uint32(h.Devminor))
		case tar.TypeBlock:
			a.Mode |= abi.S_IFBLK
			a.Rdev = abi.Makedev(uint32(h.Devmajor), uint32(h.Devminor))
		case tar.TypeFifo:
			a.Mode |= abi.S_IFIFO
		case tar.TypeLink:
			old, ok := byPath[path.Clean("./"+h.Linkname)]
			if !ok {
				return nil, fmt.Errorf("tar: hard link %s to missing %s", h.Name, h.Linkname)
			}
			parent, err := s.dir(byPath, path.Dir(name))
			if err != nil {
				return nil, err
			}
			n, _ := s.node(old)
			n.attr.Nlink++
			s.link(parent, path.Base(name), old)
			byPath[name] = old
			continue
		default:
			continue
		}
		if name == "." {
			r, _ := s.node(root)
			r.attr = mergeRoot(r.attr, a)
			continue
		}
		parent, err := s.dir(byPath, path.Dir(name))
		if err != nil {
			return nil, err
		}
		if old, ok := byPath[name]; ok {
			// A later entry for the same path replaces an earlier one, as
			// tar extraction overwrites; a directory keeps its entries.
			n, _ := s.node(old)
			if n.attr.IsDir() && a.IsDir() {
				n.attr = mergeRoot(n.attr, a)
				continue
			}
		}
		ino := s.add(a)
		n, _ := s.node(ino)
		n.data, n.target = data, target
		s.link(parent, path.Base(name), ino)
		byPath[name] = ino
	}
	for _, n := range s.nodes {
		if n.attr.IsRegular() {
			n.attr.Blocks = (n.attr.Size + 4095) / 4096 * 8
		}
		if n.attr.IsDir() {
			n.attr.Size = 4096
			n.attr.Blocks = 8
		}
	}
	return s, nil
}

func mergeRoot(old, a vfs.Attr) vfs.Attr {
	a.Mode = abi.S_IFDIR | a.Mode&0o7777
	a.Nlink = old.Nlink
	return a
}

func (s *tarSource) add(a vfs.Attr) uint64 {
	s.nodes = append(s.nodes, &tarNode{attr: a})
	ino := uint64(len(s.nodes)) + 1
	s.nodes[ino-2].attr.Ino = ino
	return ino
}

func (s *tarSource) node(ino uint64) (*tarNode, error) {
	if ino < 2 || ino-2 >= uint64(len(s.nodes)) {
		return nil, abi.EIO
	}
	return s.nodes[ino-2], nil
}

// dir returns the directory at p, creating missing parents as tar
// extraction does.
func (s *tarSource) dir(byPath map[string]uint64, p string) (uint64, error) {
	if ino, ok := byPath[p]; ok {
		n, _ := s.node(ino)
		if !n.attr.IsDir() {
			return 0, fmt.Errorf("tar: %s is not a directory", p)
		}
		return ino, nil
	}
	parent, err := s.dir(byPath, path.Dir(p))
	if err != nil {
		return 0, err
	}
	ino := s.add(vfs.Attr{Mode: abi.S_IFDIR | 0o755, Nlink: 2})
	s.link(parent, path.Base(p), ino)
	byPath[p] = ino
	return ino, nil
}

func (s *tarSource) link(dir uint64, name string, ino uint64) {
	d, _ := s.node(dir)
	n, _ := s.node(ino)
	if d.index == nil {
		d.index = map[string]int{}
	}
	e := vfs.Dirent{Name: name, Ino: ino, Type: abi.DirentType(n.attr.Mode)}
	if i, ok := d.index[name]; ok {
		if old, _ := s.node(d.kids[i].Ino); old.attr.IsDir() {
			d.attr.Nlink--
		}
		d.kids[i] = e
	} else {
		d.index[name] = len(d.kids)
		d.kids = append(d.kids, e)
	}
	if n.attr.IsDir() {
		d.attr.Nlink++
	}
}

func (s *tarSource) RootIno() uint64 { return 2 }
func (s *tarSource) MaxIno() uint64  { return uint64(len(s.nodes)) + 1 }
func (s *tarSource) Type() string    { return "rootfs" }

func (s *tarSource) Stat(ino uint64) (vfs.Attr, error) {
	n, err := s.node(ino)
	if err != nil {
		return vfs.Attr{}, err
	}
	return n.attr, nil
}

func (s *tarSource) ReadDir(ino uint64) ([]vfs.Dirent, error) {
	n, err := s.node(ino)
	if err != nil {
		return nil, err
	}
	return append([]vfs.Dirent(nil), n.kids...), nil
}

func (s *tarSource) ReadAt(ino uint64, p []byte, off int64) (int, error) {
	n, err := s.node(ino)
	if err != nil {
		return 0, err
	}
	if off >= int64(len(n.data)) {
		return 0, nil
	}
	return copy(p, n.data[off:]), nil
}

func (s *tarSource) Readlink(ino uint64) (string, error) {
	n, err := s.node(ino)
	if err != nil {
		return "", err
	}
	return n.target, nil
}

func (s *tarSource) Statfs() abi.Statfs {
	var used int64
	for _, n := range s.nodes {
		used += n.attr.Blocks / 8
	}
	total := uint64(used) + 1<<18
	return abi.Statfs{Type: 0x858458f6 /* RAMFS_MAGIC: rootfs */, Bsize: 4096, Blocks: total,
		Bfree: total - uint64(used), Bavail: total - uint64(used), Files: uint64(len(s.nodes)) + 1<<16,
		Ffree: 1 << 16, Namelen: abi.NAME_MAX, Frsize: 4096}
}
