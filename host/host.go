// Package host is what paddock needs of the host operating system, behind
// one small interface, so that the kernel, the tools and the command are
// host-independent Go: translating host errors, and the host's standard
// files (the console a guest's first process inherits). Code that depends
// on one OS lives in a file named for it.
package host

import (
	"errors"
	"io/fs"
	"syscall"

	"paddock/abi"
)

// Errno converts an error from the host to the errno a guest sees, and
// reports whether it knew the error: a host errno is the same number in
// the guest (paddock's host is Linux), and os's portable errors map to
// theirs. For an error it does not know it returns EIO and false, so
// that the caller may choose another.
func Errno(err error) (abi.Errno, bool) {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		return abi.Errno(errno), true
	case errors.Is(err, fs.ErrNotExist):
		return abi.ENOENT, true
	case errors.Is(err, fs.ErrExist):
		return abi.EEXIST, true
	case errors.Is(err, fs.ErrPermission):
		return abi.EACCES, true
	}
	return abi.EIO, false
}
