package kernel

import (
	"encoding/binary"

	"paddock/abi"
	"paddock/emu/cpu"
)

var le = binary.LittleEndian

// faultInfo is what a CPU fault adds to the sigcontext of the signal it
// raises.
type faultInfo struct {
	trapno, err, cr2 uint64
}

// eflagsUser are the flags rt_sigreturn takes from the frame (FIX_EFLAGS in
// arch/x86/kernel/signal.c): AC OF DF TF SF ZF AF PF CF RF.
const eflagsUser = 1<<18 | 1<<11 | 1<<10 | 1<<8 | 1<<7 | 1<<6 | 1<<4 | 1<<2 | 1<<0 | 1<<16

// fpInit is the FXSAVE image of the FPU's initial state: FCW 0x37f, MXCSR
// 0x1f80, everything else empty or zero. A handler starts with it.
var fpInit = func() []byte {
	b := make([]byte, cpu.FXSaveSize)
	le.PutUint16(b[0:], 0x37f)
	le.PutUint32(b[24:], 0x1f80)
	le.PutUint32(b[28:], 0xffff)
	return b
}()

// setupFrame pushes an rt_sigframe for info on the task's stack (or its
// alternate stack) and points the registers at the handler, as Linux's
// setup_rt_frame does.
func (t *Task) setupFrame(info abi.Siginfo, act abi.SigAction) error {
	if act.Flags&abi.SA_RESTORER == 0 {
		// x86_64 has no vDSO trampoline to fall back on.
		return abi.EFAULT
	}
	eng := t.mm.eng
	var r cpu.Regs
	eng.Regs(&r)
	k := t.k
	k.mu.Lock()
	alt := t.altStack
	onAlt := t.onAltStack(r.RSP)
	oldMask := t.sigMask
	if t.savedMask != nil {
		oldMask = *t.savedMask
		t.savedMask = nil
	}
	k.mu.Unlock()

	// get_sigframe: below the red zone, or at the top of the alternate
	// stack; then the FPU state, 64-byte aligned; then the frame, aligned so
	// that RSP+8 is a multiple of 16 at the handler's entry.
	sp := r.RSP - 128
	switchedToAlt := false
	if act.Flags&abi.SA_ONSTACK != 0 && alt.Size != 0 && !onAlt {
		sp = alt.Sp + alt.Size
		switchedToAlt = true
	}
	fpAddr := (sp - cpu.FXSaveSize) &^ 63
	frame := ((fpAddr - abi.SizeofRtSigframe) &^ 15) - 8

	fx := eng.FXSave()
	if err := t.CopyOut(fpAddr, fx); err != nil {
		return err
	}
	b := make([]byte, abi.SizeofRtSigframe)
	le.PutUint64(b[0:], act.Restorer)
	uc := b[abi.RtSigframeUC:]
	le.PutUint64(uc[0:], abi.UC_SIGCONTEXT_SS|abi.UC_STRICT_RESTORE_SS)
	ssFlags := int32(0)
	switch {
	case alt.Size == 0:
		ssFlags = abi.SS_DISABLE
	case onAlt:
		ssFlags = abi.SS_ONSTACK
	}
	abi.StackT{Sp: alt.Sp, Flags: ssFlags | alt.Flags, Size: alt.Size}.Encode(uc[abi.UContextStack:])
	sc := abi.Sigcontext{R8: r.R8, R9: r.R9, R10: r.R10, R11: r.R11, R12: r.R12, R13: r.R13, R14: r.R14, R15: r.R15,
		RDI: r.RDI, RSI: r.RSI, RBP: r.RBP, RBX: r.RBX, RDX: r.RDX, RAX: r.RAX, RCX: r.RCX, RSP: r.RSP, RIP: r.RIP,
		Eflags: r.RFLAGS, CS: abi.UserCS, SS: abi.UserDS, Oldmask: uint64(oldMask), Fpstate: fpAddr}
	if f := t.lastFault; f != nil && synchronous.Has(info.Signo) {
		sc.Err, sc.Trapno, sc.CR2 = f.err, f.trapno, f.cr2
		t.lastFault = nil
	}
	sc.Encode(uc[abi.UContextMcontext:])
	le.PutUint64(uc[abi.UContextSigmask:], uint64(oldMask))
	info.Encode(b[abi.RtSigframeInfo:])
	if err := t.CopyOut(frame, b); err != nil {
		return err
	}

	r.RDI = uint64(info.Signo)
	r.RSI = frame + abi.RtSigframeInfo
	r.RDX = frame + abi.RtSigframeUC
	r.RAX = 0
	r.RSP = frame
	r.RIP = act.Handler
	r.RFLAGS &^= 1<<10 | 1<<8 | 1<<16 // DF, TF, RF
	eng.SetRegs(&r)
	eng.FXRstor(fpInit)

	k.mu.Lock()
	t.sigMask = oldMask | act.Mask
	if act.Flags&abi.SA_NODEFER == 0 {
		t.sigMask |= abi.SigSetOf(info.Signo)
	}
	t.sigMask &^= abi.UnblockableSignals
	if act.Flags&abi.SA_RESETHAND != 0 {
		t.proc.sighand.actions[info.Signo-1] = abi.SigAction{}
	}
	if switchedToAlt && alt.Flags&abi.SS_AUTODISARM != 0 {
		t.altStack = abi.StackT{}
	}
	k.mu.Unlock()
	return nil
}

// Sigreturn implements rt_sigreturn(2): the registers, FPU state, signal
// mask and alternate stack come back from the frame the handler returned
// through. A frame that cannot be read is fatal (SIGSEGV), as on Linux.
func (t *Task) Sigreturn() error {
	eng := t.mm.eng
	frame := eng.Reg(cpu.RSP) - 8
	b := make([]byte, abi.SizeofRtSigframe)
	if err := t.CopyIn(frame, b); err != nil {
		t.k.forceSignal(t, abi.Siginfo{Signo: abi.SIGSEGV, Code: abi.SI_KERNEL})
		return err
	}
	uc := b[abi.RtSigframeUC:]
	sc := abi.DecodeSigcontext(uc[abi.UContextMcontext:])
	var r cpu.Regs
	eng.Regs(&r)
	r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15 = sc.R8, sc.R9, sc.R10, sc.R11, sc.R12, sc.R13, sc.R14, sc.R15
	r.RDI, r.RSI, r.RBP, r.RBX, r.RDX, r.RAX, r.RCX, r.RSP = sc.RDI, sc.RSI, sc.RBP, sc.RBX, sc.RDX, sc.RAX, sc.RCX, sc.RSP
	r.RIP = sc.RIP
	r.RFLAGS = r.RFLAGS&^eflagsUser | sc.Eflags&eflagsUser
	if fp := sc.Fpstate; fp != 0 {
		fx := make([]byte, cpu.FXSaveSize)
		if err := t.CopyIn(fp, fx); err != nil {
			t.k.forceSignal(t, abi.Siginfo{Signo: abi.SIGSEGV, Code: abi.SI_KERNEL})
			return err
		}
		eng.FXRstor(fx)
	} else {
		eng.FXRstor(fpInit)
	}
	eng.SetRegs(&r)
	t.SetSigMask(abi.SigSet(le.Uint64(uc[abi.UContextSigmask:])))
	// restore_altstack: only EFAULT would matter, and the frame was read.
	t.SetAltStack(abi.DecodeStackT(uc[abi.UContextStack:]))
	t.call.regsSet = true
	return nil
}

// fault turns a CPU exit into the signal Linux raises for it: the same
// signal, si_code and si_addr, and the trap number, error code and CR2 the
// handler's sigcontext shows (arch/x86/kernel/traps.c, mm/fault.c).
func (t *Task) fault(x cpu.Exit) {
	eng := t.mm.eng
	pc := eng.PC()
	info := abi.Siginfo{Signo: abi.SIGSEGV, Code: abi.SI_KERNEL}
	f := &faultInfo{}
	switch x.Kind {
	case cpu.ExitFault:
		// A page fault: error code bits present, write, user,
		// instruction fetch. Linux keeps PROT_NONE pages out of the page
		// tables, so a fault on one is "not present" though the mapping
		// exists; paddock takes every other mapped page as present, as it
		// is in Linux once touched.
		f.trapno, f.cr2 = 14, x.Addr
		f.err = 4
		info.Code = abi.SEGV_MAPERR
		if x.Mapped {
			info.Code = abi.SEGV_ACCERR
			if prot, ok := t.mm.as.Prot(x.Addr); ok && prot != abi.PROT_NONE {
				f.err |= 1
			}
		}
		switch x.Access {
		case cpu.Write:
			f.err |= 2
		case cpu.Fetch:
			f.err |= 16
		}
		info.SetAddr(x.Addr)
	case cpu.ExitInvalid:
		f.trapno = 6
		info = abi.Siginfo{Signo: abi.SIGILL, Code: abi.ILL_ILLOPN}
		info.SetAddr(pc)
	case cpu.ExitHalt:
		// hlt is privileged: a general protection fault at the hlt.
		f.trapno = 13
		eng.SetPC(pc - 1)
	case cpu.ExitInterrupt:
		f.trapno = uint64(x.Vector)
		switch x.Vector {
		case 0: // #DE
			info = abi.Siginfo{Signo: abi.SIGFPE, Code: abi.FPE_INTDIV}
			info.SetAddr(pc)
		case 1: // #DB
			info = abi.Siginfo{Signo: abi.SIGTRAP, Code: abi.TRAP_BRKPT}
		case 3: // int3
			info = abi.Siginfo{Signo: abi.SIGTRAP, Code: abi.SI_KERNEL}
		case 6: // #UD
			info = abi.Siginfo{Signo: abi.SIGILL, Code: abi.ILL_ILLOPN}
			info.SetAddr(pc)
		case 16, 19: // #MF, #XM
			info = abi.Siginfo{Signo: abi.SIGFPE}
			info.SetAddr(pc)
		case 17: // #AC
			info = abi.Siginfo{Signo: abi.SIGBUS, Code: abi.BUS_ADRALN}
		default:
			// #OF, #BR, #GP and software interrupts without a user gate
			// (int 0x80 included) end as SIGSEGV from the kernel.
			f.trapno = 13
			if x.Vector != 4 && x.Vector != 5 {
				f.err = uint64(x.Vector)<<3 | 2
				if x.Vector > 31 {
					// int n leaves RIP after the instruction; the
					// fault points at it (int n is two bytes).
					eng.SetPC(pc - 2)
				}
			}
		}
	}
	t.lastFault = f
	t.k.forceSignal(t, info)
}
