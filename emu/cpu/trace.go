package cpu

/*
#include <stdlib.h>
#include "hooks.h"
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"

	uc "github.com/unicorn-engine/unicorn/bindings/go/unicorn"
)

// Block is a basic block the guest executed: its address and length in
// bytes. A block is reported when it starts, so a fault inside it ends it
// early.
type Block struct {
	Addr uint64
	Size uint32
	_    uint32
}

// NumStepRegs is the number of registers a Step records.
const NumStepRegs = C.PD_STEP_REGS

// StepRegNames names Step.Regs in order.
var StepRegNames = [NumStepRegs]string{"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rflags"}

// Step is an instruction about to execute, with the registers before it:
// the difference between two steps is what the first instruction changed.
type Step struct {
	Addr uint64
	Regs [NumStepRegs]uint64
}

// The C records and the Go types must agree byte for byte.
var (
	_ [unsafe.Sizeof(Block{}) - C.sizeof_pd_block]byte
	_ [C.sizeof_pd_block - unsafe.Sizeof(Block{})]byte
	_ [unsafe.Sizeof(Step{}) - C.sizeof_pd_step]byte
	_ [C.sizeof_pd_step - unsafe.Sizeof(Step{})]byte
)

// tracing is an engine's trace hooks and their consumers.
type tracing struct {
	blocks    func([]Block)
	steps     func([]Step)
	blockHook C.uc_hook
	stepHook  C.uc_hook
	hasBlocks bool
	hasSteps  bool
}

// TraceBlocks calls fn with the blocks the guest executes, in order, in
// batches: when the buffer fills and when a run ends. The slice is valid
// only during the call. Tracing blocks costs one C call per block, not per
// instruction, and lasts until Close. Call it before the engine runs code:
// blocks translated earlier would not report.
func (e *Unicorn) TraceBlocks(fn func([]Block)) error {
	if rc := C.pd_trace_blocks(e.h, e.st, &e.trace.blockHook); rc != C.UC_ERR_OK {
		return uc.UcError(rc)
	}
	e.trace.blocks, e.trace.hasBlocks = fn, true
	return nil
}

// TraceSteps calls fn with every instruction the guest executes and the
// registers before it, in batches as TraceBlocks does. It costs a register
// read per instruction: it is for tracing what instructions change.
func (e *Unicorn) TraceSteps(fn func([]Step)) error {
	if rc := C.pd_trace_steps(e.h, e.st, &e.trace.stepHook); rc != C.UC_ERR_OK {
		return uc.UcError(rc)
	}
	e.trace.steps, e.trace.hasSteps = fn, true
	return nil
}

// flushTrace hands the buffered records to their consumers.
func (e *Unicorn) flushTrace() {
	if n := int(e.st.nblocks); n > 0 {
		e.st.nblocks = 0
		if e.trace.blocks != nil {
			e.trace.blocks(unsafe.Slice((*Block)(unsafe.Pointer(e.st.blocks)), n))
		}
	}
	if n := int(e.st.nsteps); n > 0 {
		e.st.nsteps = 0
		if e.trace.steps != nil {
			e.trace.steps(unsafe.Slice((*Step)(unsafe.Pointer(e.st.steps)), n))
		}
	}
}

// untrace removes the trace hooks (Close), dropping what is buffered.
func (e *Unicorn) untrace() {
	if e.trace.hasBlocks {
		C.pd_unwatch(e.h, e.trace.blockHook)
	}
	if e.trace.hasSteps {
		C.pd_unwatch(e.h, e.trace.stepHook)
	}
	e.st.nblocks, e.st.nsteps = 0, 0
	e.trace = tracing{}
}

//export goTraceFull
func goTraceFull(h C.uintptr_t) {
	cgo.Handle(h).Value().(*Unicorn).flushTrace()
}
