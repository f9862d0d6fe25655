package vfs

import (
	"paddock/abi"
)

// dirFile is an open directory: getdents64 walks a snapshot of its entries
// taken at the first read (or after a seek back to 0), with "." and ".."
// first. The file offset is the index of the next entry, so telldir and
// seekdir work.
type dirFile struct {
	inode     Inode
	parentIno uint64
	entries   []Dirent
	loaded    bool
}

func (d *dirFile) Read(Context, *File, []byte, int64) (int, error)  { return 0, abi.EISDIR }
func (d *dirFile) Write(Context, *File, []byte, int64) (int, error) { return 0, abi.EBADF }

func (d *dirFile) load() error {
	ents, err := d.inode.ReadDir()
	if err != nil {
		return err
	}
	a := d.inode.Attr()
	d.entries = append([]Dirent{{".", a.Ino, abi.DT_DIR}, {"..", d.parentIno, abi.DT_DIR}}, ents...)
	d.loaded = true
	return nil
}

// Lseek implements Seeker: positions are entry indexes; seeking to 0
// takes a new snapshot.
func (d *dirFile) Lseek(cur, off int64, whence int) (int64, error) {
	switch whence {
	case abi.SEEK_SET:
	case abi.SEEK_CUR:
		off += cur
	default:
		return 0, abi.EINVAL
	}
	if off < 0 {
		return 0, abi.EINVAL
	}
	if off == 0 {
		d.loaded = false
	}
	return off, nil
}

// Getdents64 fills buf with linux_dirent64 records from the file position
// and returns the bytes used: 0 at the end, EINVAL if buf cannot hold the
// next record, ENOTDIR for a file that is not a directory.
func (f *File) Getdents64(buf []byte) (int, error) {
	d, ok := f.Ops.(*dirFile)
	if !ok {
		return 0, abi.ENOTDIR
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !d.loaded {
		if err := d.load(); err != nil {
			return 0, err
		}
	}
	n := 0
	for i := int(f.off); i < len(d.entries); i++ {
		e := d.entries[i]
		rec := abi.Dirent64{Ino: e.Ino, Off: int64(i + 1), Type: e.Type, Name: e.Name}
		if n+rec.Reclen() > len(buf) {
			if n == 0 {
				return 0, abi.EINVAL
			}
			break
		}
		rec.Encode(buf[n:])
		n += rec.Reclen()
		f.setOffset(int64(i + 1))
	}
	return n, nil
}
