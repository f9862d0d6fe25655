// Package sys holds paddock's syscall table and its handlers, one file per
// family. Handlers are thin: they decode arguments, call the kernel object
// that does the work, and encode the result.
package sys

import (
	"encoding/binary"

	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

// file returns the open file for fd, with a reference the caller drops. An
// O_PATH descriptor is EBADF here, as Linux's fdget refuses it.
func file(t *kernel.Task, fd int32) (*vfs.File, error) {
	f, err := t.FDs().Get(fd)
	if err != nil {
		return nil, err
	}
	if f.Flags()&abi.O_PATH != 0 {
		f.DecRef()
		return nil, abi.EBADF
	}
	return f, nil
}

// fileRaw is file for the calls that accept O_PATH descriptors (fstat,
// fchdir, close, dup, fcntl's descriptor commands, *at directories).
func fileRaw(t *kernel.Task, fd int32) (*vfs.File, error) {
	return t.FDs().Get(fd)
}

// pathAt reads a path argument and the resolver for it relative to dirfd.
func pathAt(t *kernel.Task, dirfd int32, addr uint64) (*vfs.Resolver, string, error) {
	p, err := t.ReadPath(addr)
	if err != nil {
		return nil, "", err
	}
	r, err := t.Resolver(dirfd, p)
	if err != nil {
		return nil, "", err
	}
	return r, p, nil
}

// locationAt resolves the object an *at() call names: path relative to
// dirfd, or with AT_EMPTY_PATH and an empty path the file dirfd itself.
func locationAt(t *kernel.Task, dirfd int32, addr uint64, flags uint32) (vfs.Location, vfs.Inode, error) {
	p, err := t.ReadPath(addr)
	if err != nil {
		return vfs.Location{}, nil, err
	}
	if p == "" && flags&abi.AT_EMPTY_PATH != 0 {
		if dirfd == abi.AT_FDCWD {
			l := t.FS().Cwd()
			return l, l.Dentry.Inode, nil
		}
		f, err := fileRaw(t, dirfd)
		if err != nil {
			return vfs.Location{}, nil, err
		}
		defer f.DecRef()
		return f.Loc, f.Inode, nil
	}
	r, err := t.Resolver(dirfd, p)
	if err != nil {
		return vfs.Location{}, nil, err
	}
	l, err := t.Kernel().VFS().Walk(r, p, flags&abi.AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return vfs.Location{}, nil, err
	}
	return l, l.Dentry.Inode, nil
}

func vcreds(t *kernel.Task) *vfs.Creds {
	c := t.Process().Creds()
	return c.VFS()
}

// putU64 writes a little-endian 64-bit value to guest memory.
func putU64(t *kernel.Task, addr, v uint64) error {
	var b [8]byte
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
	return t.CopyOut(addr, b[:])
}

// putU32 writes a little-endian 32-bit value to guest memory.
func putU32(t *kernel.Task, addr uint64, v uint32) error {
	b := [4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
	return t.CopyOut(addr, b[:])
}

// le64 and le32 decode little-endian words of guest structures.
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// getU32 reads a little-endian 32-bit value.
func getU32(t *kernel.Task, addr uint64) (uint32, error) {
	var b [4]byte
	if err := t.CopyIn(addr, b[:]); err != nil {
		return 0, err
	}
	return le32(b[:]), nil
}

// getU64 reads a little-endian 64-bit value.
func getU64(t *kernel.Task, addr uint64) (uint64, error) {
	var b [8]byte
	if err := t.CopyIn(addr, b[:]); err != nil {
		return 0, err
	}
	var v uint64
	for i := range 8 {
		v |= uint64(b[i]) << (8 * i)
	}
	return v, nil
}

func boolErr(err error) (uint64, error) {
	if err != nil {
		return 0, err
	}
	return 0, nil
}
