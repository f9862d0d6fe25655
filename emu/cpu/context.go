package cpu

/*
#include <stdlib.h>
#include "hooks.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// ucContext is a Unicorn context: the whole CPU state.
type ucContext struct {
	p *C.uc_context
}

// NewContext allocates a context for this engine's CPU type. Free releases
// it.
func (e *Unicorn) NewContext() (Context, error) {
	var p *C.uc_context
	if rc := C.uc_context_alloc(e.h, &p); rc != C.UC_ERR_OK {
		return nil, fmt.Errorf("unicorn: allocating a context: error %d", int(rc))
	}
	return &ucContext{p}, nil
}

// Free releases the context.
func (c *ucContext) Free() {
	if c != nil && c.p != nil {
		C.uc_free(unsafe.Pointer(c.p))
		c.p = nil
	}
}

// Save stores the engine's CPU state into c. Inside a syscall handler the
// saved RIP is the syscall instruction's own address.
func (e *Unicorn) Save(ctx Context) {
	c := ctx.(*ucContext)
	if rc := C.uc_context_save(e.h, c.p); rc != C.UC_ERR_OK {
		panic(fmt.Sprintf("cpu: saving a context: error %d", int(rc)))
	}
}

// Restore loads c into the engine. A context saved on another engine of
// the same kind may be restored (fork does).
func (e *Unicorn) Restore(ctx Context) {
	c := ctx.(*ucContext)
	if rc := C.uc_context_restore(e.h, c.p); rc != C.UC_ERR_OK {
		panic(fmt.Sprintf("cpu: restoring a context: error %d", int(rc)))
	}
}

// FXSaveSize is the size of an FXSAVE image.
const FXSaveSize = 512

// FXSave returns the x87 and SSE state in FXSAVE's 64-bit layout, the
// format of the fpstate Linux puts in a signal frame.
func (e *Unicorn) FXSave() []byte {
	b := make([]byte, FXSaveSize)
	C.pd_fxsave(e.h, (*C.uint8_t)(unsafe.Pointer(&b[0])))
	return b
}

// FXRstor loads an FXSAVE image (rt_sigreturn).
func (e *Unicorn) FXRstor(b []byte) {
	if len(b) < FXSaveSize {
		panic("cpu: short FXSAVE image")
	}
	C.pd_fxrstor(e.h, (*C.uint8_t)(unsafe.Pointer(&b[0])))
}

// Regs reads the general-purpose registers saved in c.
func (c *ucContext) Regs(r *Regs) {
	v := make([]uint64, len(regIDs))
	for i, id := range regIDs {
		var x C.uint64_t
		C.uc_context_reg_read(c.p, C.int(id), unsafe.Pointer(&x))
		v[i] = uint64(x)
	}
	r.set(v)
}
