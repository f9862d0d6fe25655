// Package cpu is paddock's only user of Unicorn. An Engine executes the x86_64
// guest code of one address space (Unicorn is the one that runs it; a test
// double stands in for it in the kernel's unit tests, emu/cpu/cputest): it owns the Unicorn instance, its memory
// regions (mapped onto host memory that emu/mmu owns), the registers, and the
// hooks through which guest code leaves the CPU: a syscall instruction, a
// memory fault, a CPU exception or a stop request.
package cpu

/*
#cgo CFLAGS: -I${SRCDIR}/../../build/unicorn/include -O2
#cgo LDFLAGS: -L${SRCDIR}/../../build/unicorn -lunicorn -lpthread -lm -latomic
#include <stdlib.h>
#include "hooks.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/cgo"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	uc "github.com/unicorn-engine/unicorn/bindings/go/unicorn"
)

// Prot is a page protection as Unicorn understands it.
type Prot uint32

// Protection bits; they have the same values as PROT_READ, PROT_WRITE and
// PROT_EXEC.
const (
	ProtRead  Prot = uc.PROT_READ
	ProtWrite Prot = uc.PROT_WRITE
	ProtExec  Prot = uc.PROT_EXEC
)

// Access says what kind of memory access faulted.
type Access int

// Kinds of access.
const (
	Read Access = iota
	Write
	Fetch
)

func (a Access) String() string {
	return [...]string{"read", "write", "fetch"}[a]
}

// SyscallHandler services the syscall the engine stopped at: number nr
// (RAX), arguments args (RDI, RSI, RDX, R10, R8, R9), at the syscall
// instruction pc. It runs inside the engine's hook, on the goroutine that
// called Run, and returns the value RAX holds when the guest resumes, or
// set false to leave RAX as it is (a handler that wrote the registers
// itself). The call and its result pass as arguments rather than through
// the Engine because this is the hottest path of all.
type SyscallHandler func(e Engine, nr uint64, args [6]uint64, pc uint64) (ret uint64, set bool)

// IgnoreSyscalls is a SyscallHandler that leaves RAX as it is: for code
// run without a kernel (the CPUID probe, tests).
func IgnoreSyscalls(Engine, uint64, [6]uint64, uint64) (uint64, bool) { return 0, false }

// FaultHandler may resolve an access to unmapped memory (a stack growing
// down) by mapping it; it returns true if the access should be retried.
type FaultHandler func(addr uint64, size int, access Access) bool

// Unicorn is one Unicorn instance running the guest code of one address
// space: the Engine paddock runs programs on. Only one goroutine may Run it
// at a time; Stop may be called from any goroutine.
type Unicorn struct {
	u      uc.Unicorn
	h      *C.uc_engine
	st     *C.pd_state
	handle cgo.Handle

	onSyscall SyscallHandler
	onFault   FaultHandler
	// onWrite sees every guest store while a watch is installed
	// (WatchWrites).
	onWrite func(addr uint64, size int, value uint64)
	trace   tracing

	stopAsked atomic.Bool
	// running is true while Run is executing guest code; interrupt is a
	// stop request that stays pending until a Run consumes it.
	running   atomic.Bool
	interrupt atomic.Bool
	// runMu orders a stop from another goroutine against the start and
	// end of a run: a stop aimed at one run must neither land in the next
	// (uc_emu_start clears Unicorn's stop flag, but a stop arriving just
	// after that would end the new run at once) nor leave its stopAsked
	// to be consumed by the previous one, which made such a run look like
	// a halt.
	runMu  sync.Mutex
	inHook bool // a syscall handler is running
	closed bool
	fresh  Context // a new CPU's state, for reuse from the pool
}

// New creates an engine for 64-bit x86 code with no memory mapped.
func New(syscall SyscallHandler, fault FaultHandler) (*Unicorn, error) {
	if e := pool.get(); e != nil {
		e.onSyscall, e.onFault = syscall, fault
		e.closed = false
		return e, nil
	}
	u, err := uc.NewUnicorn(uc.ARCH_X86, uc.MODE_64)
	if err != nil {
		return nil, fmt.Errorf("unicorn: %w", err)
	}
	e := &Unicorn{u: u, onSyscall: syscall, onFault: fault}
	e.h = (*C.uc_engine)(unsafe.Pointer(u.Handle()))
	e.st = (*C.pd_state)(C.calloc(1, C.sizeof_pd_state))
	e.handle = cgo.NewHandle(e)
	e.st.handle = C.uintptr_t(e.handle)
	if rc := C.pd_install_hooks(e.h, e.st); rc != C.UC_ERR_OK {
		e.destroy()
		return nil, fmt.Errorf("unicorn: installing hooks: %w", uc.UcError(rc))
	}
	// The state of a new CPU, to give a recycled engine.
	if e.fresh, err = e.NewContext(); err != nil {
		e.destroy()
		return nil, err
	}
	e.Save(e.fresh)
	return e, nil
}

// Close releases the engine. Host memory mapped into it is not touched.
// The engine goes back to a pool, reset to a new CPU with nothing mapped
// and nothing translated, for the next New: creating one costs about half
// a millisecond, and fork and exec each need one.
func (e *Unicorn) Close() {
	if e.closed {
		return
	}
	e.closed = true
	e.untrace()
	e.onSyscall, e.onFault = nil, nil
	e.stopAsked.Store(false)
	e.interrupt.Store(false)
	if C.pd_reset(e.h, e.st) != C.UC_ERR_OK || !pool.put(e) {
		e.destroy()
	}
}

// destroy frees the engine for good.
func (e *Unicorn) destroy() {
	e.fresh.Free()
	e.u.Close()
	e.handle.Delete()
	C.free(unsafe.Pointer(e.st.blocks))
	C.free(unsafe.Pointer(e.st.steps))
	C.free(unsafe.Pointer(e.st))
}

// pool keeps reset engines for New, up to a bound that holds what a busy
// shell script creates and retires at once.
var pool enginePool

type enginePool struct {
	mu   sync.Mutex
	free []*Unicorn
}

const poolSize = 8

func (p *enginePool) get() *Unicorn {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.free)
	if n == 0 {
		return nil
	}
	e := p.free[n-1]
	p.free = p.free[:n-1]
	e.Restore(e.fresh)
	return e
}

func (p *enginePool) put(e *Unicorn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) == poolSize {
		return false
	}
	p.free = append(p.free, e)
	return true
}

// Map maps size bytes of host memory at host into the guest at addr. Both
// addr and size must be page aligned and the host memory must stay valid
// until Unmap.
func (e *Unicorn) Map(addr, size uint64, prot Prot, host unsafe.Pointer) error {
	if err := e.u.MemMapPtr(addr, size, int(prot), host); err != nil {
		return fmt.Errorf("map %#x+%#x: %w", addr, size, err)
	}
	return nil
}

// Unmap removes the guest mapping of [addr, addr+size), which must be exactly
// one or more whole regions created by Map.
func (e *Unicorn) Unmap(addr, size uint64) error {
	if err := e.u.MemUnmap(addr, size); err != nil {
		return fmt.Errorf("unmap %#x+%#x: %w", addr, size, err)
	}
	return nil
}

// Protect changes the protection of whole regions in [addr, addr+size).
func (e *Unicorn) Protect(addr, size uint64, prot Prot) error {
	if err := e.u.MemProtect(addr, size, int(prot)); err != nil {
		return fmt.Errorf("protect %#x+%#x: %w", addr, size, err)
	}
	return nil
}

// InvalidateCode drops translated code for [addr, addr+size): the kernel
// calls it after writing into memory that may hold code, so that the guest
// runs the new bytes.
func (e *Unicorn) InvalidateCode(addr, size uint64) {
	C.pd_remove_cache(e.h, C.uint64_t(addr), C.uint64_t(addr+size))
}

// Exit tells why Run returned.
type Exit struct {
	Kind   ExitKind
	Addr   uint64 // faulting address (ExitFault)
	Access Access // ExitFault
	Mapped bool   // ExitFault: the page exists but forbids the access
	Vector int    // ExitInterrupt: the CPU exception or int n vector
}

// ExitKind is the reason guest execution stopped.
type ExitKind int

// Exit kinds.
const (
	// ExitStop: Stop was called, by a syscall handler or another goroutine.
	ExitStop ExitKind = iota
	// ExitFault: a memory access the mappings do not allow.
	ExitFault
	// ExitInterrupt: a CPU exception (#DE, #BP, #GP, ...) or int n. RIP is at
	// the faulting instruction, or after it for int n and int3.
	ExitInterrupt
	// ExitInvalid: an instruction Unicorn cannot decode (#UD).
	ExitInvalid
	// ExitHalt: the guest executed hlt.
	ExitHalt
	// ExitDebug: a breakpoint was reached, or a single step ended (Debug).
	// RIP is at the instruction that has not run yet.
	ExitDebug
)

func (k ExitKind) String() string {
	return [...]string{"stop", "fault", "interrupt", "invalid instruction", "halt", "debug"}[k]
}

// Run executes guest code from pc until something stops it. A pending
// Interrupt makes it return ExitStop at once.
func (e *Unicorn) Run(pc uint64) Exit {
	e.st.exit = C.PD_EXIT_NONE
	e.st.fault_type = -1
	e.runMu.Lock()
	if e.interrupt.Swap(false) {
		e.stopAsked.Store(false)
		e.runMu.Unlock()
		e.SetPC(pc)
		return Exit{Kind: ExitStop}
	}
	e.running.Store(true)
	e.runMu.Unlock()
	var err error
	if rc := C.pd_run(e.h, e.st, C.uint64_t(pc)); rc != C.UC_ERR_OK {
		err = uc.UcError(rc)
	}
	e.flushTrace()
	e.runMu.Lock()
	e.running.Store(false)
	e.interrupt.Store(false)
	stopped := e.stopAsked.Swap(false)
	e.runMu.Unlock()
	if err != nil {
		var ue uc.UcError
		if errors.As(err, &ue) {
			switch ue {
			case uc.ERR_READ_UNMAPPED, uc.ERR_WRITE_UNMAPPED, uc.ERR_FETCH_UNMAPPED,
				uc.ERR_READ_PROT, uc.ERR_WRITE_PROT, uc.ERR_FETCH_PROT,
				uc.ERR_READ_UNALIGNED, uc.ERR_WRITE_UNALIGNED, uc.ERR_FETCH_UNALIGNED:
				return e.faultExit(ue)
			case uc.ERR_INSN_INVALID:
				return Exit{Kind: ExitInvalid}
			}
		}
		// Anything else is a Unicorn-internal failure; report it as an
		// invalid instruction so that the guest gets SIGILL rather than
		// paddock crashing.
		return Exit{Kind: ExitInvalid}
	}
	switch {
	case e.st.exit == C.PD_EXIT_DEBUG:
		return Exit{Kind: ExitDebug}
	case e.st.exit == C.PD_EXIT_INTR:
		return Exit{Kind: ExitInterrupt, Vector: int(e.st.intno)}
	case stopped:
		return Exit{Kind: ExitStop}
	}
	return Exit{Kind: ExitHalt}
}

func (e *Unicorn) faultExit(ue uc.UcError) Exit {
	x := Exit{Kind: ExitFault, Addr: uint64(e.st.fault_addr)}
	switch ue {
	case uc.ERR_WRITE_UNMAPPED, uc.ERR_WRITE_PROT, uc.ERR_WRITE_UNALIGNED:
		x.Access = Write
	case uc.ERR_FETCH_UNMAPPED, uc.ERR_FETCH_PROT, uc.ERR_FETCH_UNALIGNED:
		x.Access = Fetch
	default:
		x.Access = Read
	}
	x.Mapped = ue == uc.ERR_READ_PROT || ue == uc.ERR_WRITE_PROT || ue == uc.ERR_FETCH_PROT
	if e.st.fault_type < 0 && x.Access == Fetch {
		// Unicorn reports fetch faults found while translating without
		// calling the hook; the address is then RIP.
		x.Addr = e.PC()
	}
	return x
}

// RunCPU returns the CPU time the host thread spent in the last Run, the
// syscall handlers it called included.
func (e *Unicorn) RunCPU() time.Duration { return time.Duration(e.st.last_run_ns) }

// RunningCPU returns the CPU time the Run in progress has used so far, and
// false if the engine is not running. Any goroutine may call it.
func (e *Unicorn) RunningCPU() (time.Duration, bool) {
	ns := C.pd_run_cpu(e.st)
	if ns < 0 {
		return 0, false
	}
	return time.Duration(ns), true
}

// Stop makes Run return with ExitStop as soon as possible. It may be called
// from a syscall handler or from any other goroutine.
func (e *Unicorn) Stop() {
	e.runMu.Lock()
	e.stopRunningLocked()
	e.runMu.Unlock()
}

// stopRunningLocked asks the current run, if there is one, to stop. The
// caller holds runMu.
func (e *Unicorn) stopRunningLocked() {
	if e.running.Load() {
		e.stopAsked.Store(true)
		e.u.Stop()
	}
}

// Interrupt makes the current or next Run return with ExitStop; unlike a
// bare Stop it cannot be lost in the moment a run starts (Unicorn clears
// its stop flag when uc_emu_start begins), because it stays pending until a
// Run consumes it and is repeated while guest code keeps running. Any
// goroutine may call it.
func (e *Unicorn) Interrupt() {
	e.runMu.Lock()
	e.interrupt.Store(true)
	running := e.running.Load()
	e.stopRunningLocked()
	e.runMu.Unlock()
	if !running {
		return
	}
	go func() {
		for i := 0; i < 1000 && e.interrupt.Load() && e.running.Load(); i++ {
			time.Sleep(time.Millisecond)
			e.runMu.Lock()
			if e.interrupt.Load() {
				e.stopRunningLocked()
			}
			e.runMu.Unlock()
		}
	}()
}

//export goSyscall
func goSyscall(h C.uintptr_t) {
	e := cgo.Handle(h).Value().(*Unicorn)
	s := &e.st.sys
	e.inHook = true
	ret, set := e.onSyscall(e, uint64(s[0]),
		[6]uint64{uint64(s[1]), uint64(s[2]), uint64(s[3]), uint64(s[4]), uint64(s[5]), uint64(s[6])}, uint64(s[7]))
	e.inHook = false
	if set {
		e.st.ret = C.uint64_t(ret)
		e.st.set_ret = 1
	}
}

//export goUnmapped
func goUnmapped(h C.uintptr_t, addr C.uint64_t, size C.int, typ C.uc_mem_type) C.bool {
	e := cgo.Handle(h).Value().(*Unicorn)
	if e.onFault == nil {
		return false
	}
	access := Read
	switch typ {
	case C.UC_MEM_WRITE_UNMAPPED:
		access = Write
	case C.UC_MEM_FETCH_UNMAPPED:
		access = Fetch
	}
	return C.bool(e.onFault(uint64(addr), int(size), access))
}

//export goMemWrite
func goMemWrite(h C.uintptr_t, addr C.uint64_t, size C.int, value C.uint64_t) {
	e := cgo.Handle(h).Value().(*Unicorn)
	if e.onWrite != nil {
		e.onWrite(uint64(addr), int(size), uint64(value))
	}
}

// WatchWrites calls fn for every store the guest makes, on the goroutine
// that runs the engine, until the returned function removes the watch. It
// is for tracing: every store then takes Unicorn's slow path. Call it and
// the remover only while the engine is not running.
func (e *Unicorn) WatchWrites(fn func(addr uint64, size int, value uint64)) (remove func(), err error) {
	var h C.uc_hook
	if rc := C.pd_watch_writes(e.h, e.st, &h); rc != C.UC_ERR_OK {
		return nil, uc.UcError(rc)
	}
	e.onWrite = fn
	return func() {
		C.pd_unwatch(e.h, h)
		e.onWrite = nil
	}, nil
}
