package kernel

import (
	"time"

	"paddock/abi"
	"paddock/emu/cpu"
)

// taskRunState is one step of a task's life, as in gVisor's task_run.go:
// execute does what the state stands for and returns the next state, nil
// once the task has exited. The task holds its address space's engine
// when a state starts and when it ends; a state that sleeps lets the
// engine go meanwhile, so that the other tasks of the address space run.
type taskRunState interface {
	execute(t *Task) taskRunState
}

// start runs the task's goroutine.
func (t *Task) start() {
	go t.run()
}

// run is the task's life: its run states in turn until it has exited.
func (t *Task) run() {
	// The goroutine is not locked to an OS thread: Unicorn runs an engine
	// from any thread, and an unlocked goroutine is cheap to wake when
	// it blocks off the engine.
	t.mm.acquire(t)
	var s taskRunState = runInterrupt{}
	if t.debugged() && t.tid == t.proc.pid && !t.proc.debugStarted {
		// The program's first instruction: the debugger takes over.
		t.proc.debugStarted = true
		s = runDebugStop{}
	}
	for s != nil {
		s = s.execute(t)
	}
}

// exiting reports whether the task has been told to exit: its program
// runs no further.
func (t *Task) exiting() bool {
	_, ok := t.next.(runExit)
	return ok
}

// runApp runs guest code until the engine stops: for a syscall that
// changes what the task does next (t.next), a signal or preemption, a
// breakpoint, or a fault.
type runApp struct{}

func (runApp) execute(t *Task) taskRunState {
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
	if next := t.takeNext(); next != nil {
		return next
	}
	switch x.Kind {
	case cpu.ExitDebug:
		return runDebugStop{}
	case cpu.ExitStop:
		// Stopped from outside: for a signal, or so that another task of
		// the address space may run.
		if mm.waiting() {
			mm.release(t)
			mm.acquire(t)
		}
	default:
		t.fault(x)
	}
	return runInterrupt{}
}

// runInterrupt comes between two runs of guest code, as Linux's
// exit_to_user_mode_loop: pending signals are delivered (a handler's
// frame, or a default action that stops or ends the process), and a task
// whose process is stopped parks.
type runInterrupt struct{}

func (runInterrupt) execute(t *Task) taskRunState {
	if t.mustExit() {
		return runExit{}
	}
	t.deliverSignals()
	if next := t.takeNext(); next != nil {
		return next
	}
	switch {
	case t.mustExit():
		return runExit{}
	case t.mustStop():
		return runStopped{}
	}
	return runApp{}
}

// runSyscall services a syscall that must sleep, off the engine, and
// takes the engine back to return its result.
type runSyscall struct {
	call syscallState
}

func (r *runSyscall) execute(t *Task) taskRunState {
	t.call = r.call
	t.mm.release(t)
	t.mu.Lock()
	t.sleepingIn, t.sleepingSince = &r.call, time.Now()
	t.mu.Unlock()
	ret, err := t.timedInvoke(&t.k.syscalls[r.call.nr], true)
	t.mu.Lock()
	t.sleepingIn = nil
	t.mu.Unlock()
	t.mm.acquire(t)
	if rax, set := t.finishSyscall(ret, err); set {
		t.mm.eng.SetReg(cpu.RAX, rax)
	}
	if next := t.takeNext(); next != nil {
		return next
	}
	return runInterrupt{}
}

// takeNext returns and clears the state a syscall or signal chose.
func (t *Task) takeNext() taskRunState {
	next := t.next
	t.next = nil
	return next
}

// runStopped parks the task while its process is stopped by a signal.
type runStopped struct{}

func (runStopped) execute(t *Task) taskRunState {
	t.mm.release(t)
	t.parkStopped()
	t.mm.acquire(t)
	return runInterrupt{}
}

// runExec switches the task to the program execve loaded.
type runExec struct {
	image *execResult
}

func (r *runExec) execute(t *Task) taskRunState {
	t.switchExec(r.image)
	return runInterrupt{}
}

// runVforkWait waits, without the engine, for a vfork child to exec or
// exit.
type runVforkWait struct {
	done chan struct{}
}

func (r *runVforkWait) execute(t *Task) taskRunState {
	t.mm.release(t)
	t.waitVfork(r.done)
	t.mm.acquire(t)
	return runInterrupt{}
}

// runDebugStop stops the task for the debugger (a breakpoint, a step, the
// first instruction) until the debugger resumes it.
type runDebugStop struct{}

func (runDebugStop) execute(t *Task) taskRunState {
	t.debugStop(abi.SIGTRAP)
	return runInterrupt{}
}

// runExit ends the task.
type runExit struct{}

func (runExit) execute(t *Task) taskRunState {
	t.exit()
	return nil
}
