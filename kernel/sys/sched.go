package sys

import (
	"runtime"

	"paddock/abi"
	"paddock/kernel"
)

// Pipe implements pipe(2).
func Pipe(t *kernel.Task, a kernel.Args) (uint64, error) { return pipe2(t, a[0], 0) }

// Pipe2 implements pipe2(2): O_CLOEXEC, O_NONBLOCK and O_DIRECT.
func Pipe2(t *kernel.Task, a kernel.Args) (uint64, error) { return pipe2(t, a[0], a.Uint(1)) }

func pipe2(t *kernel.Task, addr uint64, flags uint32) (uint64, error) {
	if flags&^(abi.O_CLOEXEC|abi.O_NONBLOCK|abi.O_DIRECT) != 0 {
		return 0, abi.EINVAL
	}
	r, w := t.Kernel().VFS().NewPipeFiles(vcreds(t), flags&(abi.O_NONBLOCK|abi.O_DIRECT))
	defer r.DecRef()
	defer w.DecRef()
	fds := t.FDs()
	limit := t.Process().Limit(abi.RLIMIT_NOFILE)
	cloexec := flags&abi.O_CLOEXEC != 0
	rfd, err := fds.Install(r, 0, cloexec, limit)
	if err != nil {
		return 0, err
	}
	wfd, err := fds.Install(w, 0, cloexec, limit)
	if err != nil {
		fds.Close(rfd)
		return 0, err
	}
	b := []byte{byte(rfd), byte(rfd >> 8), byte(rfd >> 16), byte(rfd >> 24), byte(wfd), byte(wfd >> 8), byte(wfd >> 16), byte(wfd >> 24)}
	if err := t.CopyOut(addr, b); err != nil {
		fds.Close(rfd)
		fds.Close(wfd)
		return 0, err
	}
	return 0, nil
}

// SchedYield implements sched_yield(2).
func SchedYield(t *kernel.Task, a kernel.Args) (uint64, error) {
	runtime.Gosched()
	return 0, nil
}

// SchedGetaffinity implements sched_getaffinity(2). The buffer must hold a
// mask of nr_cpu_ids bits in whole longs (EINVAL otherwise); the call
// returns the mask's size in bytes.
func SchedGetaffinity(t *kernel.Task, a kernel.Args) (uint64, error) {
	target := t
	if pid := a.Int(0); pid != 0 {
		if target = t.Kernel().TaskByTID(pid); target == nil {
			return 0, abi.ESRCH
		}
	}
	mask := target.Affinity()
	if a[1] < uint64(len(mask)) || a[1]%8 != 0 {
		return 0, abi.EINVAL
	}
	return uint64(len(mask)), t.CopyOut(a[2], mask)
}

// SchedSetaffinity implements sched_setaffinity(2). paddock does not pin
// guest threads, but the mask must name at least one existing CPU
// (EINVAL otherwise), as on Linux.
func SchedSetaffinity(t *kernel.Task, a kernel.Args) (uint64, error) {
	target := t
	if pid := a.Int(0); pid != 0 {
		if target = t.Kernel().TaskByTID(pid); target == nil {
			return 0, abi.ESRCH
		}
	}
	n := min(a[1], 1024)
	mask := make([]byte, n)
	if err := t.CopyIn(a[2], mask); err != nil {
		return 0, err
	}
	for c := 0; c < t.Kernel().NumCPU() && c/8 < len(mask); c++ {
		if mask[c/8]&(1<<(c%8)) != 0 {
			target.SetAffinity(mask)
			return 0, nil
		}
	}
	return 0, abi.EINVAL
}

// Getpriority implements getpriority(2); the raw call returns 20 - nice.
func Getpriority(t *kernel.Task, a kernel.Args) (uint64, error) {
	p, err := t.Getpriority(a.Int(0), a.Int(1))
	return uint64(p), err
}

// Setpriority implements setpriority(2).
func Setpriority(t *kernel.Task, a kernel.Args) (uint64, error) {
	return 0, t.Setpriority(a.Int(0), a.Int(1), int(a.Int(2)))
}

// SchedGetscheduler implements sched_getscheduler(2).
func SchedGetscheduler(t *kernel.Task, a kernel.Args) (uint64, error) {
	policy, _, err := t.SchedPolicy(a.Int(0))
	return uint64(policy), err
}

// SchedGetparam implements sched_getparam(2).
func SchedGetparam(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a[1] == 0 {
		return 0, abi.EINVAL
	}
	_, prio, err := t.SchedPolicy(a.Int(0))
	if err != nil {
		return 0, err
	}
	return 0, putU32(t, a[1], uint32(prio))
}

// SchedSetscheduler implements sched_setscheduler(2).
func SchedSetscheduler(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a.Int(1) < 0 || a[2] == 0 {
		return 0, abi.EINVAL
	}
	prio, err := getU32(t, a[2])
	if err != nil {
		return 0, err
	}
	return 0, t.SetSchedPolicy(a.Int(0), a.Int(1), int32(prio))
}

// SchedSetparam implements sched_setparam(2): the priority, policy kept.
func SchedSetparam(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a[1] == 0 {
		return 0, abi.EINVAL
	}
	prio, err := getU32(t, a[1])
	if err != nil {
		return 0, err
	}
	return 0, t.SetSchedPolicy(a.Int(0), -1, int32(prio))
}

// SchedGetPriorityMax implements sched_get_priority_max(2).
func SchedGetPriorityMax(t *kernel.Task, a kernel.Args) (uint64, error) {
	_, hi, err := kernel.PriorityRange(a.Int(0))
	return uint64(hi), err
}

// SchedGetPriorityMin implements sched_get_priority_min(2).
func SchedGetPriorityMin(t *kernel.Task, a kernel.Args) (uint64, error) {
	lo, _, err := kernel.PriorityRange(a.Int(0))
	return uint64(lo), err
}

// SchedRrGetInterval implements sched_rr_get_interval(2): the time slice
// a thread gets on its engine when others wait, and 0 under SCHED_FIFO,
// which has none.
func SchedRrGetInterval(t *kernel.Task, a kernel.Args) (uint64, error) {
	policy, _, err := t.SchedPolicy(a.Int(0))
	if err != nil {
		return 0, err
	}
	slice := kernel.TimeSlice
	if policy&^abi.SCHED_RESET_ON_FORK == abi.SCHED_FIFO {
		slice = 0
	}
	return 0, putTimespec(t, a[1], abi.NsecTimespec(int64(slice)))
}
