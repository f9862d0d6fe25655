package kernel

import (
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
	ctx      cpu.Context
	ctxValid bool
	startFix func(cpu.Engine)
	gone     bool // exited: its context must not be saved again

	// next is what the run loop does once the engine stops, set while a
	// syscall or signal is handled in the hook (a new program to switch
	// to, a call to finish off the engine, the task's exit ...); nil goes
	// on running guest code. Used by the task's own goroutine only.
	next taskRunState
	// call is the syscall in progress, also used by the task's goroutine
	// only.
	call syscallState
	// sleepingIn is the syscall the task runs off the engine, since
	// sleepingSince; guarded by mu, for DumpTasks.
	sleepingIn    *syscallState
	sleepingSince time.Time
	// ownExit is the status of a thread that ended itself with exit(2),
	// which the tracer reports unless the whole group is exiting.
	ownExit *WaitStatus
	// ignoredSigs are signals thrown away unseen, kept for the tracer;
	// guarded by the kernel's lock.
	ignoredSigs []abi.Siginfo
	// restart continues a syscall interrupted with ERESTART_RESTARTBLOCK
	// when restart_syscall(2) runs (Linux's restart_block).
	restart   func(*Task) (uint64, error)
	vforkDone chan struct{} // closed when this vfork child execs or exits

	// CPU time: user is time on the engine, sys time in handlers, both
	// without time asleep. Guarded by mu.
	mu        sync.Mutex
	user, sys time.Duration
	blocked   time.Duration
	runEng    cpu.Engine    // the engine of the run in progress, or nil
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

// Umask returns the file mode creation mask (net.Context).
func (t *Task) Umask() uint32 { return t.fs.Umask() }

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
	if t.call.trying {
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
		case t.signalPending():
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
		if t.signalPending() {
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
func (t *Task) Trying() bool { return t.call.trying }

// SetRegsWritten tells the dispatcher that the handler set the registers
// itself (rt_sigreturn), so RAX must not be overwritten.
func (t *Task) SetRegsWritten() { t.call.regsSet = true }

// Engine returns the engine the task runs on. Only the task itself, while
// it holds the engine, may use it.
func (t *Task) Engine() cpu.Engine { return t.mm.eng }
