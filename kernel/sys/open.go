package sys

import (
	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

// openFlagsValid are the flags open(2) accepts; others are ignored by
// Linux's open and rejected by openat2.
const openFlagsValid = abi.O_ACCMODE | abi.O_CREAT | abi.O_EXCL | abi.O_NOCTTY | abi.O_TRUNC | abi.O_APPEND |
	abi.O_NONBLOCK | abi.O_DSYNC | abi.O_ASYNC | abi.O_DIRECT | abi.O_LARGEFILE | abi.O_DIRECTORY |
	abi.O_NOFOLLOW | abi.O_NOATIME | abi.O_CLOEXEC | abi.O_SYNC | abi.O_PATH | abi.O_TMPFILE

func openat(t *kernel.Task, dirfd int32, pathAddr uint64, flags, mode uint32) (uint64, error) {
	r, p, err := pathAt(t, dirfd, pathAddr)
	if err != nil {
		return 0, err
	}
	flags &= openFlagsValid
	if flags&abi.O_ACCMODE == 3 && flags&abi.O_PATH == 0 {
		return 0, abi.EINVAL
	}
	umask := t.FS().Umask()
	var f *vfs.File
	if flags&abi.O_TMPFILE == abi.O_TMPFILE {
		f, err = t.Kernel().VFS().OpenTmpfile(r, p, flags|abi.O_LARGEFILE, mode&0o7777&^umask)
	} else {
		f, err = t.Kernel().VFS().Open(t, r, p, flags|abi.O_LARGEFILE, mode&0o7777&^umask)
	}
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	fd, err := t.FDs().Install(f, 0, flags&abi.O_CLOEXEC != 0, t.Process().Limit(abi.RLIMIT_NOFILE))
	return uint64(fd), err
}

// Open implements open(2).
func Open(t *kernel.Task, a kernel.Args) (uint64, error) {
	return openat(t, abi.AT_FDCWD, a[0], a.Uint(1), a.Uint(2))
}

// Openat implements openat(2).
func Openat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return openat(t, a.Int(0), a[1], a.Uint(2), a.Uint(3))
}

// Creat implements creat(2).
func Creat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return openat(t, abi.AT_FDCWD, a[0], abi.O_CREAT|abi.O_WRONLY|abi.O_TRUNC, a.Uint(1))
}

// Close implements close(2).
func Close(t *kernel.Task, a kernel.Args) (uint64, error) {
	return boolErr(t.FDs().Close(a.Int(0)))
}

// CloseRange implements close_range(2) (flags CLOSE_RANGE_CLOEXEC).
func CloseRange(t *kernel.Task, a kernel.Args) (uint64, error) {
	first, last, flags := a.Uint(0), a.Uint(1), a.Uint(2)
	if flags&^(abi.CLOSE_RANGE_CLOEXEC|abi.CLOSE_RANGE_UNSHARE) != 0 || first > last {
		return 0, abi.EINVAL
	}
	t.FDs().CloseRange(first, last, flags&abi.CLOSE_RANGE_CLOEXEC != 0)
	return 0, nil
}

// Dup implements dup(2).
func Dup(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := fileRaw(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	fd, err := t.FDs().Install(f, 0, false, t.Process().Limit(abi.RLIMIT_NOFILE))
	return uint64(fd), err
}

func dup3(t *kernel.Task, oldfd, newfd int32, flags uint32) (uint64, error) {
	if flags&^abi.O_CLOEXEC != 0 {
		return 0, abi.EINVAL
	}
	f, err := fileRaw(t, oldfd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if newfd < 0 || uint64(newfd) >= t.Process().Limit(abi.RLIMIT_NOFILE) {
		return 0, abi.EBADF
	}
	t.FDs().InstallAt(newfd, f, flags&abi.O_CLOEXEC != 0)
	return uint64(newfd), nil
}

// Dup2 implements dup2(2): dup2(fd, fd) checks fd and changes nothing.
func Dup2(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a.Int(0) == a.Int(1) {
		f, err := fileRaw(t, a.Int(0))
		if err != nil {
			return 0, err
		}
		f.DecRef()
		return uint64(a.Int(1)), nil
	}
	return dup3(t, a.Int(0), a.Int(1), 0)
}

// Dup3 implements dup3(2): the two descriptors must differ.
func Dup3(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a.Int(0) == a.Int(1) {
		return 0, abi.EINVAL
	}
	return dup3(t, a.Int(0), a.Int(1), a.Uint(2))
}

// Fcntl implements fcntl(2).
func Fcntl(t *kernel.Task, a kernel.Args) (uint64, error) {
	fd, cmd := a.Int(0), a.Int(1)
	fds := t.FDs()
	f, err := fileRaw(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	switch cmd {
	case abi.F_DUPFD, abi.F_DUPFD_CLOEXEC:
		min := a.Int(2)
		limit := t.Process().Limit(abi.RLIMIT_NOFILE)
		if min < 0 || uint64(min) >= limit {
			return 0, abi.EINVAL
		}
		n, err := fds.Install(f, min, cmd == abi.F_DUPFD_CLOEXEC, limit)
		return uint64(n), err
	case abi.F_GETFD:
		on, err := fds.CloseOnExec(fd)
		if on {
			return abi.FD_CLOEXEC, err
		}
		return 0, err
	case abi.F_SETFD:
		return 0, fds.SetCloseOnExec(fd, a[2]&abi.FD_CLOEXEC != 0)
	case abi.F_GETFL:
		return uint64(f.Flags()), nil
	case abi.F_SETFL:
		if f.Flags()&abi.O_PATH != 0 {
			return 0, abi.EBADF
		}
		f.SetStatusFlags(a.Uint(2))
		return 0, nil
	case abi.F_GETPIPE_SZ:
		p := vfs.PipeOf(f)
		if p == nil {
			return 0, abi.EBADF
		}
		return uint64(p.Size()), nil
	case abi.F_SETPIPE_SZ:
		p := vfs.PipeOf(f)
		if p == nil {
			return 0, abi.EBADF
		}
		c := t.Process().Creds()
		n, err := p.SetSize(a.Uint(2), c.Privileged())
		return uint64(n), err
	case abi.F_GETLK, abi.F_SETLK, abi.F_SETLKW, abi.F_OFD_GETLK, abi.F_OFD_SETLK, abi.F_OFD_SETLKW:
		return 0, fcntlLock(t, f, cmd, a[2])
	}
	return 0, abi.EINVAL
}
