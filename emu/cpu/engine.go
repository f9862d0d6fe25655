package cpu

import (
	"time"
	"unsafe"
)

// Engine is a CPU running the guest code of one address space: what the
// kernel, the address space and the debugger ask of it. Unicorn is the
// engine that executes x86_64 code; cputest.Fake runs scripted syscalls
// for the kernel's unit tests. Only one goroutine may Run an engine at a
// time; Stop and Interrupt may be called from any goroutine.
type Engine interface {
	// Close releases the engine; host memory mapped into it is not
	// touched.
	Close()

	// Map, Unmap and Protect mirror the address space's mappings (host
	// memory that emu/mmu owns) in the engine; InvalidateCode drops
	// translations of code the kernel changed.
	Map(addr, size uint64, prot Prot, host unsafe.Pointer) error
	Unmap(addr, size uint64) error
	Protect(addr, size uint64, prot Prot) error
	InvalidateCode(addr, size uint64)

	// Run executes guest code from pc until something stops it.
	Run(pc uint64) Exit
	// RunCPU is the CPU time of the last run; RunningCPU that of the run
	// in progress, if there is one.
	RunCPU() time.Duration
	RunningCPU() (time.Duration, bool)
	// Stop ends the run in progress once the current instruction or
	// syscall is done; Interrupt does so from another goroutine, and is
	// kept for the next run if none is in progress.
	Stop()
	Interrupt()

	// NewContext, Save and Restore keep a whole CPU state aside (a task
	// that gives the engine to another); FXSave and FXRstor the FPU state
	// alone (signal frames); ResetFPU starts it afresh (execve).
	NewContext() (Context, error)
	Save(c Context)
	Restore(c Context)
	FXSave() []byte
	FXRstor(b []byte)
	ResetFPU()

	// Registers.
	Regs(r *Regs)
	SetRegs(r *Regs)
	Reg(r Reg) uint64
	SetReg(r Reg, v uint64)
	PC() uint64
	SetPC(pc uint64)

	// Debugging and tracing: Debug readies breakpoints and single steps,
	// which stop a run with ExitDebug; TraceBlocks and TraceSteps report
	// the code that ran.
	Debug() error
	SetBreakpoints(addrs []uint64) error
	Step()
	PassBreakpoint(pc uint64)
	TraceBlocks(fn func([]Block)) error
	TraceSteps(fn func([]Step)) error
}

// Context is a saved CPU state: every register, x87, SSE and segment
// bases included. Tasks that take turns on one engine keep their state in
// one, and fork copies the parent's into the child's engine with one.
type Context interface {
	// Regs reads the general-purpose registers saved in the context.
	Regs(r *Regs)
	// Free releases the context.
	Free()
}
