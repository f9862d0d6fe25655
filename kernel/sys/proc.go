package sys

import (
	"time"

	"paddock/abi"
	"paddock/kernel"
)

// ExitGroup implements exit_group(2).
func ExitGroup(t *kernel.Task, a kernel.Args) (uint64, error) {
	t.ExitGroup(int(a.Int(0)))
	return 0, nil
}

// Exit implements exit(2): the calling thread ends; for the last thread
// that ends the process.
func Exit(t *kernel.Task, a kernel.Args) (uint64, error) {
	t.ExitThread(int(a.Int(0)))
	return 0, nil
}

// execveat implements execve and execveat.
func execveat(t *kernel.Task, dirfd int32, pathAddr, argvAddr, envpAddr uint64, flags uint32) (uint64, error) {
	if flags&^(abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	p, err := t.ReadPath(pathAddr)
	if err != nil {
		return 0, err
	}
	argv, err := stringArray(t, argvAddr)
	if err != nil {
		return 0, err
	}
	envp, err := stringArray(t, envpAddr)
	if err != nil {
		return 0, err
	}
	if p == "" && flags&abi.AT_EMPTY_PATH != 0 {
		return 0, t.ExecveFD(dirfd, argv, envp)
	}
	r, err := t.Resolver(dirfd, p)
	if err != nil {
		return 0, err
	}
	return 0, t.Execve(r, p, argv, envp, flags&abi.AT_SYMLINK_NOFOLLOW == 0)
}

// maxArgs bounds argv and envp (MAX_ARG_STRINGS).
const maxArgs = 0x7FFFFFFF

// stringArray reads a NULL-terminated array of string pointers; a NULL
// array is empty, as Linux allows.
func stringArray(t *kernel.Task, addr uint64) ([]string, error) {
	var out []string
	if addr == 0 {
		return nil, nil
	}
	var total int
	for i := 0; i < maxArgs; i++ {
		p, err := getU64(t, addr+uint64(8*i))
		if err != nil {
			return nil, err
		}
		if p == 0 {
			return out, nil
		}
		s, err := t.ReadString(p, 32*abi.PageSize)
		if err == abi.ENAMETOOLONG {
			return nil, abi.E2BIG
		}
		if err != nil {
			return nil, err
		}
		total += len(s) + 1 + 8
		if total > 1<<30 {
			return nil, abi.E2BIG
		}
		out = append(out, s)
	}
	return nil, abi.E2BIG
}

// Execve implements execve(2).
func Execve(t *kernel.Task, a kernel.Args) (uint64, error) {
	return execveat(t, abi.AT_FDCWD, a[0], a[1], a[2], 0)
}

// Execveat implements execveat(2).
func Execveat(t *kernel.Task, a kernel.Args) (uint64, error) {
	return execveat(t, a.Int(0), a[1], a[2], a[3], a.Uint(4))
}

// Getrlimit implements getrlimit(2).
func Getrlimit(t *kernel.Task, a kernel.Args) (uint64, error) {
	r := a.Int(0)
	if r < 0 || r >= abi.RLIM_NLIMITS {
		return 0, abi.EINVAL
	}
	b := make([]byte, abi.SizeofRlimit)
	t.Process().Rlimit(int(r)).Encode(b)
	return 0, t.CopyOut(a[1], b)
}

// Setrlimit implements setrlimit(2).
func Setrlimit(t *kernel.Task, a kernel.Args) (uint64, error) {
	r := a.Int(0)
	if r < 0 || r >= abi.RLIM_NLIMITS {
		return 0, abi.EINVAL
	}
	b := make([]byte, abi.SizeofRlimit)
	if err := t.CopyIn(a[1], b); err != nil {
		return 0, err
	}
	c := t.Process().Creds()
	_, err := t.Process().SetRlimit(int(r), abi.DecodeRlimit(b), c.Privileged())
	return 0, err
}

// Prlimit64 implements prlimit64(2): get and/or set a process's limit; for
// another process the caller must be root or have the same real, effective
// and saved ids as its target's real ids.
func Prlimit64(t *kernel.Task, a kernel.Args) (uint64, error) {
	pid, r := a.Int(0), a.Int(1)
	if r < 0 || r >= abi.RLIM_NLIMITS {
		return 0, abi.EINVAL
	}
	p := t.Process()
	if pid != 0 && pid != p.PID() {
		p = t.Kernel().ProcessByPID(pid)
		if p == nil {
			return 0, abi.ESRCH
		}
		me, them := t.Process().Creds(), p.Creds()
		if !me.Privileged() && (me.RealUID != them.RealUID || me.EffectiveUID != them.RealUID || me.SavedUID != them.RealUID ||
			me.RealGID != them.RealGID || me.EffectiveGID != them.RealGID || me.SavedGID != them.RealGID) {
			return 0, abi.EPERM
		}
	}
	old := p.Rlimit(int(r))
	if a[2] != 0 {
		b := make([]byte, abi.SizeofRlimit)
		if err := t.CopyIn(a[2], b); err != nil {
			return 0, err
		}
		c := t.Process().Creds()
		var err error
		if old, err = p.SetRlimit(int(r), abi.DecodeRlimit(b), c.Privileged()); err != nil {
			return 0, err
		}
	}
	if a[3] != 0 {
		b := make([]byte, abi.SizeofRlimit)
		old.Encode(b)
		return 0, t.CopyOut(a[3], b)
	}
	return 0, nil
}

// Getrusage implements getrusage(2) for RUSAGE_SELF (0), RUSAGE_CHILDREN
// (-1) and RUSAGE_THREAD (1).
func Getrusage(t *kernel.Task, a kernel.Args) (uint64, error) {
	var u, s time.Duration
	switch a.Int(0) {
	case 0:
		u, s = t.Process().CPUTime()
	case -1:
		u, s = t.Process().ChildrenCPUTime()
	case 1:
		u, s = t.CPUTime()
	default:
		return 0, abi.EINVAL
	}
	ru := abi.Rusage{Utime: abi.DurationTimeval(u), Stime: abi.DurationTimeval(s),
		Maxrss: int64(t.Process().MaxRSS() / 1024)}
	b := make([]byte, abi.SizeofRusage)
	ru.Encode(b)
	return 0, t.CopyOut(a[1], b)
}

// Times implements times(2): CPU times in clock ticks, and the elapsed
// ticks since boot as the return value.
func Times(t *kernel.Task, a kernel.Args) (uint64, error) {
	ticks := func(d time.Duration) uint64 { return uint64(d / (time.Second / abi.ClockTick)) }
	if a[0] != 0 {
		u, s := t.Process().CPUTime()
		cu, cs := t.Process().ChildrenCPUTime()
		b := make([]byte, 32)
		for i, v := range []uint64{ticks(u), ticks(s), ticks(cu), ticks(cs)} {
			for j := range 8 {
				b[8*i+j] = byte(v >> (8 * j))
			}
		}
		if err := t.CopyOut(a[0], b); err != nil {
			return 0, err
		}
	}
	return ticks(t.Kernel().Uptime()), nil
}
