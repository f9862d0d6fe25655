// Package rootfs builds the guest's root file system from what the user
// names on the command line: a host directory (written in place, confined to
// it), an ext4 image or a tar archive (both read-only beneath an in-memory
// writable layer).
package rootfs

import (
	"bytes"
	"fmt"
	"os"

	"paddock/abi"
	"paddock/kernel/vfs"
	"paddock/rootfs/ext4"
)

// Kind is the kind of root a path holds.
type Kind int

// Kinds of root.
const (
	Directory Kind = iota
	Ext4Image
	Tarball
)

func (k Kind) String() string {
	return [...]string{"directory", "ext4 image", "tar archive"}[k]
}

// Detect tells what kind of root path is, from its contents.
func Detect(path string) (Kind, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if fi.IsDir() {
		return Directory, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	head := make([]byte, 1088)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	switch {
	case n >= 1082 && head[1080] == 0x53 && head[1081] == 0xEF:
		return Ext4Image, nil
	case n >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return Tarball, nil
	case n >= 262 && bytes.Equal(head[257:262], []byte("ustar")):
		return Tarball, nil
	}
	return 0, fmt.Errorf("%s: not a directory, an ext4 image or a tar archive (.tar, .tar.gz)", path)
}

// Open returns the file system for the root at path. now is the kernel's
// clock for the writable layer's timestamps; dev is the device number it
// gets.
func Open(path string, dev uint64, now func() abi.Timespec) (vfs.FileSystem, error) {
	kind, err := Detect(path)
	if err != nil {
		return nil, err
	}
	switch kind {
	case Directory:
		return NewHostDir(path)
	case Ext4Image:
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		fi, err := f.Stat()
		if err != nil {
			return nil, err
		}
		img, err := ext4.Open(f, fi.Size())
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		fs, err := vfs.NewOverlay(dev, newExt4Source(img), now)
		if err != nil {
			return nil, fmt.Errorf("%s: root directory: %w", path, err)
		}
		return fs, nil
	default:
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		src, err := newTarSource(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return vfs.NewOverlay(dev, src, now)
	}
}
