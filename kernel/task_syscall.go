package kernel

import (
	"errors"
	"time"

	"paddock/abi"
	"paddock/emu/cpu"
	"paddock/kernel/vfs"
)

// syscallState is the syscall a task is servicing.
type syscallState struct {
	nr   abi.Sysno
	args Args
	pc   uint64 // the address of the syscall instruction
	// trying says the call runs in the engine's hook as a first attempt,
	// where Block may not sleep.
	trying bool
	// regsSet says the handler set the registers itself: RAX is left
	// alone.
	regsSet bool
}

// noSyscall is the entry of a number past the table: ENOSYS.
var noSyscall Syscall

// errnoOf converts a handler's error to an errno.
func errnoOf(err error) abi.Errno {
	var e abi.Errno
	if errors.As(err, &e) {
		return e
	}
	return abi.EIO
}

// syscall services one syscall inside the engine's hook and returns the
// value for RAX (set false: the registers are already as they must be).
// A call that may sleep first runs here, where it must not sleep; if it
// would, the run loop services it again off the engine (runSyscall). A
// call that changes what the task runs (execve, exit, vfork) or a signal
// that stops or ends it leaves the next state in t.next and stops the
// engine.
func (t *Task) syscall(nr abi.Sysno, a Args, pc uint64) (uint64, bool) {
	t.call = syscallState{nr: nr, args: a, pc: pc}
	entry := &noSyscall
	if nr < abi.MaxSysno {
		entry = &t.k.syscalls[nr]
	}
	t.call.trying = entry.Fn != nil && entry.Blocks != nil && entry.Blocks(a)
	ret, err := t.timedInvoke(entry, false)
	t.call.trying = false
	if err == vfs.ErrMustBlock {
		// A signal mask the call installed for its wait goes back; the
		// call installs it again.
		t.RestoreSavedMask()
		t.next = &runSyscall{t.call}
		t.mm.eng.Stop()
		return 0, false
	}
	rax, set := t.finishSyscall(ret, err)
	t.mm.as.Sync()
	if t.next != nil {
		t.mm.eng.Stop()
	}
	return rax, set
}

// timedInvoke runs the call in t.call and counts its system time: its
// duration less what it slept.
func (t *Task) timedInvoke(entry *Syscall, resumed bool) (uint64, error) {
	start := time.Now()
	t.mu.Lock()
	blockedBefore := t.blocked
	t.mu.Unlock()
	ret, err := t.invoke(entry, resumed)
	t.mu.Lock()
	t.sys += time.Since(start) - (t.blocked - blockedBefore)
	t.mu.Unlock()
	return ret, err
}

// invoke runs the handler, between the tracer's entry and exit events.
// resumed says the call already ran once on the engine, found it must
// sleep, and now runs again off it: its entry was reported then.
func (t *Task) invoke(entry *Syscall, resumed bool) (uint64, error) {
	nr, a := t.call.nr, t.call.args
	tr := t.k.cfg.Tracer
	if tr == nil {
		if entry.Fn == nil {
			t.k.reportUnimplemented(nr)
			return 0, abi.ENOSYS
		}
		return entry.Fn(t, a)
	}
	if !resumed {
		tr.SyscallEnter(t, nr, a)
	}
	var ret uint64
	var err error
	if entry.Fn == nil {
		t.k.reportUnimplemented(nr)
		err = abi.ENOSYS
	} else {
		ret, err = entry.Fn(t, a)
	}
	if err == vfs.ErrMustBlock || t.exiting() {
		return ret, err
	}
	var e abi.Errno
	if err != nil {
		e = errnoOf(err)
	}
	tr.SyscallExit(t, nr, a, ret, e)
	return ret, err
}

// finishSyscall returns RAX from the handler's result (set false: leave
// the registers as they are), or arranges for the syscall to run again,
// and delivers pending signals. It runs with the engine held, in the hook
// or after an off-engine syscall.
func (t *Task) finishSyscall(ret uint64, err error) (rax uint64, set bool) {
	switch t.next.(type) {
	case runExit, *runExec:
		// The program that made the call is gone.
		return 0, false
	}
	if t.call.regsSet {
		t.deliverSignals()
		return 0, false
	}
	if err != nil {
		e := errnoOf(err)
		switch e {
		case abi.ERESTARTSYS, abi.ERESTARTNOINTR, abi.ERESTARTNOHAND, abi.ERESTART_RESTARTBLOCK:
			if t.restartOrEINTR(e) {
				// Run the syscall again: RAX back to its number, RIP back
				// to the syscall instruction. A restart block runs as
				// restart_syscall instead, which continues where the call
				// stopped (a sleep with the time that was left).
				again := t.call.nr
				if e == abi.ERESTART_RESTARTBLOCK && t.restart != nil {
					again = abi.SYS_RESTART_SYSCALL
				}
				t.mm.eng.SetReg(cpu.RAX, uint64(again))
				t.mm.eng.SetPC(t.call.pc)
				t.deliverSignals()
				return 0, false
			}
			e = abi.EINTR
		}
		ret = uint64(-int64(e))
	}
	if t.sigHint.Load() || t.savedMask != nil {
		// A signal may be delivered (its frame saves the registers, the
		// result included), or a mask a sigsuspend-like call installed
		// comes back.
		t.mm.eng.SetReg(cpu.RAX, ret)
		t.deliverSignals()
		return 0, false
	}
	return ret, true
}
