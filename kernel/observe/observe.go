// Package observe is how tools watch and steer a running kernel: the
// syscall tracer (strace), the code tracer (instruction traces, coverage,
// profiles) and the debugger (the gdb stub), and what each may ask of the
// task an event is about. The kernel reports to these interfaces and its
// tasks implement the task interfaces; the tools implement the observers.
// Both sides import this package, which imports neither.
package observe

import (
	"time"

	"paddock/abi"
	"paddock/emu/cpu"
)

// Task is what a tracer may ask of the task an event is about.
type Task interface {
	TID() int32
	TGID() int32
	CopyIn(addr uint64, b []byte) error
	FDPath(fd int32) (string, bool)
	// Slept is how long the task has slept in blocking calls: a call's
	// system time is its duration less the sleep it took.
	Slept() time.Duration
}

// Tracer observes a kernel as strace observes Linux through ptrace: every
// syscall's entry and exit, signal deliveries and task exits. Its methods
// run on the task's own goroutine, so calls for different tasks may run at
// once.
type Tracer interface {
	// SyscallEnter runs before the handler, once per call even when the
	// call sleeps and runs again off the engine.
	SyscallEnter(t Task, nr abi.Sysno, args [6]uint64)
	// SyscallExit runs after the handler with its result: ret when errno
	// is 0, else the errno (a restart errno included). Calls that do not
	// return (exit, exit_group, a successful rt_sigreturn's caller) have
	// no exit.
	SyscallExit(t Task, nr abi.Sysno, args [6]uint64, ret uint64, errno abi.Errno)
	// Signal runs when a signal is delivered to the task (a handler runs,
	// or the default action is taken).
	Signal(t Task, info abi.Siginfo)
	// Stopped runs when the task parks in a group stop (job control).
	Stopped(t Task, sig abi.Signal)
	// Exit runs when the task ends, with its wait status: an exit code, or
	// the signal that killed it.
	Exit(t Task, exited bool, code int, sig abi.Signal, core bool)
}

// CodeTask is what a code tracer may ask of the task whose code ran.
type CodeTask interface {
	Task
	// AddressSpace identifies the task's address space: a new one comes
	// with every exec and every fork.
	AddressSpace() uint64
	// Mapping describes the mapping that holds addr: its bounds, the
	// file offset of start, and the file's path ("" for anonymous
	// memory) and inode number.
	Mapping(addr uint64) (start, end, offset uint64, path string, ino uint64, ok bool)
	// ReadFile reads a file of the task's file system, as root.
	ReadFile(path string) ([]byte, error)
}

// CodeTracer watches guest code run (instruction traces, coverage,
// profiles). Its methods run on the goroutine of the task whose code ran,
// with the engine held.
type CodeTracer interface {
	// Blocks reports basic blocks t executed, in order.
	Blocks(t CodeTask, blocks []cpu.Block)
	// Steps reports instructions t executed with the registers before
	// each, if WantSteps asked for them (a register read per instruction).
	Steps(t CodeTask, steps []cpu.Step)
	WantSteps() bool
}

// DebugTask is what a debugger may do with a task of the debugged
// process while the process is stopped.
type DebugTask interface {
	CodeTask
	// Engine is the task's CPU; the stopped task holds it.
	Engine() cpu.Engine
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
	Stop(t DebugTask, sig abi.Signal) abi.Signal
	// Exec reports that t's process runs a new program, stopped at its
	// first instruction until the debugger resumes it.
	Exec(t DebugTask)
	// Exited reports the end of the debugged process.
	Exited(exited bool, code int, sig abi.Signal)
}
