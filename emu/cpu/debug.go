package cpu

/*
#include "hooks.h"
*/
import "C"

import (
	"fmt"

	uc "github.com/unicorn-engine/unicorn/bindings/go/unicorn"
)

// MaxBreakpoints is the most breakpoints SetBreakpoints takes.
const MaxBreakpoints = C.PD_MAX_BREAKPOINTS

// Debug makes the engine stoppable at breakpoints and after single steps,
// for a debugger: Run then returns ExitDebug. It costs a C call per
// instruction. Call it before the engine runs code.
func (e *Unicorn) Debug() error {
	var h C.uc_hook
	if rc := C.pd_debug(e.h, e.st, &h); rc != C.UC_ERR_OK {
		return uc.UcError(rc)
	}
	return nil
}

// SetBreakpoints replaces the breakpoint addresses.
func (e *Unicorn) SetBreakpoints(addrs []uint64) error {
	if len(addrs) > MaxBreakpoints {
		return fmt.Errorf("at most %d breakpoints", MaxBreakpoints)
	}
	for i, a := range addrs {
		e.st.bps[i] = C.uint64_t(a)
	}
	e.st.nbps = C.int32_t(len(addrs))
	return nil
}

// Step makes the next Run execute the instruction at the PC and return
// ExitDebug before the next one at another address (unless something else
// stops it first). An instruction that jumps to itself, or a rep string
// instruction, runs on until it ends.
func (e *Unicorn) Step() {
	e.st.step, e.st.step_from = 1, C.uint64_t(e.PC())
}

// PassBreakpoint lets the next Run execute the instruction at pc even if a
// breakpoint is set there (the one a resumed thread stands on): the
// breakpoint counts again once execution has left pc.
func (e *Unicorn) PassBreakpoint(pc uint64) { e.st.skip = C.uint64_t(pc) }
