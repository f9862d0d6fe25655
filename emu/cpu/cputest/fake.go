// Package cputest is a test double of emu/cpu's Engine: guest code is Go.
// A Program maps code addresses to instructions, Go functions of the fake
// CPU's registers and memory; the instruction the tests use most is
// Syscall, which stops in the kernel's syscall hook exactly as a syscall
// instruction does on Unicorn (the kernel reads the arguments, sets the
// result, may restart the call by moving RIP back to it, or stop the
// engine). So the kernel and its syscall handlers run, in unit tests, as
// they run under paddock, in milliseconds and with no code translated.
package cputest

import (
	"encoding/binary"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"paddock/abi"
	"paddock/emu/cpu"
)

// Instr is one instruction of a fake program. It runs with RIP at its own
// address and must set RIP to what follows (Next, Syscall and Call do).
type Instr func(f *Fake)

// Program maps code addresses to instructions. An address without one
// faults, as unmapped code would.
type Program map[uint64]Instr

// Seq lays instrs out from base, two bytes apart (the length of a syscall
// instruction), and returns the program.
func Seq(base uint64, instrs ...Instr) Program {
	p := Program{}
	for i, in := range instrs {
		p[base+2*uint64(i)] = in
	}
	return p
}

// Syscall is a syscall instruction: RAX and the argument registers are
// set, RIP moves past the instruction, and the kernel's hook runs. The
// result is in RAX afterwards; a restarted call has RIP back at it.
func Syscall(nr abi.Sysno, args ...uint64) Instr {
	return func(f *Fake) { f.Syscall(nr, args...) }
}

// Do runs fn (a test's look at the registers or memory) and goes on.
func Do(fn func(f *Fake)) Instr {
	return func(f *Fake) {
		pc := f.regs.RIP
		fn(f)
		f.regs.RIP = pc + 2
	}
}

// Halt stops the CPU, as hlt does.
func Halt(f *Fake) { f.halted = true }

// Fake is an Engine that runs a Program. It implements cpu.Engine.
type Fake struct {
	prog      Program
	onSyscall cpu.SyscallHandler
	onFault   cpu.FaultHandler

	regs   cpu.Regs
	fx     []byte
	halted bool
	// Stop, and Interrupt from other goroutines, end the run at the next
	// instruction; an interrupt without a run waits for the next one.
	stop      atomic.Bool
	interrupt atomic.Bool

	mu      sync.Mutex // guards regions, which the kernel changes off the engine
	regions []region
}

// region is host memory mapped at a guest address (Map).
type region struct {
	start, end uint64
	prot       cpu.Prot
	host       unsafe.Pointer
}

// New returns a fake engine running prog; its handlers are the kernel's,
// as cpu.New takes them.
func New(prog Program, syscall cpu.SyscallHandler, fault cpu.FaultHandler) *Fake {
	f := &Fake{prog: prog, onSyscall: syscall, onFault: fault, fx: make([]byte, cpu.FXSaveSize)}
	f.ResetFPU()
	return f
}

// Factory returns an engine constructor for a kernel whose every address
// space runs prog (kernel.Config.NewEngine): a forked child runs the same
// program from where its parent forked, as it would run the same code.
func Factory(prog Program) func(cpu.SyscallHandler, cpu.FaultHandler) (cpu.Engine, error) {
	return func(s cpu.SyscallHandler, fh cpu.FaultHandler) (cpu.Engine, error) {
		return New(prog, s, fh), nil
	}
}

// Syscall makes the syscall nr with args from the current instruction
// and returns RAX after it.
func (f *Fake) Syscall(nr abi.Sysno, args ...uint64) uint64 {
	var a [6]uint64
	copy(a[:], args)
	f.regs.RAX = uint64(nr)
	f.regs.RDI, f.regs.RSI, f.regs.RDX, f.regs.R10, f.regs.R8, f.regs.R9 = a[0], a[1], a[2], a[3], a[4], a[5]
	pc := f.regs.RIP
	f.regs.RIP += 2
	if ret, set := f.onSyscall(f, uint64(nr), a, pc); set {
		f.regs.RAX = ret
	}
	return f.regs.RAX
}

// Close implements cpu.Engine.
func (f *Fake) Close() {}

// Map implements cpu.Engine: the fake reads and writes host memory through
// the regions mapped.
func (f *Fake) Map(addr, size uint64, prot cpu.Prot, host unsafe.Pointer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.regions {
		if addr < r.end && r.start < addr+size {
			return fmt.Errorf("cputest: %#x-%#x overlaps a mapping", addr, addr+size)
		}
	}
	f.regions = append(f.regions, region{addr, addr + size, prot, host})
	sort.Slice(f.regions, func(i, j int) bool { return f.regions[i].start < f.regions[j].start })
	return nil
}

// Unmap implements cpu.Engine; like Unicorn's, it takes whole regions.
func (f *Fake) Unmap(addr, size uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, err := f.regionLocked(addr, size)
	if err == nil {
		f.regions = append(f.regions[:i], f.regions[i+1:]...)
	}
	return err
}

// Protect implements cpu.Engine.
func (f *Fake) Protect(addr, size uint64, prot cpu.Prot) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, err := f.regionLocked(addr, size)
	if err == nil {
		f.regions[i].prot = prot
	}
	return err
}

// regionLocked finds the region mapped at exactly addr to addr+size.
func (f *Fake) regionLocked(addr, size uint64) (int, error) {
	for i, r := range f.regions {
		if r.start == addr && r.end == addr+size {
			return i, nil
		}
	}
	return 0, fmt.Errorf("cputest: no mapping at %#x-%#x", addr, addr+size)
}

// InvalidateCode implements cpu.Engine: nothing is translated.
func (f *Fake) InvalidateCode(addr, size uint64) {}

// Run implements cpu.Engine: it runs instructions from pc until one
// stops the CPU or the kernel asks it to stop.
func (f *Fake) Run(pc uint64) cpu.Exit {
	f.regs.RIP = pc
	f.halted = false
	for {
		if f.interrupt.Swap(false) || f.stop.Swap(false) {
			return cpu.Exit{Kind: cpu.ExitStop}
		}
		in := f.prog[f.regs.RIP]
		if in == nil {
			return cpu.Exit{Kind: cpu.ExitFault, Addr: f.regs.RIP, Access: cpu.Fetch}
		}
		in(f)
		if f.halted {
			return cpu.Exit{Kind: cpu.ExitHalt}
		}
	}
}

// RunCPU implements cpu.Engine: a fake run takes no CPU time.
func (f *Fake) RunCPU() time.Duration { return 0 }

// RunningCPU implements cpu.Engine.
func (f *Fake) RunningCPU() (time.Duration, bool) { return 0, false }

// Stop implements cpu.Engine.
func (f *Fake) Stop() { f.stop.Store(true) }

// Interrupt implements cpu.Engine.
func (f *Fake) Interrupt() { f.interrupt.Store(true) }

// context is a fake saved CPU state.
type context struct {
	regs cpu.Regs
	fx   []byte
}

func (c *context) Regs(r *cpu.Regs) { *r = c.regs }
func (c *context) Free()            {}

// NewContext implements cpu.Engine.
func (f *Fake) NewContext() (cpu.Context, error) { return &context{}, nil }

// Save implements cpu.Engine.
func (f *Fake) Save(c cpu.Context) {
	x := c.(*context)
	x.regs, x.fx = f.regs, append([]byte(nil), f.fx...)
}

// Restore implements cpu.Engine.
func (f *Fake) Restore(c cpu.Context) {
	x := c.(*context)
	f.regs = x.regs
	if x.fx != nil {
		f.fx = append([]byte(nil), x.fx...)
	}
}

// FXSave implements cpu.Engine.
func (f *Fake) FXSave() []byte { return append([]byte(nil), f.fx...) }

// FXRstor implements cpu.Engine.
func (f *Fake) FXRstor(b []byte) { f.fx = append([]byte(nil), b[:cpu.FXSaveSize]...) }

// ResetFPU implements cpu.Engine: FCW 0x37f and MXCSR 0x1f80, as Linux
// starts a program.
func (f *Fake) ResetFPU() {
	clear(f.fx)
	binary.LittleEndian.PutUint16(f.fx[0:], 0x37f)
	binary.LittleEndian.PutUint32(f.fx[24:], 0x1f80)
}

// Regs implements cpu.Engine.
func (f *Fake) Regs(r *cpu.Regs) { *r = f.regs }

// SetRegs implements cpu.Engine.
func (f *Fake) SetRegs(r *cpu.Regs) { f.regs = *r }

// reg returns the field behind a register name.
func (f *Fake) reg(r cpu.Reg) *uint64 {
	switch r {
	case cpu.RAX:
		return &f.regs.RAX
	case cpu.RBX:
		return &f.regs.RBX
	case cpu.RCX:
		return &f.regs.RCX
	case cpu.RDX:
		return &f.regs.RDX
	case cpu.RSI:
		return &f.regs.RSI
	case cpu.RDI:
		return &f.regs.RDI
	case cpu.RSP:
		return &f.regs.RSP
	case cpu.FSBase:
		return &f.regs.FSBase
	case cpu.GSBase:
		return &f.regs.GSBase
	}
	panic(fmt.Sprintf("cputest: register %d", r))
}

// Reg implements cpu.Engine.
func (f *Fake) Reg(r cpu.Reg) uint64 { return *f.reg(r) }

// SetReg implements cpu.Engine.
func (f *Fake) SetReg(r cpu.Reg, v uint64) { *f.reg(r) = v }

// PC implements cpu.Engine.
func (f *Fake) PC() uint64 { return f.regs.RIP }

// SetPC implements cpu.Engine.
func (f *Fake) SetPC(pc uint64) { f.regs.RIP = pc }

// errNoDebug is what the fake says to the debugger and the code tracers,
// which need real code.
var errNoDebug = fmt.Errorf("cputest: the fake engine runs no code to debug or trace")

// Debug implements cpu.Engine.
func (f *Fake) Debug() error { return errNoDebug }

// SetBreakpoints implements cpu.Engine.
func (f *Fake) SetBreakpoints([]uint64) error { return errNoDebug }

// Step implements cpu.Engine.
func (f *Fake) Step() {}

// PassBreakpoint implements cpu.Engine.
func (f *Fake) PassBreakpoint(uint64) {}

// TraceBlocks implements cpu.Engine.
func (f *Fake) TraceBlocks(func([]cpu.Block)) error { return errNoDebug }

// TraceSteps implements cpu.Engine.
func (f *Fake) TraceSteps(func([]cpu.Step)) error { return errNoDebug }

// Read returns n bytes of guest memory at addr, as the CPU would load
// them (protections aside); nil if any byte is unmapped.
func (f *Fake) Read(addr uint64, n int) []byte {
	b := make([]byte, n)
	if !f.access(addr, b, false) {
		return nil
	}
	return b
}

// Write stores b in guest memory at addr, reporting whether it was
// mapped.
func (f *Fake) Write(addr uint64, b []byte) bool { return f.access(addr, b, true) }

// CString reads a NUL-terminated string at addr.
func (f *Fake) CString(addr uint64) string {
	var s []byte
	for {
		b := f.Read(addr+uint64(len(s)), 1)
		if b == nil || b[0] == 0 {
			return string(s)
		}
		s = append(s, b[0])
	}
}

func (f *Fake) access(addr uint64, b []byte, write bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for done := 0; done < len(b); {
		a := addr + uint64(done)
		var r *region
		for i := range f.regions {
			if a >= f.regions[i].start && a < f.regions[i].end {
				r = &f.regions[i]
			}
		}
		if r == nil {
			return false
		}
		mem := unsafe.Slice((*byte)(r.host), r.end-r.start)[a-r.start:]
		var n int
		if write {
			n = copy(mem, b[done:])
		} else {
			n = copy(b[done:], mem)
		}
		done += n
	}
	return true
}
