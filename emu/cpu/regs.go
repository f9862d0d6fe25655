package cpu

import (
	uc "github.com/unicorn-engine/unicorn/bindings/go/unicorn"
)

// Regs is the general-purpose register state of a guest thread.
type Regs struct {
	RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP uint64
	R8, R9, R10, R11, R12, R13, R14, R15   uint64
	RIP, RFLAGS                            uint64
	FSBase, GSBase                         uint64
}

// regIDs lists the Unicorn ids of Regs' fields, in field order, RIP last so
// that SetRegs can write it on its own.
var regIDs = []int{
	uc.X86_REG_RAX, uc.X86_REG_RBX, uc.X86_REG_RCX, uc.X86_REG_RDX,
	uc.X86_REG_RSI, uc.X86_REG_RDI, uc.X86_REG_RBP, uc.X86_REG_RSP,
	uc.X86_REG_R8, uc.X86_REG_R9, uc.X86_REG_R10, uc.X86_REG_R11,
	uc.X86_REG_R12, uc.X86_REG_R13, uc.X86_REG_R14, uc.X86_REG_R15,
	uc.X86_REG_EFLAGS, uc.X86_REG_FS_BASE, uc.X86_REG_GS_BASE,
	uc.X86_REG_RIP,
}

func (r *Regs) slice() []uint64 {
	return []uint64{r.RAX, r.RBX, r.RCX, r.RDX, r.RSI, r.RDI, r.RBP, r.RSP,
		r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15,
		r.RFLAGS, r.FSBase, r.GSBase, r.RIP}
}

func (r *Regs) set(v []uint64) {
	r.RAX, r.RBX, r.RCX, r.RDX, r.RSI, r.RDI, r.RBP, r.RSP = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15 = v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]
	r.RFLAGS, r.FSBase, r.GSBase, r.RIP = v[16], v[17], v[18], v[19]
}

// Regs reads all general-purpose registers. Inside a syscall handler RIP is
// the address after the syscall instruction, where the guest resumes.
func (e *Unicorn) Regs(r *Regs) {
	v, err := e.u.RegReadBatch(regIDs)
	if err != nil {
		panic("cpu: reading registers: " + err.Error())
	}
	r.set(v)
	if e.inHook {
		r.RIP += syscallInsnLen
	}
}

// SetRegs writes all general-purpose registers.
func (e *Unicorn) SetRegs(r *Regs) {
	v := r.slice()
	if err := e.u.RegWriteBatch(regIDs[:len(regIDs)-1], v[:len(v)-1]); err != nil {
		panic("cpu: writing registers: " + err.Error())
	}
	e.SetPC(r.RIP)
}

// syscallInsnLen is the length of the syscall instruction (0f 05).
const syscallInsnLen = 2

// PC returns RIP. Inside a syscall handler it is the address after the
// syscall instruction.
func (e *Unicorn) PC() uint64 {
	pc, _ := e.u.RegRead(uc.X86_REG_RIP)
	if e.inHook {
		pc += syscallInsnLen
	}
	return pc
}

// SetPC sets RIP. Inside a syscall handler Unicorn adds the syscall
// instruction's length to RIP after the hook returns (helper_syscall in
// target/i386/seg_helper.c), so the value written is pc minus that length;
// the write also makes Unicorn leave the current translation block.
func (e *Unicorn) SetPC(pc uint64) {
	v := pc
	if e.inHook {
		v -= syscallInsnLen
	}
	if err := e.u.RegWrite(uc.X86_REG_RIP, v); err != nil {
		panic("cpu: writing RIP: " + err.Error())
	}
}

// Reg names one register for Reg and SetReg.
type Reg int

// Registers accessible one at a time.
const (
	RAX    Reg = uc.X86_REG_RAX
	RCX    Reg = uc.X86_REG_RCX
	RBX    Reg = uc.X86_REG_RBX
	RSP    Reg = uc.X86_REG_RSP
	RDI    Reg = uc.X86_REG_RDI
	RSI    Reg = uc.X86_REG_RSI
	RDX    Reg = uc.X86_REG_RDX
	FSBase Reg = uc.X86_REG_FS_BASE
	GSBase Reg = uc.X86_REG_GS_BASE
)

// Reg reads one register (not RIP: use PC).
func (e *Unicorn) Reg(r Reg) uint64 {
	v, err := e.u.RegRead(int(r))
	if err != nil {
		panic("cpu: reading register: " + err.Error())
	}
	return v
}

// SetReg writes one register (not RIP: use SetPC).
func (e *Unicorn) SetReg(r Reg, v uint64) {
	if err := e.u.RegWrite(int(r), v); err != nil {
		panic("cpu: writing register: " + err.Error())
	}
}

// ResetFPU puts the x87 and SSE state where Linux starts a new program
// (fpu__init_cpu / fninit): control word 0x37f (64-bit precision, all
// exceptions masked), empty register stack, MXCSR 0x1f80. A fresh Unicorn
// engine has zeros there, which means single precision and unmasked
// exceptions, and makes printf of a double print the wrong digits.
func (e *Unicorn) ResetFPU() {
	for _, r := range []struct {
		id  int
		val uint64
	}{{uc.X86_REG_FPCW, 0x37f}, {uc.X86_REG_FPSW, 0}, {uc.X86_REG_FPTAG, 0xffff}, {uc.X86_REG_MXCSR, 0x1f80}} {
		if err := e.u.RegWrite(r.id, r.val); err != nil {
			panic("cpu: resetting the FPU: " + err.Error())
		}
	}
}
