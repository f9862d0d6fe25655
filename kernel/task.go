package kernel

import (
	"errors"
	"sync"
	"sync/atomic"
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
	fds  *FDTable
	fs   *FSContext

	// Registers while another task owns the engine; ctxValid says ctx
	// holds them. startFix adjusts a new task's copied registers the first
	// time it takes the engine (clone's RAX=0, stack and TLS).
	ctx      *cpu.Context
	ctxValid bool
	startFix func(*cpu.Engine)
	gone     bool // exited: its context must not be saved again

	// Per-syscall state, used by the task's own goroutine only.
	regsSet   bool        // the handler set the registers; leave RAX alone
	stopNow   bool        // stop the engine after this syscall
	exitNow   bool        // the task is done: leave the run loop
	execNext  *execResult // a new program to switch to
	offEngine *pendingSyscall
	// sleepingIn is the syscall the task runs off the engine, since
	// sleepingSince; guarded by mu, for DumpTasks.
	sleepingIn    *pendingSyscall
	sleepingSince time.Time
	trying        bool // a call that may sleep runs in the hook: Block may not
	// ownExit is the status of a thread that ended itself with exit(2),
	// which the tracer reports unless the whole group is exiting.
	ownExit *WaitStatus
	// ignoredSigs are signals thrown away unseen, kept for the tracer;
	// guarded by the kernel's lock.
	ignoredSigs []abi.Siginfo
	// restart continues a syscall interrupted with ERESTART_RESTARTBLOCK
	// when restart_syscall(2) runs (Linux's restart_block).
	restart   func(*Task) (uint64, error)
	vforkWait chan struct{} // a vfork child to wait for
	vforkDone chan struct{} // closed when this vfork child execs or exits

	// CPU time: user is time on the engine, sys time in handlers, both
	// without time asleep. Guarded by mu.
	mu        sync.Mutex
	user, sys time.Duration
	blocked   time.Duration
	runEng    *cpu.Engine   // the engine of the run in progress, or nil
	runSys    time.Duration // sys when that run began
	lastUser  time.Duration // the user time last reported, never to go back

	// Signal state, guarded by the kernel's lock.
	sigMask   abi.SigSet
	savedMask *abi.SigSet // mask to restore when a sigsuspend-like call's handler returns
	pending   pendingSignals
	altStack  abi.StackT
	killed    bool // the process is exiting: stop running guest code
	lastFault *faultInfo
	stopped   bool       // parked by a group stop
	pdeathSig abi.Signal // prctl(PR_SET_PDEATHSIG): sent when the parent exits
	// sigHint is set whenever a signal is queued for the task or its
	// process and cleared when both queues are seen empty, so that the
	// check after each syscall needs no lock.
	sigHint atomic.Bool
	// sleeping is set while the task sleeps in Block: ps shows it as S.
	sleeping  atomic.Bool
	sched     schedAttr // nice value and scheduling policy
	interrupt chan struct{}

	affinity []byte // sched_setaffinity's mask; nil means every CPU
	rseq     rseqReg

	clearChildTID uint64
	robustList    uint64
	robustLen     uint64
}

// pendingSyscall is a syscall to be serviced outside the engine.
type pendingSyscall struct {
	nr   abi.Sysno
	args Args
	pc   uint64 // address of the syscall instruction
	ret  uint64
	err  error
}

// TID returns the thread id.
func (t *Task) TID() int32 { return t.tid }

// Process returns the thread group.
func (t *Task) Process() *Process { return t.proc }

// Kernel returns the kernel.
func (t *Task) Kernel() *Kernel { return t.k }

// MM returns the address space.
func (t *Task) MM() *MM { return t.mm }

// FDs returns the descriptor table.
func (t *Task) FDs() *FDTable { return t.fds }

// FS returns the root, working directory and umask.
func (t *Task) FS() *FSContext { return t.fs }

// CPUTime returns the task's user and system time, the run on the engine
// in progress included. User time is what the host thread running the
// engine spent, less the time in syscall handlers, which is system time.
func (t *Task) CPUTime() (user, sys time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	user = t.user
	if t.runEng != nil {
		if cpu, ok := t.runEng.RunningCPU(); ok {
			user += max(cpu-(t.sys-t.runSys), 0)
		}
	}
	// A run that ends between two readings is counted from the engine's
	// final figure, which may be a little under the estimate: never go
	// back.
	user = max(user, t.lastUser)
	t.lastUser = user
	return user, t.sys
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
// passes or the task has a signal to handle (ERESTARTSYS). Time asleep is
// not CPU time.
func (t *Task) Block(w *vfs.Waiter, deadline time.Time) error {
	if t.trying {
		// A first attempt inside the engine's hook must not sleep: a
		// sleeping goroutine there holds its OS thread, and waking it
		// costs tens of microseconds where an ordinary goroutine costs
		// one. Either the wait is over already or the call runs again
		// off the engine.
		select {
		case <-w.C:
			return nil
		default:
		}
		switch {
		case !deadline.IsZero() && !time.Now().Before(deadline):
			return abi.ETIMEDOUT
		case t.k.signalPending(t):
			return abi.ERESTARTSYS
		}
		return vfs.ErrMustBlock
	}
	start := time.Now()
	t.sleeping.Store(true)
	defer func() {
		t.sleeping.Store(false)
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
	intr := t.interruptChan()
	for {
		if t.k.signalPending(t) {
			return abi.ERESTARTSYS
		}
		select {
		case <-w.C:
			return nil
		case <-timeout:
			return abi.ETIMEDOUT
		case <-intr:
		}
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

// wake makes the task look at its signals: a blocked call returns, guest
// code stops running.
func (t *Task) wake() {
	select {
	case t.interruptChan() <- struct{}{}:
	default:
	}
	mm := t.mm
	if mm == nil {
		return
	}
	mm.mu.Lock()
	running := mm.holder == t
	mm.mu.Unlock()
	if running {
		mm.eng.Interrupt()
	}
}

// Sleep blocks for d, or until a signal must be handled (ERESTARTSYS).
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

// SetRestart records how restart_syscall(2) continues the current syscall,
// which is about to return ERESTART_RESTARTBLOCK.
func (t *Task) SetRestart(fn func(*Task) (uint64, error)) { t.restart = fn }

// TakeRestart returns and forgets the recorded restart, or nil.
func (t *Task) TakeRestart() func(*Task) (uint64, error) {
	fn := t.restart
	t.restart = nil
	return fn
}

// Trying reports whether the task is making a first attempt at a call
// inside the engine's hook, where Block returns vfs.ErrMustBlock rather
// than sleep.
func (t *Task) Trying() bool { return t.trying }

// SetRegsWritten tells the dispatcher that the handler set the registers
// itself (rt_sigreturn), so RAX must not be overwritten.
func (t *Task) SetRegsWritten() { t.regsSet = true }

// Engine returns the engine the task runs on. Only the task itself, while
// it holds the engine, may use it.
func (t *Task) Engine() *cpu.Engine { return t.mm.eng }

// errnoOf converts a handler's error to an errno.
func errnoOf(err error) abi.Errno {
	var e abi.Errno
	if errors.As(err, &e) {
		return e
	}
	return abi.EIO
}

// syscall services one syscall inside the engine's hook. When other tasks
// share the engine, a syscall that may block is handed to the run loop to
// be serviced off the engine.
func (t *Task) syscall(nr abi.Sysno, a Args, pc uint64) {
	t.regsSet, t.stopNow = false, false
	var entry Syscall
	if nr < abi.MaxSysno {
		entry = t.k.syscalls[nr]
	}
	// A call that may sleep first runs here, where it must not sleep;
	// if it would, it runs again off the engine.
	t.trying = entry.Fn != nil && entry.Blocks != nil && entry.Blocks(a)
	start := time.Now()
	t.mu.Lock()
	blockedBefore := t.blocked
	t.mu.Unlock()
	ret, err := t.invoke(nr, entry, a, false)
	t.mu.Lock()
	t.sys += time.Since(start) - (t.blocked - blockedBefore)
	t.mu.Unlock()
	t.trying = false
	if err == vfs.ErrMustBlock {
		// A signal mask the call installed for its wait goes back; the
		// call installs it again.
		t.RestoreSavedMask()
		t.offEngine = &pendingSyscall{nr: nr, args: a, pc: pc}
		t.mm.eng.Stop()
		return
	}
	t.finishSyscall(nr, a, pc, ret, err)
	t.mm.as.Sync()
	if t.stopNow || t.exitNow || t.execNext != nil || t.vforkWait != nil {
		t.mm.eng.Stop()
	}
}

// invoke runs the handler, between the tracer's entry and exit events.
// resumed says the call already ran once on the engine, found it must
// sleep, and now runs again off it: its entry was reported then.
func (t *Task) invoke(nr abi.Sysno, entry Syscall, a Args, resumed bool) (uint64, error) {
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
	if err == vfs.ErrMustBlock || t.exitNow {
		return ret, err
	}
	var e abi.Errno
	if err != nil {
		e = errnoOf(err)
	}
	tr.SyscallExit(t, nr, a, ret, e)
	return ret, err
}

// finishSyscall sets RAX from the handler's result, or arranges for the
// syscall to run again, and then delivers pending signals. It runs with
// the engine held, in the hook or after an off-engine syscall.
func (t *Task) finishSyscall(nr abi.Sysno, a Args, pc uint64, ret uint64, err error) {
	if t.exitNow || t.execNext != nil {
		return
	}
	if t.regsSet {
		t.deliverSignals()
		return
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
				again := nr
				if e == abi.ERESTART_RESTARTBLOCK && t.restart != nil {
					again = abi.SYS_RESTART_SYSCALL
				}
				t.mm.eng.SetReg(cpu.RAX, uint64(again))
				t.mm.eng.SetPC(pc)
				t.deliverSignals()
				return
			}
			e = abi.EINTR
		}
		ret = uint64(-int64(e))
	}
	if t.mm.eng.InHook() {
		t.mm.eng.SetSyscallReturn(ret)
	} else {
		t.mm.eng.SetReg(cpu.RAX, ret)
	}
	t.deliverSignals()
}

// start runs the task's goroutine.
func (t *Task) start() {
	go t.run()
}

// run is the task's life: guest code on the engine until the task exits.
func (t *Task) run() {
	// The goroutine is not locked to an OS thread: Unicorn runs an engine
	// from any thread, and an unlocked goroutine is cheap to wake when
	// it blocks off the engine.
	t.mm.acquire(t)
	if t.debugged() && t.tid == t.proc.pid && !t.proc.debugStarted {
		// The program's first instruction: the debugger takes over.
		t.proc.debugStarted = true
		t.debugStop(abi.SIGTRAP)
	}
	for t.beforeGuest() {
		mm := t.mm
		mm.as.Sync()
		t.mu.Lock()
		t.runSys, t.runEng = t.sys, mm.eng
		t.mu.Unlock()
		x := mm.eng.Run(mm.eng.PC())
		t.mu.Lock()
		t.user += max(mm.eng.RunCPU()-(t.sys-t.runSys), 0)
		t.runEng = nil
		t.mu.Unlock()
		switch {
		case t.exitNow:
		case t.execNext != nil:
			t.switchExec()
		case t.offEngine != nil:
			t.serviceOffEngine()
		case t.vforkWait != nil:
			w := t.vforkWait
			t.vforkWait = nil
			mm.release(t)
			t.waitVfork(w)
			mm.acquire(t)
		case x.Kind == cpu.ExitDebug:
			t.debugStop(abi.SIGTRAP)
		case x.Kind == cpu.ExitStop:
			if mm.waiting() {
				// Preempted so that another task of this address space
				// may run.
				mm.release(t)
				mm.acquire(t)
			}
		default:
			t.fault(x)
		}
	}
	t.exit()
}

// serviceOffEngine runs a syscall that may block without holding the
// engine, then takes the engine back to return its result.
func (t *Task) serviceOffEngine() {
	p := t.offEngine
	t.offEngine = nil
	t.mm.release(t)
	entry := t.k.syscalls[p.nr]
	start := time.Now()
	t.mu.Lock()
	blockedBefore := t.blocked
	t.sleepingIn, t.sleepingSince = p, start
	t.mu.Unlock()
	p.ret, p.err = t.invoke(p.nr, entry, p.args, true)
	t.mu.Lock()
	t.sys += time.Since(start) - (t.blocked - blockedBefore)
	t.sleepingIn = nil
	t.mu.Unlock()
	t.mm.acquire(t)
	t.regsSet = false
	t.finishSyscall(p.nr, p.args, p.pc, p.ret, p.err)
}

// beforeGuest runs before guest code resumes: it delivers signals, parks
// the task while its process is stopped, and reports whether the task
// should go on running.
func (t *Task) beforeGuest() bool {
	for {
		if t.exitNow || t.k.taskKilled(t) {
			return false
		}
		t.deliverSignals()
		if t.exitNow || t.k.taskKilled(t) {
			return false
		}
		if !t.k.mustStop(t) {
			return true
		}
		t.mm.release(t)
		t.k.parkStopped(t)
		t.mm.acquire(t)
	}
}
