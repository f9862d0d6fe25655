package kernel

import (
	"math"
	"paddock/abi"
	"paddock/emu/cpu"
)

// defaultAction is what a signal does when it is neither caught nor
// ignored (signal(7)).
type defaultAction int

const (
	actTerm defaultAction = iota
	actCore
	actIgnore
	actStop
	actCont
)

func defaultActionOf(sig abi.Signal) defaultAction {
	switch sig {
	case abi.SIGCHLD, abi.SIGURG, abi.SIGWINCH:
		return actIgnore
	case abi.SIGSTOP, abi.SIGTSTP, abi.SIGTTIN, abi.SIGTTOU:
		return actStop
	case abi.SIGCONT:
		return actCont
	case abi.SIGQUIT, abi.SIGILL, abi.SIGTRAP, abi.SIGABRT, abi.SIGBUS, abi.SIGFPE, abi.SIGSEGV,
		abi.SIGXCPU, abi.SIGXFSZ, abi.SIGSYS:
		return actCore
	}
	return actTerm
}

// stopSignals are the job-control stops; synchronous are the signals a
// fault raises, which Linux delivers before any other.
var (
	stopSignals = abi.SigSetOf(abi.SIGSTOP, abi.SIGTSTP, abi.SIGTTIN, abi.SIGTTOU)
	synchronous = abi.SigSetOf(abi.SIGSEGV, abi.SIGBUS, abi.SIGILL, abi.SIGTRAP, abi.SIGFPE, abi.SIGSYS)
)

// SigHand is a table of signal actions: a process's threads share it, and
// clone(CLONE_SIGHAND) shares it between processes. It is guarded by the
// kernel's lock.
type SigHand struct {
	actions [abi.NSIG]abi.SigAction
}

func (h *SigHand) action(sig abi.Signal) abi.SigAction { return h.actions[sig-1] }

// pendingSignals is a set of pending signals with their siginfo. Standard
// signals are not queued (a second one while the first is pending is
// lost); real-time signals are, in order.
type pendingSignals struct {
	set   abi.SigSet
	infos map[abi.Signal][]queuedSignal
}

// queuedSignal is one pending instance of a signal; a POSIX timer's names
// the timer, which fills in si_overrun when the signal is taken.
type queuedSignal struct {
	info  abi.Siginfo
	timer *signalTimer
}

// add queues info; it returns false if a standard signal was already
// pending.
func (p *pendingSignals) add(info abi.Siginfo) bool {
	return p.addFrom(info, nil)
}

// addFrom is add for a signal a POSIX timer sends.
func (p *pendingSignals) addFrom(info abi.Siginfo, tm *signalTimer) bool {
	sig := info.Signo
	if p.set.Has(sig) && sig < abi.SIGRTMIN {
		return false
	}
	if p.infos == nil {
		p.infos = map[abi.Signal][]queuedSignal{}
	}
	p.set |= abi.SigSetOf(sig)
	p.infos[sig] = append(p.infos[sig], queuedSignal{info, tm})
	return true
}

// take removes and returns one instance of sig. The kernel's lock is held.
func (p *pendingSignals) take(sig abi.Signal) abi.Siginfo {
	q := p.infos[sig]
	e := q[0]
	if len(q) == 1 {
		delete(p.infos, sig)
		p.set &^= abi.SigSetOf(sig)
	} else {
		p.infos[sig] = q[1:]
	}
	if e.timer != nil {
		e.timer.taken(&e.info)
	}
	return e.info
}

// forget discards the instances tm sent.
func (p *pendingSignals) forget(tm *signalTimer) {
	q := p.infos[tm.sig]
	kept := q[:0]
	for _, e := range q {
		if e.timer != tm {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		delete(p.infos, tm.sig)
		p.set &^= abi.SigSetOf(tm.sig)
		return
	}
	p.infos[tm.sig] = kept
}

// queued reports whether an instance sent by tm is pending.
func (p *pendingSignals) queued(tm *signalTimer) bool {
	for _, e := range p.infos[tm.sig] {
		if e.timer == tm {
			return true
		}
	}
	return false
}

// drop discards every instance of the signals in s.
func (p *pendingSignals) drop(s abi.SigSet) {
	for sig := abi.Signal(1); sig <= abi.SIGRTMAX; sig++ {
		if s.Has(sig) && p.set.Has(sig) {
			delete(p.infos, sig)
		}
	}
	p.set &^= s
}

// next returns the signal in p that should be taken first among those not
// in blocked: a synchronous one first, then the lowest number.
func (p *pendingSignals) next(blocked abi.SigSet) abi.Signal {
	ready := p.set &^ blocked
	if ready == 0 {
		return 0
	}
	if s := ready & synchronous; s != 0 {
		ready = s
	}
	for sig := abi.Signal(1); sig <= abi.SIGRTMAX; sig++ {
		if ready.Has(sig) {
			return sig
		}
	}
	return 0
}

// ignored reports whether sig, sent to a process with handlers h, is thrown
// away at once: ignored, or default-ignored, and not blocked by t (Linux's
// sig_ignored).
func ignored(h *SigHand, sig abi.Signal, blocked abi.SigSet) bool {
	if blocked.Has(sig) {
		return false
	}
	a := h.action(sig)
	return a.Handler == abi.SIG_IGN || a.Handler == abi.SIG_DFL && defaultActionOf(sig) == actIgnore
}

// SendSignal sends a signal to a whole process (kill, alarm, SIGCHLD):
// one of its threads that does not block it will take it.
func (k *Kernel) SendSignal(p *Process, info abi.Siginfo) {
	k.mu.Lock()
	wake := k.sendLocked(p, nil, info)
	k.mu.Unlock()
	for _, t := range wake {
		t.wake()
	}
}

// SendSignalToTask sends a signal to one thread (tgkill, faults).
func (k *Kernel) SendSignalToTask(t *Task, info abi.Siginfo) {
	k.mu.Lock()
	wake := k.sendLocked(t.proc, t, info)
	k.mu.Unlock()
	for _, w := range wake {
		w.wake()
	}
}

// SendSignalSelf raises sig for t itself (SIGPIPE after EPIPE, SIGXFSZ
// after EFBIG) as Linux's send_sig(sig, current, 0) does: SI_USER, from
// the caller.
func (t *Task) SendSignalSelf(sig abi.Signal) {
	info := abi.Siginfo{Signo: sig, Code: abi.SI_USER}
	info.SetPid(t.proc.pid, t.proc.Creds().RealUID)
	t.k.SendSignalToTask(t, info)
}

// FileSizeLimit returns RLIMIT_FSIZE, the largest size t may make a file.
func (t *Task) FileSizeLimit() int64 {
	l := t.proc.Limit(abi.RLIMIT_FSIZE)
	if l > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(l)
}

// FileSizeExceeded is told that t tried to pass RLIMIT_FSIZE: it gets
// SIGXFSZ, and its call fails with EFBIG.
func (t *Task) FileSizeExceeded() { t.SendSignalSelf(abi.SIGXFSZ) }

// CheckFileSize fails with EFBIG, and raises SIGXFSZ, when a file of size
// cur would grow to size beyond RLIMIT_FSIZE (inode_newsize_ok, for
// truncate and fallocate); shrinking is always allowed.
func (t *Task) CheckFileSize(size, cur int64) error {
	if size > cur && size > t.FileSizeLimit() {
		t.FileSizeExceeded()
		return abi.EFBIG
	}
	return nil
}

// sendLocked queues a signal for p (or for thread t) and returns the tasks
// to wake. The kernel's lock is held.
func (k *Kernel) sendLocked(p *Process, t *Task, info abi.Siginfo) []*Task {
	return k.sendFromLocked(p, t, info, nil)
}

// sendTimerLocked is sendLocked for a POSIX timer's signal.
func (k *Kernel) sendTimerLocked(tm *signalTimer, info abi.Siginfo) []*Task {
	return k.sendFromLocked(tm.p, tm.target, info, tm)
}

// sendFromLocked queues info, sent by tm if it is set.
func (k *Kernel) sendFromLocked(p *Process, t *Task, info abi.Siginfo, tm *signalTimer) []*Task {
	sig := info.Signo
	if p.state >= procZombie || p.groupExiting {
		return nil
	}
	// Job control: SIGCONT resumes and cancels pending stops; a stop
	// signal cancels a pending SIGCONT (prepare_signal).
	if sig == abi.SIGCONT {
		p.sharedPending.drop(stopSignals)
		for _, x := range p.tasks {
			x.pending.drop(stopSignals)
		}
		k.continueLocked(p)
	} else if stopSignals.Has(sig) {
		p.sharedPending.drop(abi.SigSetOf(abi.SIGCONT))
		for _, x := range p.tasks {
			x.pending.drop(abi.SigSetOf(abi.SIGCONT))
		}
	}
	blocked := abi.SigSet(^uint64(0))
	if t != nil {
		blocked = t.sigMask
	} else {
		for _, x := range p.tasks {
			blocked &= x.sigMask
		}
	}
	if sig != abi.SIGKILL && ignored(p.sighand, sig, blocked) {
		target := t
		if target == nil {
			target = p.tasks[0]
		}
		k.traceIgnoredLocked(target, info)
		return p.continuedWake()
	}
	if sig == abi.SIGKILL {
		// SIGKILL acts at once, whatever is blocked.
		k.groupExitLocked(p, Signaled(abi.SIGKILL, false))
		return append([]*Task(nil), p.tasks...)
	}
	// signalfd readers hear of it whether or not it is blocked.
	defer p.signalQueue.Notify(abi.POLLIN | abi.POLLRDNORM)
	if t != nil {
		t.pending.addFrom(info, tm)
		t.sigHint.Store(true)
		return append(p.continuedWake(), t)
	}
	p.sharedPending.addFrom(info, tm)
	for _, x := range p.tasks {
		x.sigHint.Store(true)
	}
	// Wake the thread that will take it: the leader if it does not block
	// it, else the first that does not.
	for _, x := range p.tasks {
		if !x.sigMask.Has(sig) {
			return append(p.continuedWake(), x)
		}
	}
	return p.continuedWake()
}

// continuedWake returns the tasks to wake after a SIGCONT resumed p.
func (p *Process) continuedWake() []*Task {
	if !p.justContinued {
		return nil
	}
	p.justContinued = false
	return append([]*Task(nil), p.tasks...)
}

// signalPending reports whether t has a signal it must handle now, or has
// been killed: a blocking call gives up.
func (t *Task) signalPending() bool {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	if t.killed || t.proc.groupExiting {
		return true
	}
	if t.proc.stopping && !t.stopped {
		return true
	}
	return (t.pending.set|t.proc.sharedPending.set)&^t.sigMask != 0
}

// mustExit reports whether t must exit: it was killed, or its process is
// exiting.
func (t *Task) mustExit() bool {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	return t.killed || t.proc.groupExiting
}

// dequeueSignal takes the next signal t should act on, with its action,
// or 0.
func (t *Task) dequeueSignal() (abi.Siginfo, abi.SigAction) {
	k := t.k
	if !t.sigHint.Load() {
		// Nothing was queued since the queues were last seen empty: the
		// common case after every syscall, without the kernel's lock.
		return abi.Siginfo{}, abi.SigAction{}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	p := t.proc
	defer func() {
		if t.pending.set == 0 && p.sharedPending.set == 0 {
			t.sigHint.Store(false)
		}
	}()
	for {
		sig := t.pending.next(t.sigMask)
		from := &t.pending
		if s := p.sharedPending.next(t.sigMask); sig == 0 || s != 0 && s < sig && !synchronous.Has(sig) {
			if s != 0 {
				sig, from = s, &p.sharedPending
			}
		}
		if sig == 0 {
			return abi.Siginfo{}, abi.SigAction{}
		}
		info := from.take(sig)
		act := p.sighand.action(sig)
		if act.Handler == abi.SIG_IGN {
			k.traceIgnoredLocked(t, info)
			continue
		}
		if act.Handler == abi.SIG_DFL {
			switch defaultActionOf(sig) {
			case actIgnore, actCont:
				k.traceIgnoredLocked(t, info)
				continue
			case actStop:
				// A stop in an orphaned process group is discarded
				// (except SIGSTOP), as Linux does for TSTP, TTIN, TTOU.
				if sig != abi.SIGSTOP && k.orphanedLocked(p.pgrp) {
					k.traceIgnoredLocked(t, info)
					continue
				}
			}
		}
		return info, act
	}
}

// deliverSignals acts on every signal t may take now: handlers get a frame
// on the stack, default actions stop or end the process. It runs with the
// engine held.
func (t *Task) deliverSignals() {
	for {
		info, act := t.dequeueSignal()
		t.traceIgnored()
		if info.Signo == 0 {
			// No handler took the mask a sigsuspend-like call saved:
			// it comes back now.
			t.RestoreSavedMask()
			return
		}
		sig := info.Signo
		if t.debugged() && sig != abi.SIGKILL {
			// The debugger sees the signal first, and may drop it.
			if t.k.cfg.Debugger.Stop(t, sig) == 0 {
				continue
			}
		}
		t.traceSignal(info)
		if act.Handler == abi.SIG_DFL {
			switch defaultActionOf(sig) {
			case actStop:
				t.k.groupStop(t.proc, sig)
				// The task parks once it is out of the hook.
				t.next = runInterrupt{}
				return
			case actTerm, actCore:
				// paddock writes no core files (RLIMIT_CORE is 0 by
				// default), so the status never has the core bit.
				t.k.GroupExit(t.proc, Signaled(sig, false))
				t.next = runExit{}
				return
			}
			continue
		}
		if err := t.setupFrame(info, act); err != nil {
			// No room for the frame: Linux forces SIGSEGV.
			t.k.mu.Lock()
			t.proc.sighand.actions[abi.SIGSEGV-1] = abi.SigAction{}
			t.k.mu.Unlock()
			t.k.GroupExit(t.proc, Signaled(abi.SIGSEGV, false))
			t.next = runExit{}
			return
		}
	}
}

// traceSignal reports a signal's delivery to the tracer.
func (t *Task) traceSignal(info abi.Siginfo) {
	if tr := t.k.cfg.Tracer; tr != nil {
		tr.Signal(t, info)
	}
}

// forceSignal raises a fault's signal for t: if the signal is blocked or
// ignored, the handler is reset and the signal unblocked so that it cannot
// be missed (force_sig_info).
func (k *Kernel) forceSignal(t *Task, info abi.Siginfo) {
	k.mu.Lock()
	sig := info.Signo
	h := t.proc.sighand
	if t.sigMask.Has(sig) || h.action(sig).Handler == abi.SIG_IGN {
		h.actions[sig-1] = abi.SigAction{}
		t.sigMask &^= abi.SigSetOf(sig)
	}
	t.pending.add(info)
	t.sigHint.Store(true)
	k.mu.Unlock()
}

// SigAction gets and sets a signal's action (rt_sigaction). Setting an
// action to ignore discards pending instances (Linux's do_sigaction).
func (t *Task) SigAction(sig abi.Signal, act *abi.SigAction) (abi.SigAction, error) {
	if !sig.Valid() {
		return abi.SigAction{}, abi.EINVAL
	}
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	h := t.proc.sighand
	old := h.action(sig)
	if act == nil {
		return old, nil
	}
	if sig == abi.SIGKILL || sig == abi.SIGSTOP {
		return abi.SigAction{}, abi.EINVAL
	}
	a := *act
	a.Mask &^= abi.UnblockableSignals
	h.actions[sig-1] = a
	if ignored(h, sig, 0) {
		t.proc.sharedPending.drop(abi.SigSetOf(sig))
		for _, x := range t.proc.tasks {
			x.pending.drop(abi.SigSetOf(sig))
		}
	}
	return old, nil
}

// SigMask returns the blocked set.
func (t *Task) SigMask() abi.SigSet {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	return t.sigMask
}

// SetSigMask replaces the blocked set (SIGKILL and SIGSTOP cannot be
// blocked) and returns the old one.
func (t *Task) SetSigMask(m abi.SigSet) abi.SigSet {
	t.k.mu.Lock()
	old := t.sigMask
	t.sigMask = m &^ abi.UnblockableSignals
	t.k.mu.Unlock()
	return old
}

// SetSavedMask installs mask for the duration of a call that waits for a
// signal (rt_sigsuspend, ppoll, pselect6, epoll_pwait): the old mask comes
// back when the handler of the signal that ends the wait returns, or when
// the call returns without one.
func (t *Task) SetSavedMask(mask abi.SigSet) {
	t.k.mu.Lock()
	old := t.sigMask
	t.savedMask = &old
	t.sigMask = mask &^ abi.UnblockableSignals
	t.k.mu.Unlock()
}

// RestoreSavedMask undoes SetSavedMask for a call that ends without being
// interrupted: signals the temporary mask let in stay pending, as
// restore_saved_sigmask_unless does in Linux.
func (t *Task) RestoreSavedMask() {
	if t.savedMask == nil {
		// Only the task itself sets it: no lock needed to see it unset.
		return
	}
	t.k.mu.Lock()
	t.restoreSavedMaskLocked()
	t.k.mu.Unlock()
}

func (t *Task) restoreSavedMaskLocked() {
	if t.savedMask != nil {
		t.sigMask = *t.savedMask
		t.savedMask = nil
	}
}

// Pending returns the signals pending for t, blocked or not
// (rt_sigpending).
func (t *Task) Pending() abi.SigSet {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	return t.pending.set | t.proc.sharedPending.set
}

// TakeSignal removes a pending signal in set for rt_sigtimedwait and
// signalfd: the thread's own first, then the process's.
func (t *Task) TakeSignal(set abi.SigSet) (abi.Siginfo, bool) {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	if sig := t.pending.next(^set); sig != 0 {
		return t.pending.take(sig), true
	}
	if sig := t.proc.sharedPending.next(^set); sig != 0 {
		return t.proc.sharedPending.take(sig), true
	}
	return abi.Siginfo{}, false
}

// AltStack returns the signal stack (sigaltstack).
func (t *Task) AltStack() abi.StackT {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	s := t.altStack
	if s.Size == 0 {
		s.Flags = abi.SS_DISABLE
	} else if t.onAltStack(t.mm.eng.Reg(cpu.RSP)) {
		s.Flags |= abi.SS_ONSTACK
	}
	return s
}

// SetAltStack implements sigaltstack(2)'s change: EPERM while running on
// the alternate stack, ENOMEM below MINSIGSTKSZ, EINVAL for bad flags.
func (t *Task) SetAltStack(s abi.StackT) error {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	if t.altStack.Size != 0 && t.onAltStack(t.mm.eng.Reg(cpu.RSP)) {
		return abi.EPERM
	}
	mode := s.Flags &^ abi.SS_AUTODISARM
	switch mode {
	case abi.SS_DISABLE:
		t.altStack = abi.StackT{}
		return nil
	case 0, abi.SS_ONSTACK:
	default:
		return abi.EINVAL
	}
	if s.Size < abi.MINSIGSTKSZ {
		return abi.ENOMEM
	}
	t.altStack = abi.StackT{Sp: s.Sp, Size: s.Size, Flags: s.Flags & abi.SS_AUTODISARM}
	return nil
}

func (t *Task) onAltStack(sp uint64) bool {
	a := t.altStack
	return a.Size != 0 && sp > a.Sp && sp-a.Sp <= a.Size
}

// restartOrEINTR decides what an interrupted syscall does, as Linux's
// handle_signal and do_signal do: true means run it again. If a handler is
// about to run, ERESTARTSYS restarts only with SA_RESTART, ERESTARTNOINTR
// always, and ERESTARTNOHAND and ERESTART_RESTARTBLOCK never; with no
// handler to run (a stop, an ignored signal) the call restarts.
func (t *Task) restartOrEINTR(e abi.Errno) bool {
	act, handler := t.k.peekHandler(t)
	if !handler {
		return true
	}
	switch e {
	case abi.ERESTARTSYS:
		return act.Flags&abi.SA_RESTART != 0
	case abi.ERESTARTNOINTR:
		return true
	}
	return false
}

// peekHandler returns the action of the next signal t will act on, and
// whether that action is a handler.
func (k *Kernel) peekHandler(t *Task) (abi.SigAction, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	p := t.proc
	ready := (t.pending.set | p.sharedPending.set) &^ t.sigMask
	order := func(yield func(abi.Signal) bool) {
		for sig := abi.Signal(1); sig <= abi.SIGRTMAX; sig++ {
			if ready.Has(sig) && synchronous.Has(sig) && !yield(sig) {
				return
			}
		}
		for sig := abi.Signal(1); sig <= abi.SIGRTMAX; sig++ {
			if ready.Has(sig) && !synchronous.Has(sig) && !yield(sig) {
				return
			}
		}
	}
	for sig := range order {
		a := p.sighand.action(sig)
		switch {
		case a.Handler == abi.SIG_IGN:
			continue
		case a.Handler == abi.SIG_DFL:
			if d := defaultActionOf(sig); d == actIgnore || d == actCont {
				continue
			}
			return a, false
		default:
			return a, true
		}
	}
	return abi.SigAction{}, false
}
