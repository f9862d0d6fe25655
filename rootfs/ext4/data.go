package ext4

import (
	"sort"
)

// extent maps logical blocks [lblk, lblk+n) to physical blocks starting at
// pblk. uninit extents read as zeros.
type extent struct {
	lblk   uint64
	n      uint64
	pblk   uint64
	uninit bool
}

// maxExtentDepth bounds extent tree recursion (ext4 allows 5).
const maxExtentDepth = 5

// blockMap returns the inode's extents sorted by logical block.
func (fs *FS) blockMap(in *Inode) ([]extent, error) {
	fs.mu.Lock()
	if m, ok := fs.extents[in.Num]; ok {
		fs.mu.Unlock()
		return m, nil
	}
	fs.mu.Unlock()
	var m []extent
	var err error
	// A block map is a tree: each of its blocks appears once. A block seen
	// twice is corruption, and refusing it bounds the work a corrupt image
	// can cause by the image's size.
	seen := map[uint64]bool{}
	if in.Flags&flagExtents != 0 {
		err = fs.walkExtents(in.block[:], maxExtentDepth, &m, seen)
	} else {
		err = fs.walkIndirect(in, &m, seen)
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(m, func(i, j int) bool { return m[i].lblk < m[j].lblk })
	for i := 1; i < len(m); i++ {
		if m[i].lblk < m[i-1].lblk+m[i-1].n {
			return nil, corrupt("inode %d: overlapping extents", in.Num)
		}
	}
	fs.mu.Lock()
	if len(fs.extents) > 4096 {
		fs.extents = map[uint32][]extent{}
	}
	fs.extents[in.Num] = m
	fs.mu.Unlock()
	return m, nil
}

// walkExtents decodes an extent tree node (the 60-byte root in i_block or a
// whole block) into out.
func (fs *FS) walkExtents(node []byte, depthLeft int, out *[]extent, seen map[uint64]bool) error {
	if len(node) < 12 || le.Uint16(node[0:]) != 0xF30A {
		return corrupt("bad extent header")
	}
	entries := int(le.Uint16(node[2:]))
	depth := int(le.Uint16(node[6:]))
	if depth > depthLeft || 12+entries*12 > len(node) {
		return corrupt("extent node: %d entries at depth %d", entries, depth)
	}
	for i := 0; i < entries; i++ {
		e := node[12+12*i:]
		if depth == 0 {
			n := uint64(le.Uint16(e[4:]))
			uninit := n > 32768
			if uninit {
				n -= 32768
			}
			start := uint64(le.Uint16(e[6:]))<<32 | uint64(le.Uint32(e[8:]))
			if n == 0 {
				continue
			}
			if start+n > fs.sb.BlocksCount || start+n < start {
				return corrupt("extent of %d blocks at %d beyond the image", n, start)
			}
			*out = append(*out, extent{lblk: uint64(le.Uint32(e[0:])), n: n, pblk: start, uninit: uninit})
			continue
		}
		child := uint64(le.Uint32(e[4:])) | uint64(le.Uint16(e[8:]))<<32
		if seen[child] {
			return corrupt("extent tree block %d appears twice", child)
		}
		seen[child] = true
		b := make([]byte, fs.sb.BlockSize)
		if err := fs.readBlock(b, child); err != nil {
			return err
		}
		if err := fs.walkExtents(b, depth-1, out, seen); err != nil {
			return err
		}
		if len(*out) > 1<<22 {
			return corrupt("too many extents")
		}
	}
	return nil
}

// walkIndirect decodes ext2/ext3 block maps: 12 direct blocks, then single,
// double and triple indirect blocks; block 0 is a hole.
func (fs *FS) walkIndirect(in *Inode, out *[]extent, seen map[uint64]bool) error {
	bs := uint64(fs.sb.BlockSize)
	per := bs / 4
	nblocks := (in.Size + bs - 1) / bs
	add := func(l, p uint64) {
		if p == 0 {
			return
		}
		if k := len(*out); k > 0 {
			last := &(*out)[k-1]
			if last.lblk+last.n == l && last.pblk+last.n == p {
				last.n++
				return
			}
		}
		*out = append(*out, extent{lblk: l, n: 1, pblk: p})
	}
	for i := uint64(0); i < 12 && i < nblocks; i++ {
		add(i, uint64(le.Uint32(in.block[4*i:])))
	}
	var walk func(blk uint64, level int, base uint64) error
	walk = func(blk uint64, level int, base uint64) error {
		if blk == 0 || base >= nblocks {
			return nil
		}
		if seen[blk] {
			return corrupt("indirect block %d appears twice", blk)
		}
		seen[blk] = true
		b := make([]byte, bs)
		if err := fs.readBlock(b, blk); err != nil {
			return err
		}
		span := uint64(1)
		for range level {
			span *= per
		}
		for i := uint64(0); i < per; i++ {
			p := uint64(le.Uint32(b[4*i:]))
			l := base + i*span
			if l >= nblocks {
				break
			}
			if level == 0 {
				if p >= fs.sb.BlocksCount {
					return corrupt("block %d beyond the image", p)
				}
				add(l, p)
			} else if err := walk(p, level-1, l); err != nil {
				return err
			}
		}
		return nil
	}
	base := uint64(12)
	for level := 0; level < 3; level++ {
		if err := walk(uint64(le.Uint32(in.block[48+4*level:])), level, base); err != nil {
			return err
		}
		span := uint64(1)
		for range level + 1 {
			span *= per
		}
		base += span
	}
	return nil
}

// ReadAt reads file data of in at off: holes and uninitialised extents read
// as zeros; reading past the end returns what is there (0 bytes at or after
// the end).
func (fs *FS) ReadAt(in *Inode, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, corrupt("negative offset")
	}
	if uint64(off) >= in.Size {
		return 0, nil
	}
	if rem := in.Size - uint64(off); uint64(len(p)) > rem {
		p = p[:rem]
	}
	if in.Flags&flagInlineData != 0 {
		return fs.readInline(in, p, off)
	}
	m, err := fs.blockMap(in)
	if err != nil {
		return 0, err
	}
	bs := uint64(fs.sb.BlockSize)
	done := 0
	for done < len(p) {
		pos := uint64(off) + uint64(done)
		lblk := pos / bs
		inBlk := pos % bs
		i := sort.Search(len(m), func(i int) bool { return m[i].lblk+m[i].n > lblk })
		if i == len(m) || m[i].lblk > lblk {
			// A hole up to the next extent.
			next := uint64(len(p) - done)
			if i < len(m) {
				next = min(next, m[i].lblk*bs-pos)
			}
			clear(p[done : done+int(next)])
			done += int(next)
			continue
		}
		e := m[i]
		k := min(uint64(len(p)-done), (e.lblk+e.n-lblk)*bs-inBlk)
		if e.uninit {
			clear(p[done : done+int(k)])
		} else if err := fs.readAt(p[done:done+int(k)], (e.pblk+lblk-e.lblk)*bs+inBlk); err != nil {
			return done, err
		}
		done += int(k)
	}
	return done, nil
}

// inlineData returns the whole inline content: i_block, then system.data.
func (in *Inode) inlineData() []byte {
	d := append([]byte(nil), in.block[:]...)
	return append(d, in.inlineXattr...)
}

func (fs *FS) readInline(in *Inode, p []byte, off int64) (int, error) {
	d := in.inlineData()
	if uint64(len(d)) < in.Size {
		return 0, corrupt("inode %d: inline data shorter than its size", in.Num)
	}
	return copy(p, d[off:in.Size]), nil
}

// maxDirSize bounds the directories the reader accepts, far above any real
// one (a million long names), so that a corrupt size cannot make it
// allocate gigabytes.
const maxDirSize = 128 << 20

// DirEntry is one directory entry.
type DirEntry struct {
	Name  string
	Inode uint32
	Type  uint8 // ext4 file type: 1 reg, 2 dir, 3 chr, 4 blk, 5 fifo, 6 sock, 7 symlink; 0 unknown
}

// ReadDir lists a directory's entries, "." and ".." included. A linear scan
// of the blocks is right for htree directories too: their index blocks look
// like empty entries.
func (fs *FS) ReadDir(in *Inode) ([]DirEntry, error) {
	if !in.IsDir() {
		return nil, corrupt("inode %d is not a directory", in.Num)
	}
	if in.Flags&flagInlineData != 0 {
		return fs.readInlineDir(in)
	}
	if in.Size > maxDirSize {
		return nil, corrupt("directory of %d bytes", in.Size)
	}
	data := make([]byte, in.Size)
	if _, err := fs.ReadAt(in, data, 0); err != nil {
		return nil, err
	}
	var out []DirEntry
	bs := int(fs.sb.BlockSize)
	for blk := 0; blk < len(data); blk += bs {
		ents, err := fs.parseDirents(data[blk:min(blk+bs, len(data))])
		if err != nil {
			return nil, err
		}
		out = append(out, ents...)
	}
	return out, nil
}

func (fs *FS) parseDirents(b []byte) ([]DirEntry, error) {
	var out []DirEntry
	for p := 0; p+8 <= len(b); {
		ino := le.Uint32(b[p:])
		rec := int(le.Uint16(b[p+4:]))
		nameLen := int(b[p+6])
		typ := b[p+7]
		if fs.sb.FeatureIncompat&incompatFiletype == 0 {
			nameLen |= int(typ) << 8
			typ = 0
		}
		if rec < 8 || rec%4 != 0 || p+rec > len(b) {
			return nil, corrupt("directory entry with record length %d", rec)
		}
		if ino != 0 {
			if 8+nameLen > rec {
				return nil, corrupt("directory entry name overflows its record")
			}
			if ino > fs.sb.InodesCount {
				return nil, corrupt("directory entry for inode %d", ino)
			}
			out = append(out, DirEntry{Name: string(b[p+8 : p+8+nameLen]), Inode: ino, Type: typ})
		}
		p += rec
	}
	return out, nil
}

// readInlineDir lists an inline directory: i_block holds the parent's
// inode number and then entries; system.data holds more entries.
func (fs *FS) readInlineDir(in *Inode) ([]DirEntry, error) {
	parent := le.Uint32(in.block[0:])
	out := []DirEntry{{".", in.Num, 2}, {"..", parent, 2}}
	a, err := fs.parseDirents(in.block[4:])
	if err != nil {
		return nil, err
	}
	out = append(out, a...)
	if len(in.inlineXattr) > 0 {
		b, err := fs.parseDirents(in.inlineXattr)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// Readlink returns a symlink's target: in i_block for a fast symlink (or
// inline data), else in its data blocks.
func (fs *FS) Readlink(in *Inode) (string, error) {
	if !in.IsSymlink() {
		return "", corrupt("inode %d is not a symlink", in.Num)
	}
	if in.Size > 4096 {
		return "", corrupt("symlink of %d bytes", in.Size)
	}
	// A fast symlink keeps its target in i_block and has no data blocks
	// besides an extended attribute block (ext4_inode_is_fast_symlink).
	var eaBlocks uint64
	if in.FileACL != 0 {
		eaBlocks = uint64(fs.sb.BlockSize) / 512
	}
	if in.Flags&flagInlineData == 0 && in.Blocks-eaBlocks == 0 && in.Size < 60 {
		return string(in.block[:in.Size]), nil
	}
	b := make([]byte, in.Size)
	n, err := fs.ReadAt(in, b, 0)
	if err != nil {
		return "", err
	}
	return string(b[:n]), nil
}
