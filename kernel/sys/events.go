package sys

import (
	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/timer"
	"paddock/kernel/vfs"
)

// Eventfd implements eventfd(2).
func Eventfd(t *kernel.Task, a kernel.Args) (uint64, error) {
	return eventfd(t, a.Uint(0), 0)
}

// Eventfd2 implements eventfd2(2).
func Eventfd2(t *kernel.Task, a kernel.Args) (uint64, error) {
	return eventfd(t, a.Uint(0), a.Uint(1))
}

func eventfd(t *kernel.Task, initval, flags uint32) (uint64, error) {
	if flags&^(abi.EFD_SEMAPHORE|abi.EFD_CLOEXEC|abi.EFD_NONBLOCK) != 0 {
		return 0, abi.EINVAL
	}
	f := t.Kernel().VFS().NewEventFD(uint64(initval), flags&abi.EFD_SEMAPHORE != 0, flags&abi.EFD_NONBLOCK)
	return install(t, f, flags&abi.EFD_CLOEXEC != 0)
}

// TimerfdCreate implements timerfd_create(2).
func TimerfdCreate(t *kernel.Task, a kernel.Args) (uint64, error) {
	clock, flags := a.Int(0), a.Uint(1)
	if flags&^(abi.TFD_CLOEXEC|abi.TFD_NONBLOCK) != 0 {
		return 0, abi.EINVAL
	}
	switch clock {
	case abi.CLOCK_REALTIME, abi.CLOCK_MONOTONIC, abi.CLOCK_BOOTTIME:
	case abi.CLOCK_REALTIME_ALARM, abi.CLOCK_BOOTTIME_ALARM:
		// An alarm clock would also wake a suspended machine; paddock's
		// never sleeps, so it is its plain twin, for CAP_WAKE_ALARM only.
		c := t.Process().Creds()
		if !c.Privileged() {
			return 0, abi.EPERM
		}
		clock = map[int32]int32{abi.CLOCK_REALTIME_ALARM: abi.CLOCK_REALTIME, abi.CLOCK_BOOTTIME_ALARM: abi.CLOCK_BOOTTIME}[clock]
	default:
		return 0, abi.EINVAL
	}
	return install(t, t.Kernel().NewTimerFD(clock, flags), flags&abi.TFD_CLOEXEC != 0)
}

// TimerfdSettime implements timerfd_settime(2).
func TimerfdSettime(t *kernel.Task, a kernel.Args) (uint64, error) {
	flags := a.Uint(1)
	if flags&^(abi.TFD_TIMER_ABSTIME|abi.TFD_TIMER_CANCEL_ON_SET) != 0 {
		return 0, abi.EINVAL
	}
	b := make([]byte, abi.SizeofItimerspec)
	if err := t.CopyIn(a[2], b); err != nil {
		return 0, err
	}
	its := abi.DecodeItimerspec(b)
	if !its.Value.Valid() || !its.Interval.Valid() {
		return 0, abi.EINVAL
	}
	f, tf, err := timerFD(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	ov, oi := tf.Set(its.Value.Duration(), its.Interval.Duration(), flags&abi.TFD_TIMER_ABSTIME != 0)
	if a[3] != 0 {
		return 0, putItimerspec(t, a[3], ov, oi)
	}
	return 0, nil
}

// TimerfdGettime implements timerfd_gettime(2).
func TimerfdGettime(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, tf, err := timerFD(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	v, i := tf.Get()
	return 0, putItimerspec(t, a[1], v, i)
}

// Signalfd implements signalfd(2).
func Signalfd(t *kernel.Task, a kernel.Args) (uint64, error) {
	return signalfd(t, a.Int(0), a[1], a[2], 0)
}

// Signalfd4 implements signalfd4(2): a new signalfd for fd -1, else a new
// mask for the signalfd fd.
func Signalfd4(t *kernel.Task, a kernel.Args) (uint64, error) {
	return signalfd(t, a.Int(0), a[1], a[2], a.Uint(3))
}

func signalfd(t *kernel.Task, fd int32, maskAddr, size uint64, flags uint32) (uint64, error) {
	if flags&^(abi.SFD_CLOEXEC|abi.SFD_NONBLOCK) != 0 || size != sigsetSize {
		return 0, abi.EINVAL
	}
	mask, err := getSigset(t, maskAddr)
	if err != nil {
		return 0, err
	}
	if fd == -1 {
		return install(t, t.NewSignalFD(mask, flags&abi.SFD_NONBLOCK), flags&abi.SFD_CLOEXEC != 0)
	}
	f, err := file(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	s := kernel.SignalFDOf(f)
	if s == nil {
		return 0, abi.EINVAL
	}
	s.SetMask(mask)
	return uint64(fd), nil
}

// timerFD returns the file fd names and its timer, EINVAL when it is not
// a timerfd. The caller releases the file.
func timerFD(t *kernel.Task, fd int32) (*vfs.File, *timer.FD, error) {
	f, err := file(t, fd)
	if err != nil {
		return nil, nil, err
	}
	tf := timer.Of(f)
	if tf == nil {
		f.DecRef()
		return nil, nil, abi.EINVAL
	}
	return f, tf, nil
}
