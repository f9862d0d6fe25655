package kernel

import (
	"paddock/abi"
	"paddock/emu/cpu"
)

// DebuggedTask is what a debugger may do with a task of the debugged
// process while the process is stopped.
type DebuggedTask = interface {
	TracedCode
	// Engine is the task's CPU; the stopped task holds it.
	Engine() *cpu.Engine
	// Threads lists the process's live threads.
	Threads() []int32
	// ThreadRegs reads another thread's registers, saved when it last
	// left the engine.
	ThreadRegs(tid int32, r *cpu.Regs) bool
	// Auxv is the program's auxiliary vector; ExePath its file.
	Auxv() []byte
	ExePath() string
	// CopyOut writes the task's memory where the program may write.
	CopyOut(addr uint64, b []byte) error
}

// Debugger controls the first process as gdb controls a process through
// ptrace: the process stops for it at the start, at breakpoints and steps
// (Engine.SetBreakpoints, Engine.Step), and before each signal is
// delivered, and stays stopped until the debugger resumes it. Its methods
// run on the task's goroutine, which holds the engine: the other threads
// of the process, which share it, stop too.
type Debugger interface {
	// Stop reports that t stopped with sig: SIGTRAP for the start of the
	// program, a breakpoint or the end of a step, another signal when it
	// is about to be delivered. It returns when the debugger resumes the
	// process, with the signal to deliver: 0 drops it.
	Stop(t DebuggedTask, sig abi.Signal) abi.Signal
	// Exec reports that t's process runs a new program, stopped at its
	// first instruction until the debugger resumes it.
	Exec(t DebuggedTask)
	// Exited reports the end of the debugged process.
	Exited(exited bool, code int, sig abi.Signal)
}

// debugged reports whether t's process is the one a debugger controls.
func (t *Task) debugged() bool {
	return t.k.cfg.Debugger != nil && t.proc == t.k.init
}

// debugStop stops t for the debugger, and queues the signal the debugger
// chose to deliver instead of SIGTRAP, if any.
func (t *Task) debugStop(sig abi.Signal) {
	if give := t.k.cfg.Debugger.Stop(t, sig); give != 0 && give != sig {
		info := abi.Siginfo{Signo: give, Code: abi.SI_KERNEL}
		t.k.mu.Lock()
		wake := t.k.sendLocked(t.proc, t, info)
		t.k.mu.Unlock()
		for _, w := range wake {
			w.wake()
		}
	}
}

// Threads implements DebuggedTask.
func (t *Task) Threads() []int32 {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	var out []int32
	for _, x := range t.proc.tasks {
		out = append(out, x.tid)
	}
	return out
}

// ThreadRegs implements DebuggedTask.
func (t *Task) ThreadRegs(tid int32, r *cpu.Regs) bool {
	t.k.mu.Lock()
	var x *Task
	for _, o := range t.proc.tasks {
		if o.tid == tid {
			x = o
		}
	}
	t.k.mu.Unlock()
	switch {
	case x == nil:
		return false
	case x.mm.owner == x:
		x.mm.eng.Regs(r)
	case x.ctxValid:
		x.ctx.Regs(r)
	default:
		return false
	}
	return true
}

// Auxv implements DebuggedTask.
func (t *Task) Auxv() []byte { return t.mm.auxv }

// ExePath implements DebuggedTask.
func (t *Task) ExePath() string {
	p, _ := t.k.vfs.Path(t.fs.Root(), t.mm.exe)
	return p
}
