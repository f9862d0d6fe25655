package sys

import (
	"time"

	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

// sigsetSize is the kernel's sigset_t size; rt_* calls take it as an
// argument and fail with EINVAL for any other.
const sigsetSize = 8

func getSigset(t *kernel.Task, addr uint64) (abi.SigSet, error) {
	v, err := getU64(t, addr)
	return abi.SigSet(v), err
}

// RtSigaction implements rt_sigaction(2).
func RtSigaction(t *kernel.Task, a kernel.Args) (uint64, error) {
	sig := abi.Signal(a.Int(0))
	if a[3] != sigsetSize {
		return 0, abi.EINVAL
	}
	var act *abi.SigAction
	if a[1] != 0 {
		b := make([]byte, abi.SizeofSigAction)
		if err := t.CopyIn(a[1], b); err != nil {
			return 0, err
		}
		x := abi.DecodeSigAction(b)
		act = &x
	}
	old, err := t.SigAction(sig, act)
	if err != nil {
		return 0, err
	}
	if a[2] != 0 {
		b := make([]byte, abi.SizeofSigAction)
		old.Encode(b)
		return 0, t.CopyOut(a[2], b)
	}
	return 0, nil
}

// RtSigprocmask implements rt_sigprocmask(2).
func RtSigprocmask(t *kernel.Task, a kernel.Args) (uint64, error) {
	how := a.Int(0)
	if a[3] != sigsetSize {
		return 0, abi.EINVAL
	}
	old := t.SigMask()
	if a[1] != 0 {
		set, err := getSigset(t, a[1])
		if err != nil {
			return 0, err
		}
		switch how {
		case abi.SIG_BLOCK:
			t.SetSigMask(old | set)
		case abi.SIG_UNBLOCK:
			t.SetSigMask(old &^ set)
		case abi.SIG_SETMASK:
			t.SetSigMask(set)
		default:
			return 0, abi.EINVAL
		}
	}
	if a[2] != 0 {
		return 0, putU64(t, a[2], uint64(old))
	}
	return 0, nil
}

// RtSigreturn implements rt_sigreturn(2).
func RtSigreturn(t *kernel.Task, a kernel.Args) (uint64, error) {
	if err := t.Sigreturn(); err != nil {
		// The fault is already raised; leave RAX alone.
		t.SetRegsWritten()
	}
	return 0, nil
}

// RtSigpending implements rt_sigpending(2).
func RtSigpending(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a[1] != sigsetSize {
		return 0, abi.EINVAL
	}
	return 0, putU64(t, a[0], uint64(t.Pending()))
}

// RtSigsuspend implements rt_sigsuspend(2): wait with the given mask until
// a signal handler runs; the call always fails with EINTR.
func RtSigsuspend(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a[1] != sigsetSize {
		return 0, abi.EINVAL
	}
	set, err := getSigset(t, a[0])
	if err != nil {
		return 0, err
	}
	t.SetSavedMask(set)
	for {
		if err := t.Sleep(365 * 24 * time.Hour); err != nil {
			return 0, sleepInterrupted(err)
		}
	}
}

// sleepInterrupted is the result of a call that sleeps until a signal
// comes (pause, rt_sigsuspend) once its sleep ends: ERESTARTNOHAND, or the
// request to sleep off the engine.
func sleepInterrupted(err error) error {
	if err == vfs.ErrMustBlock {
		return err
	}
	return abi.ERESTARTNOHAND
}

// Pause implements pause(2).
func Pause(t *kernel.Task, a kernel.Args) (uint64, error) {
	for {
		if err := t.Sleep(365 * 24 * time.Hour); err != nil {
			return 0, sleepInterrupted(err)
		}
	}
}

// RtSigtimedwait implements rt_sigtimedwait(2): take a pending signal of
// the set, waiting up to the timeout (EAGAIN) for one.
func RtSigtimedwait(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a[3] != sigsetSize {
		return 0, abi.EINVAL
	}
	set, err := getSigset(t, a[0])
	if err != nil {
		return 0, err
	}
	set &^= abi.UnblockableSignals
	var deadline time.Time
	if a[2] != 0 {
		ts, err := getValidTimespec(t, a[2])
		if err != nil {
			return 0, err
		}
		deadline = time.Now().Add(ts.Duration())
	}
	// The set's signals are unblocked for the wait, as Linux does, so that
	// they wake the task; the syscall takes them itself, so no handler
	// runs for them. The old mask is back before the call returns.
	old := t.SigMask()
	t.SetSigMask(old &^ set)
	defer t.SetSigMask(old)
	for {
		if info, ok := t.TakeSignal(set); ok {
			if a[1] != 0 {
				b := make([]byte, abi.SizeofSiginfo)
				info.Encode(b)
				if err := t.CopyOut(a[1], b); err != nil {
					return 0, err
				}
			}
			return uint64(info.Signo), nil
		}
		d := 365 * 24 * time.Hour
		if !deadline.IsZero() {
			if d = time.Until(deadline); d <= 0 {
				return 0, abi.EAGAIN
			}
		}
		if err := t.Sleep(d); err == vfs.ErrMustBlock {
			return 0, err
		} else if err != nil && t.Pending()&set == 0 {
			// Another signal: its handler runs when the call returns.
			return 0, abi.EINTR
		}
	}
}

// Sigaltstack implements sigaltstack(2).
func Sigaltstack(t *kernel.Task, a kernel.Args) (uint64, error) {
	var ns *abi.StackT
	if a[0] != 0 {
		b := make([]byte, abi.SizeofStackT)
		if err := t.CopyIn(a[0], b); err != nil {
			return 0, err
		}
		s := abi.DecodeStackT(b)
		ns = &s
	}
	old := t.AltStack()
	if ns != nil {
		if err := t.SetAltStack(*ns); err != nil {
			return 0, err
		}
	}
	if a[1] != 0 {
		b := make([]byte, abi.SizeofStackT)
		old.Encode(b)
		return 0, t.CopyOut(a[1], b)
	}
	return 0, nil
}

// Kill implements kill(2).
func Kill(t *kernel.Task, a kernel.Args) (uint64, error) {
	return 0, t.Kill(a.Int(0), abi.Signal(a.Int(1)))
}

// tkill sends sig to thread tid of process tgid (tgid -1: any process).
func tkill(t *kernel.Task, tgid, tid int32, sig abi.Signal, info *abi.Siginfo) error {
	if tid <= 0 || tgid == 0 || tgid < -1 || sig < 0 || sig > abi.SIGRTMAX {
		return abi.EINVAL
	}
	target := t.Kernel().TaskByTID(tid)
	if target == nil || tgid != -1 && target.Process().PID() != tgid {
		return abi.ESRCH
	}
	if sig == 0 {
		return nil
	}
	x := abi.Siginfo{Signo: sig, Code: abi.SI_TKILL}
	x.SetPid(t.Process().PID(), t.Process().Creds().RealUID)
	if info != nil {
		x = *info
		x.Signo = sig
	}
	t.Kernel().SendSignalToTask(target, x)
	return nil
}

// Tkill implements tkill(2).
func Tkill(t *kernel.Task, a kernel.Args) (uint64, error) {
	return 0, tkill(t, -1, a.Int(0), abi.Signal(a.Int(1)), nil)
}

// Tgkill implements tgkill(2).
func Tgkill(t *kernel.Task, a kernel.Args) (uint64, error) {
	return 0, tkill(t, a.Int(0), a.Int(1), abi.Signal(a.Int(2)), nil)
}

// queuedInfo reads the siginfo of rt_sigqueueinfo: another process may
// only be sent si_code values below 0 (not pretending to be the kernel or
// kill), EPERM otherwise.
func queuedInfo(t *kernel.Task, addr uint64, self bool) (*abi.Siginfo, error) {
	b := make([]byte, abi.SizeofSiginfo)
	if err := t.CopyIn(addr, b); err != nil {
		return nil, err
	}
	info := abi.DecodeSiginfo(b)
	if !self && (info.Code >= 0 || info.Code == abi.SI_TKILL) {
		return nil, abi.EPERM
	}
	return &info, nil
}

// RtSigqueueinfo implements rt_sigqueueinfo(2).
func RtSigqueueinfo(t *kernel.Task, a kernel.Args) (uint64, error) {
	pid, sig := a.Int(0), abi.Signal(a.Int(1))
	if !sig.Valid() {
		return 0, abi.EINVAL
	}
	p := t.Kernel().ProcessByPID(pid)
	if p == nil || p.Zombie() {
		return 0, abi.ESRCH
	}
	info, err := queuedInfo(t, a[2], p == t.Process())
	if err != nil {
		return 0, err
	}
	info.Signo = sig
	t.Kernel().SendSignal(p, *info)
	return 0, nil
}

// RtTgsigqueueinfo implements rt_tgsigqueueinfo(2).
func RtTgsigqueueinfo(t *kernel.Task, a kernel.Args) (uint64, error) {
	tgid, tid, sig := a.Int(0), a.Int(1), abi.Signal(a.Int(2))
	if !sig.Valid() {
		return 0, abi.EINVAL
	}
	info, err := queuedInfo(t, a[3], tgid == t.Process().PID())
	if err != nil {
		return 0, err
	}
	return 0, tkill(t, tgid, tid, sig, info)
}

// Alarm implements alarm(2): it returns the seconds left of the previous
// alarm, rounded as Linux rounds (up from half a second, and never 0 for a
// pending alarm).
func Alarm(t *kernel.Task, a kernel.Args) (uint64, error) {
	old, _, _ := t.Process().SetItimer(abi.ITIMER_REAL, time.Duration(a.Uint(0))*time.Second, 0)
	secs := uint64(old / time.Second)
	if rem := old % time.Second; rem >= 500*time.Millisecond || secs == 0 && rem > 0 {
		secs++
	}
	return secs, nil
}

func timevalDuration(tv abi.Timeval) time.Duration {
	return time.Duration(tv.Sec)*time.Second + time.Duration(tv.Usec)*time.Microsecond
}

func putItimerval(t *kernel.Task, addr uint64, value, interval time.Duration) error {
	b := make([]byte, abi.SizeofItimerspec)
	abi.Itimerval{Interval: abi.DurationTimeval(interval), Value: abi.DurationTimeval(value)}.Encode(b)
	return t.CopyOut(addr, b)
}

// Setitimer implements setitimer(2).
func Setitimer(t *kernel.Task, a kernel.Args) (uint64, error) {
	which := int(a.Int(0))
	if which < 0 || which > 2 {
		return 0, abi.EINVAL
	}
	var nv abi.Itimerval
	if a[1] != 0 {
		b := make([]byte, abi.SizeofItimerspec)
		if err := t.CopyIn(a[1], b); err != nil {
			return 0, err
		}
		nv = abi.DecodeItimerval(b)
		for _, tv := range []abi.Timeval{nv.Value, nv.Interval} {
			if tv.Sec < 0 || tv.Usec < 0 || tv.Usec >= 1e6 {
				return 0, abi.EINVAL
			}
		}
	}
	ov, oi, err := t.Process().SetItimer(which, timevalDuration(nv.Value), timevalDuration(nv.Interval))
	if err != nil {
		return 0, err
	}
	if a[2] != 0 {
		return 0, putItimerval(t, a[2], ov, oi)
	}
	return 0, nil
}

// Getitimer implements getitimer(2).
func Getitimer(t *kernel.Task, a kernel.Args) (uint64, error) {
	v, i, err := t.Process().Itimer(int(a.Int(0)))
	if err != nil {
		return 0, err
	}
	return 0, putItimerval(t, a[1], v, i)
}

// TimerCreate implements timer_create(2).
func TimerCreate(t *kernel.Task, a kernel.Args) (uint64, error) {
	var ev *abi.Sigevent
	if a[1] != 0 {
		b := make([]byte, abi.SizeofSigevent)
		if err := t.CopyIn(a[1], b); err != nil {
			return 0, err
		}
		e := abi.DecodeSigevent(b)
		ev = &e
	}
	id, err := t.TimerCreate(a.Int(0), ev)
	if err != nil {
		return 0, err
	}
	if err := putU32(t, a[2], uint32(id)); err != nil {
		t.Process().TimerDelete(id)
		return 0, err
	}
	return 0, nil
}

func putItimerspec(t *kernel.Task, addr uint64, value, interval time.Duration) error {
	b := make([]byte, abi.SizeofItimerspec)
	abi.Itimerspec{Interval: abi.NsecTimespec(int64(interval)), Value: abi.NsecTimespec(int64(value))}.Encode(b)
	return t.CopyOut(addr, b)
}

// TimerSettime implements timer_settime(2).
func TimerSettime(t *kernel.Task, a kernel.Args) (uint64, error) {
	b := make([]byte, abi.SizeofItimerspec)
	if err := t.CopyIn(a[2], b); err != nil {
		return 0, err
	}
	nv := abi.DecodeItimerspec(b)
	if !nv.Value.Valid() || !nv.Interval.Valid() || a.Int(1)&^abi.TIMER_ABSTIME != 0 {
		return 0, abi.EINVAL
	}
	ov, oi, err := t.Process().TimerSettime(a.Int(0), a.Int(1)&abi.TIMER_ABSTIME != 0, nv.Value.Duration(), nv.Interval.Duration())
	if err != nil {
		return 0, err
	}
	if a[3] != 0 {
		return 0, putItimerspec(t, a[3], ov, oi)
	}
	return 0, nil
}

// TimerGettime implements timer_gettime(2).
func TimerGettime(t *kernel.Task, a kernel.Args) (uint64, error) {
	v, i, err := t.Process().TimerGettime(a.Int(0))
	if err != nil {
		return 0, err
	}
	return 0, putItimerspec(t, a[1], v, i)
}

// TimerGetoverrun implements timer_getoverrun(2).
func TimerGetoverrun(t *kernel.Task, a kernel.Args) (uint64, error) {
	n, err := t.Process().TimerGetoverrun(a.Int(0))
	return uint64(n), err
}

// TimerDelete implements timer_delete(2).
func TimerDelete(t *kernel.Task, a kernel.Args) (uint64, error) {
	return 0, t.Process().TimerDelete(a.Int(0))
}
