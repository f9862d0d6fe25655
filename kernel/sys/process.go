package sys

import (
	"time"

	"paddock/abi"
	"paddock/kernel"
)

// Fork implements fork(2).
func Fork(t *kernel.Task, a kernel.Args) (uint64, error) {
	tid, err := t.Clone(kernel.CloneArgs{ExitSignal: abi.SIGCHLD})
	return uint64(tid), err
}

// Vfork implements vfork(2): the child shares the parent's memory and the
// parent waits until the child execs or exits.
func Vfork(t *kernel.Task, a kernel.Args) (uint64, error) {
	tid, err := t.Clone(kernel.CloneArgs{Flags: abi.CLONE_VM | abi.CLONE_VFORK, ExitSignal: abi.SIGCHLD})
	return uint64(tid), err
}

// Clone implements clone(2); x86_64's argument order is flags, stack,
// parent_tid, child_tid, tls.
func Clone(t *kernel.Task, a kernel.Args) (uint64, error) {
	tid, err := t.Clone(kernel.CloneArgs{
		Flags: a[0] &^ abi.CSIGNAL, Stack: a[1], ParentTID: a[2], ChildTID: a[3], TLS: a[4],
		ExitSignal: abi.Signal(a[0] & abi.CSIGNAL),
	})
	return uint64(tid), err
}

// Clone3 implements clone3(2) with struct clone_args of any size Linux
// takes (copy_struct_from_user: a larger one must be zero past what the
// kernel knows). set_tid and cgroup are not supported (EINVAL).
func Clone3(t *kernel.Task, a kernel.Args) (uint64, error) {
	size := a[1]
	if size < abi.SizeofCloneArgsVer0 || size > abi.PageSize {
		return 0, abi.EINVAL
	}
	b := make([]byte, size)
	if err := t.CopyIn(a[0], b); err != nil {
		return 0, err
	}
	for _, x := range b[min(size, abi.SizeofCloneArgsVer2):] {
		if x != 0 {
			return 0, abi.E2BIG
		}
	}
	ca := abi.DecodeCloneArgs(b)
	if ca.Flags&abi.CSIGNAL != 0 || ca.ExitSignal > abi.NSIG || ca.SetTID != 0 || ca.SetTIDSize != 0 || ca.Cgroup != 0 {
		return 0, abi.EINVAL
	}
	if ca.Stack == 0 && ca.StackSize != 0 || ca.Stack != 0 && ca.StackSize == 0 {
		return 0, abi.EINVAL
	}
	tid, err := t.Clone(kernel.CloneArgs{Flags: ca.Flags, Stack: ca.Stack + ca.StackSize, ChildTID: ca.ChildTID,
		ParentTID: ca.ParentTID, TLS: ca.TLS, ExitSignal: abi.Signal(ca.ExitSignal)})
	return uint64(tid), err
}

// putRusage writes a struct rusage with the given CPU times.
func putRusage(t *kernel.Task, addr uint64, user, sys time.Duration) error {
	ru := abi.Rusage{Utime: abi.DurationTimeval(user), Stime: abi.DurationTimeval(sys)}
	b := make([]byte, abi.SizeofRusage)
	ru.Encode(b)
	return t.CopyOut(addr, b)
}

// Wait4 implements wait4(2).
func Wait4(t *kernel.Task, a kernel.Args) (uint64, error) {
	pid, options := a.Int(0), a.Uint(2)
	if options&^(abi.WNOHANG|abi.WUNTRACED|abi.WCONTINUED|abi.WNOTHREAD|abi.WALL|abi.WCLONE) != 0 {
		return 0, abi.EINVAL
	}
	id := kernel.WaitID{Type: abi.P_ALL}
	switch {
	case pid > 0:
		id = kernel.WaitID{Type: abi.P_PID, ID: pid}
	case pid == 0:
		id = kernel.WaitID{Type: abi.P_PGID, ID: t.Process().Pgid()}
	case pid < -1:
		id = kernel.WaitID{Type: abi.P_PGID, ID: -pid}
	}
	res, err := t.Wait(id, options|abi.WEXITED)
	if err != nil || res.PID == 0 {
		return 0, err
	}
	if a[1] != 0 {
		if err := putU32(t, a[1], uint32(res.Status)); err != nil {
			return 0, err
		}
	}
	if a[3] != 0 {
		if err := putRusage(t, a[3], res.User, res.Sys); err != nil {
			return 0, err
		}
	}
	return uint64(res.PID), nil
}

// Waitid implements waitid(2).
func Waitid(t *kernel.Task, a kernel.Args) (uint64, error) {
	idtype, id, options := int(a.Int(0)), a.Int(1), a.Uint(3)
	switch idtype {
	case abi.P_ALL:
	case abi.P_PID, abi.P_PGID:
		if id <= 0 && !(idtype == abi.P_PGID && id == 0) {
			return 0, abi.EINVAL
		}
		if idtype == abi.P_PGID && id == 0 {
			id = t.Process().Pgid()
		}
	default:
		return 0, abi.EINVAL
	}
	res, err := t.Wait(kernel.WaitID{Type: idtype, ID: id}, options)
	if err != nil {
		return 0, err
	}
	if a[2] != 0 {
		// With WNOHANG and nothing to report Linux clears the fields a
		// caller tests.
		info := abi.Siginfo{}
		if res.PID != 0 {
			info = abi.Siginfo{Signo: abi.SIGCHLD, Code: res.Code}
			info.SetPid(res.PID, res.UID)
			info.SetStatus(res.Value)
		}
		b := make([]byte, abi.SizeofSiginfo)
		info.Encode(b)
		if err := t.CopyOut(a[2], b); err != nil {
			return 0, err
		}
	}
	if a[4] != 0 && res.PID != 0 {
		if err := putRusage(t, a[4], res.User, res.Sys); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Setpgid implements setpgid(2).
func Setpgid(t *kernel.Task, a kernel.Args) (uint64, error) {
	return 0, t.Setpgid(a.Int(0), a.Int(1))
}

// Getpgid implements getpgid(2).
func Getpgid(t *kernel.Task, a kernel.Args) (uint64, error) {
	g, err := t.Getpgid(a.Int(0))
	return uint64(g), err
}

// Getpgrp implements getpgrp(2).
func Getpgrp(t *kernel.Task, a kernel.Args) (uint64, error) {
	return uint64(t.Process().Pgid()), nil
}

// Setsid implements setsid(2).
func Setsid(t *kernel.Task, a kernel.Args) (uint64, error) {
	s, err := t.Setsid()
	return uint64(s), err
}

// Getsid implements getsid(2).
func Getsid(t *kernel.Task, a kernel.Args) (uint64, error) {
	s, err := t.Getsid(a.Int(0))
	return uint64(s), err
}
