package kernel

import (
	"sync"
	"time"

	"paddock/abi"
	"paddock/kernel/timer"
	"paddock/kernel/vfs"
)

// processTimers are a process's interval timers (setitimer) and POSIX
// timers (timer_create).
type processTimers struct {
	mu     sync.Mutex
	itimer [3]*signalTimer // ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF
	posix  map[int32]*signalTimer
	nextID int32
}

// signalTimer is one interval timer or POSIX timer, armed or not. Its alarm's
// deadline is on the timer's clock: wall time for REALTIME, uptime for
// MONOTONIC, CPU time for the CPU clocks (which the alarm polls). The
// alarm runs under the process's timer lock.
type signalTimer struct {
	timer.Alarm
	p      *Process
	clock  int32 // CLOCK_* for the deadline
	sig    abi.Signal
	notify int32
	value  uint64 // sigev_value
	target *Task  // SIGEV_THREAD_ID
	id     int32  // POSIX timer id; -1 for interval timers
	// Expirations that sent no signal since the last one was sent, and
	// the count the last signal taken carried (timer_getoverrun). Guarded
	// by the kernel's lock.
	overrun  int32
	lastOver int32
}

// startAlarm readies the timer's alarm once its clock and target are
// known: expirations send the signal, the ones that passed unseen count
// as overruns.
func (tm *signalTimer) startAlarm() {
	tm.Alarm = timer.NewAlarm(&tm.p.timers.mu, tm.now, tm.cpuClock(), func(n int64) { tm.fire(int32(n - 1)) }, nil)
}

func (pt *processTimers) stop() {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	for _, t := range pt.itimer {
		if t != nil {
			t.Stop()
		}
	}
	for _, t := range pt.posix {
		t.Stop()
	}
}

// deletePosix deletes every POSIX timer, as execve does (exit_itimers);
// the interval timers survive it.
func (pt *processTimers) deletePosix() {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	for id, tm := range pt.posix {
		tm.Stop()
		tm.withdraw()
		delete(pt.posix, id)
	}
}

// now reads the timer's clock.
func (tm *signalTimer) now() time.Duration {
	k := tm.p.k
	switch tm.clock {
	case abi.CLOCK_REALTIME, abi.CLOCK_TAI:
		return time.Duration(time.Now().UnixNano())
	case abi.CLOCK_PROCESS_CPUTIME_ID:
		u, s := tm.p.CPUTime()
		if tm.id == -1 && tm.sig == abi.SIGVTALRM {
			return u
		}
		return u + s
	case abi.CLOCK_THREAD_CPUTIME_ID:
		u, s := tm.target.CPUTime()
		return u + s
	}
	return k.Uptime()
}

// cpuClock reports whether the timer counts CPU time, which no Go timer can
// follow: its watcher polls.
func (tm *signalTimer) cpuClock() bool {
	return tm.clock == abi.CLOCK_PROCESS_CPUTIME_ID || tm.clock == abi.CLOCK_THREAD_CPUTIME_ID
}

// fire sends the timer's signal. If the last one is still pending it
// counts an overrun instead, as Linux does; the overruns reach the guest
// in si_overrun when the signal is taken. pt.mu is held.
func (tm *signalTimer) fire(missed int32) {
	if tm.notify == abi.SIGEV_NONE {
		return
	}
	k := tm.p.k
	info := abi.Siginfo{Signo: tm.sig, Code: abi.SI_TIMER}
	if tm.id == -1 {
		info.Code = abi.SI_KERNEL
	} else {
		info.Fields[0] = uint64(uint32(tm.id))
		info.Fields[1] = tm.value
	}
	k.mu.Lock()
	tm.overrun += missed
	if tm.id != -1 && tm.pendingLocked() {
		tm.overrun++
		k.mu.Unlock()
		return
	}
	var wake []*Task
	if tm.id != -1 {
		wake = k.sendTimerLocked(tm, info)
	} else {
		wake = k.sendLocked(tm.p, tm.target, info)
	}
	k.mu.Unlock()
	for _, t := range wake {
		t.wake()
	}
}

// taken fills in si_overrun as a timer's signal is taken: the
// expirations since it was sent. The kernel's lock is held.
func (tm *signalTimer) taken(info *abi.Siginfo) {
	info.Fields[0] = uint64(uint32(tm.id)) | uint64(uint32(tm.overrun))<<32
	tm.lastOver, tm.overrun = tm.overrun, 0
}

// withdraw discards the timer's pending signal, as Linux (6.13 and later)
// does for a timer that is set again or deleted before its signal is
// taken. pt.mu is held.
func (tm *signalTimer) withdraw() {
	k := tm.p.k
	k.mu.Lock()
	if tm.target != nil {
		tm.target.pending.forget(tm)
	} else {
		tm.p.sharedPending.forget(tm)
	}
	tm.overrun, tm.lastOver = 0, 0
	k.mu.Unlock()
}

// pendingLocked reports whether this timer's last signal is still queued.
func (tm *signalTimer) pendingLocked() bool {
	if tm.target != nil {
		return tm.target.pending.queued(tm)
	}
	return tm.p.sharedPending.queued(tm)
}

// itimerSignals maps each interval timer to its signal and clock.
var itimerKinds = [3]struct {
	sig   abi.Signal
	clock int32
}{
	{abi.SIGALRM, abi.CLOCK_MONOTONIC},
	{abi.SIGVTALRM, abi.CLOCK_PROCESS_CPUTIME_ID},
	{abi.SIGPROF, abi.CLOCK_PROCESS_CPUTIME_ID},
}

// SetItimer implements setitimer(2) and returns the old setting.
func (p *Process) SetItimer(which int, value, interval time.Duration) (time.Duration, time.Duration, error) {
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	tm, err := p.itimerLocked(which)
	if err != nil {
		return 0, 0, err
	}
	ov, oi := tm.Remaining()
	var deadline time.Duration
	if value > 0 {
		deadline = tm.now() + value
	}
	tm.Set(deadline, interval)
	return ov, oi, nil
}

// Itimer implements getitimer(2).
func (p *Process) Itimer(which int) (time.Duration, time.Duration, error) {
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	tm, err := p.itimerLocked(which)
	if err != nil {
		return 0, 0, err
	}
	v, i := tm.Remaining()
	return v, i, nil
}

// itimerLocked returns interval timer which (ITIMER_REAL, _VIRTUAL or
// _PROF), made disarmed on first use; EINVAL for another number.
// p.timers.mu is held.
func (p *Process) itimerLocked(which int) (*signalTimer, error) {
	if which < 0 || which > 2 {
		return nil, abi.EINVAL
	}
	pt := &p.timers
	tm := pt.itimer[which]
	if tm == nil {
		tm = &signalTimer{p: p, id: -1, sig: itimerKinds[which].sig, clock: itimerKinds[which].clock}
		tm.startAlarm()
		pt.itimer[which] = tm
	}
	return tm, nil
}

// TimerCreate implements timer_create(2).
func (t *Task) TimerCreate(clock int32, ev *abi.Sigevent) (int32, error) {
	switch clock {
	case abi.CLOCK_REALTIME, abi.CLOCK_MONOTONIC, abi.CLOCK_BOOTTIME, abi.CLOCK_TAI,
		abi.CLOCK_PROCESS_CPUTIME_ID, abi.CLOCK_THREAD_CPUTIME_ID:
	default:
		return 0, abi.EINVAL
	}
	p := t.proc
	tm := &signalTimer{p: p, clock: clock, sig: abi.SIGALRM, notify: abi.SIGEV_SIGNAL}
	if clock == abi.CLOCK_THREAD_CPUTIME_ID {
		tm.target = t
	}
	if ev != nil {
		tm.notify, tm.value = ev.Notify, ev.Value
		switch ev.Notify {
		case abi.SIGEV_NONE:
		case abi.SIGEV_SIGNAL, abi.SIGEV_THREAD_ID:
			if !abi.Signal(ev.Signo).Valid() {
				return 0, abi.EINVAL
			}
			tm.sig = abi.Signal(ev.Signo)
			if ev.Notify == abi.SIGEV_THREAD_ID {
				target := t.k.TaskByTID(ev.TID)
				if target == nil || target.proc != p {
					return 0, abi.EINVAL
				}
				tm.target = target
			}
		default:
			return 0, abi.EINVAL
		}
	}
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	if pt.posix == nil {
		pt.posix = map[int32]*signalTimer{}
	}
	id := pt.nextID
	for pt.posix[id] != nil {
		id++
	}
	pt.nextID = id + 1
	tm.id = id
	if ev == nil {
		tm.value = uint64(id)
	}
	tm.startAlarm()
	pt.posix[id] = tm
	return id, nil
}

func (p *Process) posixTimer(id int32) (*signalTimer, error) {
	tm := p.timers.posix[id]
	if tm == nil {
		return nil, abi.EINVAL
	}
	return tm, nil
}

// TimerSettime implements timer_settime(2); it returns the old setting.
func (p *Process) TimerSettime(id int32, abs bool, value, interval time.Duration) (time.Duration, time.Duration, error) {
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	tm, err := p.posixTimer(id)
	if err != nil {
		return 0, 0, err
	}
	ov, oi := tm.Remaining()
	tm.Stop()
	tm.withdraw()
	deadline := value
	if value > 0 && !abs {
		deadline += tm.now()
	}
	tm.Set(deadline, interval)
	return ov, oi, nil
}

// TimerGettime implements timer_gettime(2).
func (p *Process) TimerGettime(id int32) (time.Duration, time.Duration, error) {
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	tm, err := p.posixTimer(id)
	if err != nil {
		return 0, 0, err
	}
	v, i := tm.Remaining()
	return v, i, nil
}

// TimerGetoverrun implements timer_getoverrun(2).
func (p *Process) TimerGetoverrun(id int32) (int32, error) {
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	tm, err := p.posixTimer(id)
	if err != nil {
		return 0, err
	}
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return tm.lastOver, nil
}

// TimerDelete implements timer_delete(2).
func (p *Process) TimerDelete(id int32) error {
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	tm, err := p.posixTimer(id)
	if err != nil {
		return err
	}
	tm.Stop()
	tm.withdraw()
	delete(pt.posix, id)
	return nil
}

// timerStop disarms the POSIX timers that signal t, which is exiting.
func (t *Task) timerStop() {
	pt := &t.proc.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	for id, tm := range pt.posix {
		if tm.target == t {
			tm.Stop()
			delete(pt.posix, id)
		}
	}
}

// NewTimerFD implements timerfd_create(2)'s object on clock (the caller
// checked it and the flags): wall time for CLOCK_REALTIME, the kernel's
// uptime for CLOCK_MONOTONIC and CLOCK_BOOTTIME.
func (k *Kernel) NewTimerFD(clock int32, flags uint32) *vfs.File {
	now := k.Uptime
	if clock == abi.CLOCK_REALTIME {
		now = func() time.Duration { return time.Duration(time.Now().UnixNano()) }
	}
	return k.vfs.NewAnonFile("timerfd", timer.NewFD(now), abi.O_RDWR|flags&abi.O_NONBLOCK)
}
