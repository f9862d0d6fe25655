// Package abi holds the Linux x86_64 ABI as paddock's kernel speaks it:
// syscall numbers, errno values, flag constants and the byte layout of every
// structure that crosses the user/kernel boundary. Nothing here depends on the
// host: encodings are written out field by field with explicit offsets so that
// paddock behaves the same on any host OS.
package abi

import "strconv"

// Errno is a Linux error number. A syscall handler returns one as its error;
// the dispatcher turns it into -errno in RAX.
type Errno uint32

// Aliases Linux defines as equal to another errno.
const (
	EWOULDBLOCK = EAGAIN
	EDEADLOCK   = EDEADLK
	ENOTSUP     = EOPNOTSUPP
)

// Kernel-internal errnos (include/linux/errno.h). They never reach user
// space: the signal code turns them into EINTR or a restart.
const (
	ERESTARTSYS           Errno = 512
	ERESTARTNOINTR        Errno = 513
	ERESTARTNOHAND        Errno = 514
	ERESTART_RESTARTBLOCK Errno = 516
)

// Error returns strerror's text for e.
func (e Errno) Error() string {
	if t, ok := errnoText[e]; ok {
		return t.msg
	}
	return "Unknown error " + strconv.Itoa(int(e))
}

// Name returns the symbolic name of e ("ENOENT"), as strace prints it.
func (e Errno) Name() string {
	if t, ok := errnoText[e]; ok {
		return t.name
	}
	switch e {
	case ERESTARTSYS:
		return "ERESTARTSYS"
	case ERESTARTNOINTR:
		return "ERESTARTNOINTR"
	case ERESTARTNOHAND:
		return "ERESTARTNOHAND"
	case ERESTART_RESTARTBLOCK:
		return "ERESTART_RESTARTBLOCK"
	}
	return strconv.Itoa(int(e))
}
