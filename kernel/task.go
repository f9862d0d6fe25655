package kernel

import (
	"errors"
	"sync"
	"time"

	"paddock/abi"
	"paddock/emu/cpu"
	"paddock/kernel/vfs"
)

// Task is a thread: what gettid names. Its goroutine runs guest code on its
// address space's engine and services its syscalls.
type Task struct {
	k    *Kernel
	tid  int32
	proc *Process
	mm   *MM

	// Per-syscall control set by handlers.
	regsSet  bool // the handler wrote the registers; leave RAX alone
	stopNow  bool // stop the engine after this syscall
	exitNow  bool // the task is done: leave the run loop
	execNext *execResult

	mu sync.Mutex
	// CPU time: user is time on the engine, sys time in handlers, both
	// excluding time blocked.
	user, sys time.Duration
	blocked   time.Duration
	interrupt chan struct{}

	pending  abi.SigSet
	affinity []byte // sched_setaffinity's mask; nil means every CPU

	rseq rseqReg

	clearChildTID uint64
	robustList    uint64
	robustLen     uint64
}

// TID returns the thread id.
func (t *Task) TID() int32 { return t.tid }

// Process returns the thread group.
func (t *Task) Process() *Process { return t.proc }

// Kernel returns the kernel.
func (t *Task) Kernel() *Kernel { return t.k }

// MM returns the address space.
func (t *Task) MM() *MM { return t.mm }

// CPUTime returns the task's user and system time.
func (t *Task) CPUTime() (user, sys time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.user, t.sys
}

// SetClearChildTID records set_tid_address's pointer.
func (t *Task) SetClearChildTID(addr uint64) { t.clearChildTID = addr }

// SetRobustList records set_robust_list's head.
func (t *Task) SetRobustList(head, length uint64) { t.robustList, t.robustLen = head, length }

// RobustList returns the robust list head and length.
func (t *Task) RobustList() (uint64, uint64) { return t.robustList, t.robustLen }

// Creds implements vfs.Context.
func (t *Task) Creds() *vfs.Creds {
	c := t.proc.Creds()
	return c.VFS()
}

// Block implements vfs.Context: it sleeps until w is notified, the deadline
// passes or the task must handle a signal. Time asleep is not CPU time.
func (t *Task) Block(w *vfs.Waiter, deadline time.Time) error {
	start := time.Now()
	defer func() {
		t.mu.Lock()
		t.blocked += time.Since(start)
		t.mu.Unlock()
	}()
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		d := time.Until(deadline)
		if d <= 0 {
			return abi.ETIMEDOUT
		}
		tm := time.NewTimer(d)
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case <-w.C:
		return nil
	case <-timeout:
		return abi.ETIMEDOUT
	case <-t.interruptChan():
		return abi.ERESTARTSYS
	}
}

func (t *Task) interruptChan() chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.interrupt == nil {
		t.interrupt = make(chan struct{}, 1)
	}
	return t.interrupt
}

// Sleep blocks for d, or until a signal interrupts (ERESTARTSYS).
func (t *Task) Sleep(d time.Duration) error {
	err := t.Block(vfs.NewWaiter(), time.Now().Add(d))
	if err == abi.ETIMEDOUT {
		return nil
	}
	return err
}

// CopyIn reads guest memory.
func (t *Task) CopyIn(addr uint64, b []byte) error { return t.mm.as.CopyIn(addr, b) }

// CopyOut writes guest memory.
func (t *Task) CopyOut(addr uint64, b []byte) error { return t.mm.as.CopyOut(addr, b) }

// ReadString reads a NUL-terminated string of at most max bytes.
func (t *Task) ReadString(addr uint64, max int) (string, error) {
	return t.mm.as.ReadCString(addr, max)
}

// ReadPath reads a path argument: EFAULT for a bad pointer, ENAMETOOLONG
// past PATH_MAX.
func (t *Task) ReadPath(addr uint64) (string, error) {
	return t.mm.as.ReadCString(addr, abi.PATH_MAX-1)
}

// SetRegsWritten tells the dispatcher that the handler set the registers
// itself (rt_sigreturn, execve), so RAX must not be overwritten.
func (t *Task) SetRegsWritten() { t.regsSet = true }

// Engine returns the engine the task runs on. Only the task itself, while
// it owns the engine, may use it.
func (t *Task) Engine() *cpu.Engine { return t.mm.eng }

// errnoOf converts a handler's error to an errno.
func errnoOf(err error) abi.Errno {
	var e abi.Errno
	if errors.As(err, &e) {
		return e
	}
	return abi.EIO
}

// syscall services one syscall inside the engine's hook.
func (t *Task) syscall(nr abi.Sysno, a Args) {
	t.regsSet, t.stopNow = false, false
	start := time.Now()
	t.mu.Lock()
	blockedBefore := t.blocked
	t.mu.Unlock()
	var ret uint64
	var err error
	if nr < abi.MaxSysno && t.k.syscalls[nr].Fn != nil {
		ret, err = t.k.syscalls[nr].Fn(t, a)
	} else {
		t.k.reportUnimplemented(nr)
		err = abi.ENOSYS
	}
	if err != nil {
		e := errnoOf(err)
		if e == abi.ERESTARTSYS || e == abi.ERESTARTNOINTR || e == abi.ERESTARTNOHAND {
			// No signal handlers yet: an interrupted call fails with
			// EINTR.
			e = abi.EINTR
		}
		ret = uint64(-int64(e))
	}
	if !t.regsSet && !t.exitNow && t.execNext == nil {
		t.mm.eng.SetSyscallReturn(ret)
	}
	if !t.exitNow {
		t.deliverPending()
	}
	t.mm.as.Sync()
	t.mu.Lock()
	t.sys += time.Since(start) - (t.blocked - blockedBefore)
	t.mu.Unlock()
	if t.stopNow || t.exitNow || t.execNext != nil {
		t.mm.eng.Stop()
	}
}

// Start runs the task's goroutine.
func (t *Task) start(pc uint64) {
	go t.run(pc)
}

// run is the task's life: guest code on the engine until the task exits.
func (t *Task) run(pc uint64) {
	for {
		t.mm.mu.Lock()
		t.mm.cur = t
		t.mm.mu.Unlock()
		t.mm.as.Sync()
		start := time.Now()
		t.mu.Lock()
		sysBefore, blockedBefore := t.sys, t.blocked
		t.mu.Unlock()
		x := t.mm.eng.Run(pc)
		t.mu.Lock()
		t.user += time.Since(start) - (t.sys - sysBefore) - (t.blocked - blockedBefore)
		t.mu.Unlock()
		if t.exitNow {
			t.mm.release()
			return
		}
		if t.execNext != nil {
			pc = t.switchExec()
			continue
		}
		switch x.Kind {
		case cpu.ExitStop:
			pc = t.mm.eng.PC()
		default:
			t.fault(x)
			t.mm.release()
			return
		}
	}
}

// fault handles a CPU exit that is a fault: the guest gets the signal Linux
// would send. Without signal handlers (a later stage) the default action
// applies, which for all of them ends the process with a core-dump signal.
func (t *Task) fault(x cpu.Exit) {
	sig := abi.SIGSEGV
	switch x.Kind {
	case cpu.ExitInvalid:
		sig = abi.SIGILL
	case cpu.ExitInterrupt:
		switch x.Vector {
		case 0: // #DE
			sig = abi.SIGFPE
		case 1, 3: // #DB, #BP
			sig = abi.SIGTRAP
		case 6: // #UD
			sig = abi.SIGILL
		case 16, 19: // #MF, #XM
			sig = abi.SIGFPE
		case 17: // #AC
			sig = abi.SIGBUS
		}
	}
	t.proc.exitProcess(Signaled(sig, false))
}

// ExitGroup ends the task's process with exit code code (exit_group).
func (t *Task) ExitGroup(code int) {
	t.proc.exitProcess(Exited(code))
	t.exitNow = true
}

// ExitThread ends the calling thread (exit); the last thread's exit ends
// the process with code.
func (t *Task) ExitThread(code int) {
	t.ExitGroup(code)
}
