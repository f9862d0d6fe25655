package sys

import (
	"time"

	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

func putTimespec(t *kernel.Task, addr uint64, ts abi.Timespec) error {
	b := make([]byte, abi.SizeofTimespec)
	ts.Encode(b)
	return t.CopyOut(addr, b)
}

func getTimespec(t *kernel.Task, addr uint64) (abi.Timespec, error) {
	b := make([]byte, abi.SizeofTimespec)
	if err := t.CopyIn(addr, b); err != nil {
		return abi.Timespec{}, err
	}
	return abi.DecodeTimespec(b), nil
}

// getValidTimespec reads a timespec that must be valid (EINVAL
// otherwise): a timeout or a sleep length.
func getValidTimespec(t *kernel.Task, addr uint64) (abi.Timespec, error) {
	ts, err := getTimespec(t, addr)
	if err == nil && !ts.Valid() {
		err = abi.EINVAL
	}
	return ts, err
}

// ClockGettime implements clock_gettime(2).
func ClockGettime(t *kernel.Task, a kernel.Args) (uint64, error) {
	ts, ok := t.Kernel().ClockNow(t, a.Int(0))
	if !ok {
		return 0, abi.EINVAL
	}
	return 0, putTimespec(t, a[1], ts)
}

// ClockGetres implements clock_getres(2).
func ClockGetres(t *kernel.Task, a kernel.Args) (uint64, error) {
	res, ok := kernel.ClockRes(a.Int(0))
	if !ok {
		return 0, abi.EINVAL
	}
	if a[1] == 0 {
		return 0, nil
	}
	return 0, putTimespec(t, a[1], abi.NsecTimespec(int64(res)))
}

// Gettimeofday implements gettimeofday(2); the obsolete timezone reads as
// UTC.
func Gettimeofday(t *kernel.Task, a kernel.Args) (uint64, error) {
	now := t.Kernel().RealtimeNow()
	if a[0] != 0 {
		b := make([]byte, abi.SizeofTimeval)
		abi.Timeval{Sec: now.Sec, Usec: now.Nsec / 1000}.Encode(b)
		if err := t.CopyOut(a[0], b); err != nil {
			return 0, err
		}
	}
	if a[1] != 0 {
		if err := t.CopyOut(a[1], make([]byte, 8)); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Time implements time(2).
func Time(t *kernel.Task, a kernel.Args) (uint64, error) {
	now := t.Kernel().RealtimeNow()
	if a[0] != 0 {
		if err := putU64(t, a[0], uint64(now.Sec)); err != nil {
			return 0, err
		}
	}
	return uint64(now.Sec), nil
}

// sleep waits for d; when a signal interrupts it, the time left goes to
// rem (if not zero) and the call fails with EINTR.
func sleep(t *kernel.Task, d time.Duration, rem uint64) error {
	return sleepUntil(t, time.Now().Add(d), rem)
}

// sleepUntil sleeps until deadline. Interrupted, it stores the time left
// in rem (if set) and arranges for restart_syscall to sleep the rest, as
// Linux's hrtimer_nanosleep does.
func sleepUntil(t *kernel.Task, deadline time.Time, rem uint64) error {
	err := t.Sleep(time.Until(deadline))
	if err == nil || err == vfs.ErrMustBlock {
		return err
	}
	if rem != 0 {
		left := max(time.Until(deadline), 0)
		if perr := putTimespec(t, rem, abi.NsecTimespec(int64(left))); perr != nil {
			return perr
		}
	}
	if err == abi.ERESTARTSYS {
		t.SetRestart(func(t *kernel.Task) (uint64, error) { return boolErr(sleepUntil(t, deadline, rem)) })
		return abi.ERESTART_RESTARTBLOCK
	}
	return err
}

// RestartSyscall implements restart_syscall(2): it continues the
// interrupted call the task recorded, or fails with EINTR.
func RestartSyscall(t *kernel.Task, a kernel.Args) (uint64, error) {
	fn := t.TakeRestart()
	if fn == nil {
		return 0, abi.EINTR
	}
	return fn(t)
}

// Nanosleep implements nanosleep(2).
func Nanosleep(t *kernel.Task, a kernel.Args) (uint64, error) {
	ts, err := getValidTimespec(t, a[0])
	if err != nil {
		return 0, err
	}
	return boolErr(sleep(t, ts.Duration(), a[1]))
}

// ClockNanosleep implements clock_nanosleep(2), relative or TIMER_ABSTIME.
// Errors are returned, not set in errno, by the libc wrapper; the syscall
// returns -errno like any other.
func ClockNanosleep(t *kernel.Task, a kernel.Args) (uint64, error) {
	id, flags := a.Int(0), a.Uint(1)
	switch id {
	case abi.CLOCK_REALTIME, abi.CLOCK_MONOTONIC, abi.CLOCK_BOOTTIME, abi.CLOCK_TAI:
	case abi.CLOCK_THREAD_CPUTIME_ID:
		return 0, abi.EINVAL
	case abi.CLOCK_PROCESS_CPUTIME_ID, abi.CLOCK_MONOTONIC_RAW, abi.CLOCK_REALTIME_COARSE, abi.CLOCK_MONOTONIC_COARSE:
		return 0, abi.EOPNOTSUPP
	default:
		return 0, abi.EINVAL
	}
	ts, err := getValidTimespec(t, a[2])
	if err != nil {
		return 0, err
	}
	d := ts.Duration()
	if flags&abi.TIMER_ABSTIME != 0 {
		now, _ := t.Kernel().ClockNow(t, id)
		d = time.Duration(ts.Nsec64() - now.Nsec64())
		if d <= 0 {
			return 0, nil
		}
		return boolErr(sleep(t, d, 0))
	}
	return boolErr(sleep(t, d, a[3]))
}
