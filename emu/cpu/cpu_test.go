package cpu

import (
	"bytes"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

const (
	codeAddr = 0x400000
	dataAddr = 0x600000
)

// newTestEngine maps code at codeAddr (r-x) and one zeroed data page at
// dataAddr (rw-).
func newTestEngine(t *testing.T, code []byte, sys SyscallHandler, fault FaultHandler) (*Unicorn, []byte) {
	t.Helper()
	e, err := New(sys, fault)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	mem, err := syscall.Mmap(-1, 0, 0x2000, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	copy(mem, code)
	if err := e.Map(codeAddr, 0x1000, ProtRead|ProtExec, unsafe.Pointer(&mem[0])); err != nil {
		t.Fatal(err)
	}
	if err := e.Map(dataAddr, 0x1000, ProtRead|ProtWrite, unsafe.Pointer(&mem[0x1000])); err != nil {
		t.Fatal(err)
	}
	return e, mem[0x1000:]
}

func TestExits(t *testing.T) {
	cases := []struct {
		name   string
		code   []byte
		rsi    uint64
		want   Exit
		wantPC uint64
	}{
		{"halt", []byte{0x90, 0xf4}, 0, Exit{Kind: ExitHalt}, codeAddr + 2},
		// mov [rsi], rax with rsi unmapped
		{"write unmapped", []byte{0x48, 0x89, 0x06}, 0x800000, Exit{Kind: ExitFault, Addr: 0x800000, Access: Write}, codeAddr},
		// mov [rsi], rax into the code page
		{"write protected", []byte{0x90, 0x48, 0x89, 0x06}, codeAddr, Exit{Kind: ExitFault, Addr: codeAddr, Access: Write, Mapped: true}, codeAddr + 1},
		// movabs rax, imm; movq xmm0, rax; mov r14, 3; xor eax, eax;
		// mov [rax], rax: the PC is the store's, not the block's start.
		{"write unmapped late in a block", []byte{0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
			0x66, 0x48, 0x0f, 0x6e, 0xc0, 0x49, 0xc7, 0xc6, 0x03, 0x00, 0x00, 0x00, 0x31, 0xc0, 0x48, 0x89, 0x00},
			0, Exit{Kind: ExitFault, Addr: 0, Access: Write}, codeAddr + 24},
		// mov rax, [rsi]
		{"read unmapped", []byte{0x48, 0x8b, 0x06}, 0x10, Exit{Kind: ExitFault, Addr: 0x10, Access: Read}, codeAddr},
		// jmp rsi into the data page (mapped without exec)
		{"fetch no exec", []byte{0xff, 0xe6}, dataAddr, Exit{Kind: ExitFault, Addr: dataAddr, Access: Fetch, Mapped: true}, dataAddr},
		// xor ecx,ecx; div rcx
		{"divide error", []byte{0x31, 0xc9, 0x48, 0xf7, 0xf1}, 0, Exit{Kind: ExitInterrupt, Vector: 0}, codeAddr + 2},
		// mov eax, 0x80000000; mov ecx, -1; cdq; idiv ecx: the quotient
		// overflows, which is a divide error too.
		{"divide overflow", []byte{0xb8, 0x00, 0x00, 0x00, 0x80, 0xb9, 0xff, 0xff, 0xff, 0xff, 0x99, 0xf7, 0xf9}, 0,
			Exit{Kind: ExitInterrupt, Vector: 0}, codeAddr + 11},
		// mov eax, 5; xor edx, edx; xor ecx, ecx; idiv ecx
		{"signed divide by zero", []byte{0xb8, 0x05, 0, 0, 0, 0x31, 0xd2, 0x31, 0xc9, 0xf7, 0xf9}, 0,
			Exit{Kind: ExitInterrupt, Vector: 0}, codeAddr + 9},
		// int3: RIP is after it, as Linux reports for SIGTRAP
		{"breakpoint", []byte{0xcc}, 0, Exit{Kind: ExitInterrupt, Vector: 3}, codeAddr + 1},
		// ud2
		{"invalid", []byte{0x0f, 0x0b}, 0, Exit{Kind: ExitInvalid}, codeAddr},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _ := newTestEngine(t, c.code, IgnoreSyscalls, nil)
			e.SetReg(RSI, c.rsi)
			got := e.Run(codeAddr)
			if got != c.want {
				t.Errorf("exit = %+v, want %+v", got, c.want)
			}
			if pc := e.PC(); pc != c.wantPC {
				t.Errorf("pc = %#x, want %#x", pc, c.wantPC)
			}
		})
	}
}

func TestSyscall(t *testing.T) {
	// mov eax, 39; mov edi, 1; mov esi, 2; mov edx, 3; mov r10d, 4; mov r8d, 5;
	// mov r9d, 6; syscall; mov [0x600000], rax; hlt
	code := []byte{
		0xb8, 39, 0, 0, 0, 0xbf, 1, 0, 0, 0, 0xbe, 2, 0, 0, 0, 0xba, 3, 0, 0, 0,
		0x41, 0xba, 4, 0, 0, 0, 0x41, 0xb8, 5, 0, 0, 0, 0x41, 0xb9, 6, 0, 0, 0,
		0x0f, 0x05,
		0x48, 0x89, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
		0xf4,
	}
	var nr uint64
	var args [6]uint64
	var pc, regsPC uint64
	e, data := newTestEngine(t, code, func(e Engine, n uint64, a [6]uint64, at uint64) (uint64, bool) {
		nr, args, pc = n, a, at
		var r Regs
		e.Regs(&r)
		regsPC = r.RIP
		return 1234, true
	}, nil)
	if x := e.Run(codeAddr); x.Kind != ExitHalt {
		t.Fatalf("exit %+v", x)
	}
	if nr != 39 || args != [6]uint64{1, 2, 3, 4, 5, 6} {
		t.Errorf("syscall %d %v", nr, args)
	}
	if pc != codeAddr+38 || regsPC != codeAddr+40 {
		t.Errorf("pc at syscall %#x, Regs.RIP %#x", pc, regsPC)
	}
	if got := *(*uint64)(unsafe.Pointer(&data[0])); got != 1234 {
		t.Errorf("rax after syscall = %d", got)
	}
}

func TestSetPCInSyscall(t *testing.T) {
	// syscall; mov ebx, 7; hlt; nop; nop; nop; target: mov ebx, 9; hlt
	code := []byte{0x0f, 0x05, 0xbb, 7, 0, 0, 0, 0xf4, 0x90, 0x90, 0x90, 0x90, 0xbb, 9, 0, 0, 0, 0xf4}
	e, _ := newTestEngine(t, code, func(e Engine, _ uint64, _ [6]uint64, _ uint64) (uint64, bool) {
		e.SetPC(codeAddr + 12)
		if got := e.PC(); got != codeAddr+12 {
			t.Errorf("PC() after SetPC = %#x", got)
		}
		return 0, false
	}, nil)
	if x := e.Run(codeAddr); x.Kind != ExitHalt {
		t.Fatalf("exit %+v", x)
	}
	var r Regs
	e.Regs(&r)
	if r.RBX != 9 || r.RIP != codeAddr+18 {
		t.Errorf("rbx = %d, rip = %#x: the jump from the syscall handler went astray", r.RBX, r.RIP)
	}
}

func TestStopFromHandlerAndResume(t *testing.T) {
	// syscall; inc rbx; syscall; inc rbx; hlt
	code := []byte{0x0f, 0x05, 0x48, 0xff, 0xc3, 0x0f, 0x05, 0x48, 0xff, 0xc3, 0xf4}
	calls := 0
	e, _ := newTestEngine(t, code, func(e Engine, _ uint64, _ [6]uint64, _ uint64) (uint64, bool) {
		calls++
		e.Stop()
		return 0, false
	}, nil)
	x := e.Run(codeAddr)
	if x.Kind != ExitStop || e.PC() != codeAddr+2 {
		t.Fatalf("first stop: %+v at %#x", x, e.PC())
	}
	x = e.Run(e.PC())
	if x.Kind != ExitStop || e.PC() != codeAddr+7 || calls != 2 {
		t.Fatalf("second stop: %+v at %#x after %d calls", x, e.PC(), calls)
	}
	if x = e.Run(e.PC()); x.Kind != ExitHalt {
		t.Fatalf("final: %+v", x)
	}
	var r Regs
	e.Regs(&r)
	if r.RBX != 2 {
		t.Errorf("rbx = %d", r.RBX)
	}
}

// TestStopFromOtherGoroutine stops spinning guests from another
// goroutine. The stop is seen by the exit-request test at the start of
// each block (Unicorn patch 0007), also in loops whose memory accesses no
// longer test it themselves (patch 0008).
func TestStopFromOtherGoroutine(t *testing.T) {
	cases := []struct {
		name string
		code []byte
	}{
		{"jmp to itself", []byte{0xeb, 0xfe}},
		// loop: mov [rsi], rax; mov rax, [rsi]; inc rax; jmp loop
		{"loads and stores", []byte{0x48, 0x89, 0x06, 0x48, 0x8b, 0x06, 0x48, 0xff, 0xc0, 0xeb, 0xf5}},
		// loop: call f; jmp loop; f: ret
		{"calls", []byte{0xe8, 0x02, 0x00, 0x00, 0x00, 0xeb, 0xf9, 0xc3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _ := newTestEngine(t, c.code, IgnoreSyscalls, nil)
			e.SetReg(RSI, dataAddr)
			e.SetReg(RSP, dataAddr+0x800)
			go func() {
				time.Sleep(20 * time.Millisecond)
				e.Stop()
			}()
			done := make(chan Exit)
			go func() { done <- e.Run(codeAddr) }()
			select {
			case x := <-done:
				if x.Kind != ExitStop {
					t.Errorf("exit %+v", x)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Stop did not interrupt a spinning guest")
			}
		})
	}
}

func TestFaultHandlerMapsAndRetries(t *testing.T) {
	// mov [rsi], rax; hlt
	code := []byte{0x48, 0x89, 0x06, 0xf4}
	extra, _ := syscall.Mmap(-1, 0, 0x1000, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	defer syscall.Munmap(extra)
	var e *Unicorn
	e, _ = newTestEngine(t, code, IgnoreSyscalls, func(addr uint64, size int, a Access) bool {
		if a != Write || addr != 0x700ff8 {
			return false
		}
		return e.Map(0x700000, 0x1000, ProtRead|ProtWrite, unsafe.Pointer(&extra[0])) == nil
	})
	e.SetReg(RAX, 77)
	e.SetReg(RSI, 0x700ff8)
	if x := e.Run(codeAddr); x.Kind != ExitHalt {
		t.Fatalf("exit %+v", x)
	}
	if got := *(*uint64)(unsafe.Pointer(&extra[0xff8])); got != 77 {
		t.Errorf("retried store wrote %d", got)
	}
}

func TestInvalidateCode(t *testing.T) {
	// mov eax, 1; hlt -- then rewritten to mov eax, 2; hlt
	code := []byte{0xb8, 1, 0, 0, 0, 0xf4}
	e, err := New(IgnoreSyscalls, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	mem, _ := syscall.Mmap(-1, 0, 0x1000, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	defer syscall.Munmap(mem)
	copy(mem, code)
	e.Map(codeAddr, 0x1000, ProtRead|ProtExec, unsafe.Pointer(&mem[0]))
	e.Run(codeAddr)
	mem[1] = 2
	e.InvalidateCode(codeAddr, 0x1000)
	e.Run(codeAddr)
	if got := e.Reg(RAX); got != 2 {
		t.Errorf("rax = %d: stale translation ran", got)
	}
}

func BenchmarkSyscallRoundTrip(b *testing.B) {
	// loop: mov eax, 110; syscall; dec rcx; jnz loop; hlt
	code := []byte{0xb8, 110, 0, 0, 0, 0x0f, 0x05, 0x48, 0xff, 0xc9, 0x75, 0xf4, 0xf4}
	e, err := New(func(Engine, uint64, [6]uint64, uint64) (uint64, bool) { return 1, true }, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	mem, _ := syscall.Mmap(-1, 0, 0x1000, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	defer syscall.Munmap(mem)
	copy(mem, code)
	e.Map(codeAddr, 0x1000, ProtRead|ProtExec, unsafe.Pointer(&mem[0]))
	e.SetReg(RCX, uint64(b.N))
	b.ResetTimer()
	e.Run(codeAddr)
}

func TestCPUIDHasNoAVX(t *testing.T) {
	r := CPUID1()
	const sse2, avx, osxsave = 1 << 26, 1 << 28, 1 << 27
	if r.EDX&sse2 == 0 {
		t.Errorf("CPUID.1:EDX = %#x lacks SSE2, which every x86_64 guest needs", r.EDX)
	}
	if r.ECX&avx != 0 && r.ECX&osxsave == 0 {
		t.Errorf("CPUID.1:ECX = %#x claims AVX without OSXSAVE", r.ECX)
	}
}

func TestResetFPU(t *testing.T) {
	// fnstcw [0x600000]; stmxcsr [0x600008]; hlt
	code := []byte{0xd9, 0x3c, 0x25, 0x00, 0x00, 0x60, 0x00, 0x0f, 0xae, 0x1c, 0x25, 0x08, 0x00, 0x60, 0x00, 0xf4}
	e, data := newTestEngine(t, code, IgnoreSyscalls, nil)
	e.ResetFPU()
	if x := e.Run(codeAddr); x.Kind != ExitHalt {
		t.Fatalf("exit %+v", x)
	}
	cw := uint16(data[0]) | uint16(data[1])<<8
	mxcsr := uint32(data[8]) | uint32(data[9])<<8 | uint32(data[10])<<16 | uint32(data[11])<<24
	if cw != 0x37f || mxcsr != 0x1f80 {
		t.Errorf("guest sees FPCW %#x MXCSR %#x, want 0x37f 0x1f80", cw, mxcsr)
	}
}

func TestContextAcrossEngines(t *testing.T) {
	// movq xmm3, rbx; hlt -- then, on the other engine: movq rax, xmm3; hlt
	a, _ := newTestEngine(t, []byte{0x66, 0x48, 0x0f, 0x6e, 0xdb, 0xf4}, IgnoreSyscalls, nil)
	a.SetReg(RBX, 0x1122334455667788)
	a.SetReg(FSBase, 0x7000)
	a.Run(codeAddr)
	ctx, err := a.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Free()
	a.Save(ctx)
	b, _ := newTestEngine(t, []byte{0x66, 0x48, 0x0f, 0x7e, 0xd8, 0xf4}, IgnoreSyscalls, nil)
	b.Restore(ctx)
	b.Run(codeAddr)
	if got := b.Reg(RAX); got != 0x1122334455667788 {
		t.Errorf("xmm3 did not travel: rax = %#x", got)
	}
	if got := b.Reg(FSBase); got != 0x7000 {
		t.Errorf("fs base %#x", got)
	}
}

func TestFXSaveRoundTrip(t *testing.T) {
	// fld1; fldpi; hlt: two values on the x87 stack
	e, _ := newTestEngine(t, []byte{0xd9, 0xe8, 0xd9, 0xeb, 0xf4}, IgnoreSyscalls, nil)
	e.ResetFPU()
	e.Run(codeAddr)
	img := e.FXSave()
	if img[4] != 0xc0 || img[3]&0x38 != 0x30 {
		t.Errorf("tag %#x status %#x: want two registers in use, top 6", img[4], img[3])
	}
	// ST(0) is pi: 80-bit 0x4000 c90fdaa22168c235
	if img[32+8] != 0x00 || img[32+9] != 0x40 || img[32+7] != 0xc9 {
		t.Errorf("st0 % x", img[32:42])
	}
	img[160] = 0xab // xmm0 byte 0
	e.FXRstor(img)
	again := e.FXSave()
	if !bytesEqual(img, again) {
		t.Errorf("FXRstor then FXSave changed the image")
	}
}

func bytesEqual(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestInterruptBeforeRun(t *testing.T) {
	e, _ := newTestEngine(t, []byte{0xeb, 0xfe}, IgnoreSyscalls, nil)
	e.Interrupt()
	done := make(chan Exit)
	go func() { done <- e.Run(codeAddr) }()
	select {
	case x := <-done:
		if x.Kind != ExitStop || e.PC() != codeAddr {
			t.Errorf("exit %+v at %#x", x, e.PC())
		}
	case <-time.After(5 * time.Second):
		e.Stop()
		t.Fatal("an Interrupt before Run was lost")
	}
}

// TestFaultPCAfterEarlierFault checks that a store fault reports its own PC
// after an earlier load fault at the same address was resumed past, as a
// signal handler that skips the faulting instruction does.
func TestFaultPCAfterEarlierFault(t *testing.T) {
	code := []byte{
		0x31, 0xc0, // xor eax, eax
		0x48, 0x8b, 0x00, // mov rax, [rax]
		0x31, 0xc0, // xor eax, eax
		0x90, 0x90, // nop; nop
		0x48, 0x89, 0x00, // mov [rax], rax
	}
	e, _ := newTestEngine(t, code, IgnoreSyscalls, nil)
	if x := e.Run(codeAddr); x.Kind != ExitFault || e.PC() != codeAddr+2 {
		t.Fatalf("load: exit %+v at %#x", x, e.PC())
	}
	var r Regs
	e.Regs(&r)
	fx := e.FXSave()
	e.FXRstor(fx)
	e.SetRegs(&r)
	x := e.Run(codeAddr + 5)
	if x.Kind != ExitFault || x.Access != Write || e.PC() != codeAddr+9 {
		t.Fatalf("store: exit %+v at %#x, want a write fault at %#x", x, e.PC(), codeAddr+9)
	}
}

// TestRepeatedDivideError checks that every divide error arrives as vector
// 0: an exception a hook took must not linger and turn the next one into a
// double fault.
func TestRepeatedDivideError(t *testing.T) {
	code := []byte{0x31, 0xc9, 0xf7, 0xf1} // xor ecx, ecx; div ecx
	e, _ := newTestEngine(t, code, IgnoreSyscalls, nil)
	for i := 0; i < 3; i++ {
		if x := e.Run(codeAddr); x.Kind != ExitInterrupt || x.Vector != 0 {
			t.Fatalf("run %d: exit %+v, want a divide error", i, x)
		}
	}
}

// TestStopsKeepState stops a guest that calls a function through a
// register in a loop, from another goroutine, over and over; after each
// stop the registers are read and written back, as signal delivery and
// rt_sigreturn do, and the run resumes. The loop must finish with the
// right count. The guest makes a syscall first whose handler writes RIP,
// as rt_sigreturn does: Unicorn must not keep skipping the PC
// synchronisation of later stops because of it. A stop that lands on the
// final hlt reports a stop with the PC after the hlt, as a halted x86 CPU
// resumes after it, hence the jump back to it.
func TestStopsKeepState(t *testing.T) {
	code := []byte{
		0x0f, 0x05, // syscall
		0x48, 0xc7, 0xc1, 0x00, 0x24, 0xf4, 0x00, // mov rcx, 16000000
		0x48, 0x8d, 0x05, 0x0a, 0x00, 0x00, 0x00, // loop: lea rax, [rip+10] (func)
		0xff, 0xd0, // call rax
		0x48, 0xff, 0xc9, // dec rcx
		0x75, 0xf2, // jnz loop
		0xf4,       // halt: hlt
		0xeb, 0xfd, // jmp halt
		0x48, 0xff, 0xc3, // func: inc rbx
		0xc3, // ret
	}
	e, _ := newTestEngine(t, code, func(e Engine, _ uint64, _ [6]uint64, _ uint64) (uint64, bool) {
		e.SetPC(e.PC())
		return 0, false
	}, nil)
	e.SetReg(RSP, dataAddr+0x800)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				e.Interrupt()
				time.Sleep(50 * time.Microsecond)
			}
		}
	}()
	defer close(done)
	pc := uint64(codeAddr)
	stops := 0
	for {
		x := e.Run(pc)
		if x.Kind == ExitHalt {
			break
		}
		if x.Kind != ExitStop {
			t.Fatalf("exit %+v at %#x after %d stops", x, e.PC(), stops)
		}
		stops++
		var r Regs
		e.Regs(&r)
		fx := e.FXSave()
		e.FXRstor(fx)
		e.SetRegs(&r)
		pc = e.PC()
	}
	if got := e.Reg(RBX); got != 16000000 {
		t.Errorf("rbx = %d after %d stops, want 16000000", got, stops)
	}
}

// TestRecycledEngineIsNew checks that an engine that went back to the pool
// comes out as a new one: nothing mapped, nothing translated, registers
// and FPU state of a new CPU.
func TestRecycledEngineIsNew(t *testing.T) {
	var fresh Regs
	n, err := New(IgnoreSyscalls, nil)
	if err != nil {
		t.Fatal(err)
	}
	n.Regs(&fresh)
	freshFX := n.FXSave()
	n.Close()

	// mov rbx, 7; movq xmm0, rbx; hlt
	e, _ := newTestEngine(t, []byte{0x48, 0xc7, 0xc3, 0x07, 0, 0, 0, 0x66, 0x48, 0x0f, 0x6e, 0xc3, 0xf4}, IgnoreSyscalls, nil)
	if x := e.Run(codeAddr); x.Kind != ExitHalt {
		t.Fatalf("first run: %+v", x)
	}
	e.Close()

	r, err := New(IgnoreSyscalls, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got Regs
	r.Regs(&got)
	if got != fresh {
		t.Errorf("registers of a recycled engine: %+v, want %+v", got, fresh)
	}
	if !bytes.Equal(r.FXSave(), freshFX) {
		t.Error("a recycled engine keeps its old FPU state")
	}
	if x := r.Run(codeAddr); x.Kind != ExitFault || x.Access != Fetch {
		t.Errorf("running at the old code address: %+v, want a fetch fault", x)
	}
}

// benchLoop runs body (which may use rsi, pointing at writable data) in a
// loop of b.N iterations: body; dec rcx; jnz. The micro-benchmarks of
// issue 6 measure the cost of one instruction kind per iteration.
func benchLoop(b *testing.B, body []byte) {
	benchLoopWith(b, body, nil, ProtRead|ProtExec, nil)
}

// BenchmarkALU is add rax, rbx per iteration.
func BenchmarkALU(b *testing.B) { benchLoop(b, []byte{0x48, 0x01, 0xd8}) }

// BenchmarkLoad is mov rax, [rsi] per iteration.
func BenchmarkLoad(b *testing.B) { benchLoop(b, []byte{0x48, 0x8b, 0x06}) }

// BenchmarkStore is mov [rsi], rax per iteration: with Unicorn patch 0006
// it costs about what a load does.
func BenchmarkStore(b *testing.B) { benchLoop(b, []byte{0x48, 0x89, 0x06}) }

// BenchmarkLoadStore is mov rax, [rsi]; mov [rsi+8], rax per iteration.
func BenchmarkLoadStore(b *testing.B) {
	benchLoop(b, []byte{0x48, 0x8b, 0x06, 0x48, 0x89, 0x46, 0x08})
}

// BenchmarkCallRet is call f; ... f: ret per iteration, with the stack
// in the data page.
func BenchmarkCallRet(b *testing.B) {
	// loop: call f (rel32 to after the loop's tail); dec rcx; jnz loop;
	// hlt; f: ret. benchLoop appends the tail, so f sits 6 bytes past
	// the call's end: dec rcx (3), jnz (2), hlt (1).
	benchLoopWith(b, []byte{0xe8, 0x06, 0x00, 0x00, 0x00}, []byte{0xc3}, ProtRead|ProtExec,
		func(e Engine) { e.SetReg(RSP, dataAddr+0x800) })
}

// BenchmarkBlockChain jumps through 60 blocks per iteration, each a jmp
// to the next, so that chaining between blocks is what is measured (60
// keeps the loop's jnz within a rel8).
func BenchmarkBlockChain(b *testing.B) {
	var body []byte
	for i := 0; i < 60; i++ {
		body = append(body, 0xeb, 0x00) // jmp to the next instruction: ends a block
	}
	benchLoop(b, body)
}

// BenchmarkSelfModifying stores into the executable page that holds the
// running code (beside it) each iteration: such stores keep the slow path,
// which checks the page's translations for the bytes written.
func BenchmarkSelfModifying(b *testing.B) {
	// mov byte [rip+0x100], al
	benchLoopWith(b, []byte{0x88, 0x05, 0x00, 0x01, 0x00, 0x00}, nil, ProtRead|ProtWrite|ProtExec, nil)
}

// benchLoopWith is benchLoop with code after the loop's hlt, the code
// page's protection, and a setup of the registers.
func benchLoopWith(b *testing.B, body, after []byte, codeProt Prot, setup func(Engine)) {
	code := append(append([]byte{}, body...), 0x48, 0xff, 0xc9, 0x75, byte(-(len(body) + 5)), 0xf4)
	code = append(code, after...)
	e, err := New(IgnoreSyscalls, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	mem, _ := syscall.Mmap(-1, 0, 0x2000, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	defer syscall.Munmap(mem)
	copy(mem, code)
	e.Map(codeAddr, 0x1000, codeProt, unsafe.Pointer(&mem[0]))
	e.Map(dataAddr, 0x1000, ProtRead|ProtWrite, unsafe.Pointer(&mem[0x1000]))
	e.SetReg(RSI, dataAddr)
	e.SetReg(RCX, uint64(b.N))
	if setup != nil {
		setup(e)
	}
	b.ResetTimer()
	if x := e.Run(codeAddr); x.Kind != ExitHalt {
		b.Fatalf("exit %+v", x)
	}
}

// TestWatchWritesSeesEveryStore checks that a write hook sees every store,
// also stores to a page whose earlier stores took the fast path before
// the hook was added (Unicorn patch 0006 must not let them bypass it).
func TestWatchWritesSeesEveryStore(t *testing.T) {
	// loop: mov [rsi], rcx; dec rcx; jnz loop; hlt
	code := []byte{0x48, 0x89, 0x0e, 0x48, 0xff, 0xc9, 0x75, 0xf8, 0xf4}
	e, _ := newTestEngine(t, code, IgnoreSyscalls, nil)
	run := func(n uint64) {
		e.SetReg(RSI, dataAddr)
		e.SetReg(RCX, n)
		if x := e.Run(codeAddr); x.Kind != ExitHalt {
			t.Fatalf("exit %+v", x)
		}
	}
	run(1000) // the page's TLB entry is clean now: stores are fast
	var seen []uint64
	remove, err := e.WatchWrites(func(addr uint64, size int, value uint64) {
		if addr != dataAddr || size != 8 {
			t.Errorf("store of %d bytes at %#x", size, addr)
		}
		seen = append(seen, value)
	})
	if err != nil {
		t.Fatal(err)
	}
	run(100)
	if len(seen) != 100 || seen[0] != 100 || seen[99] != 1 {
		t.Errorf("the hook saw %d stores (first %v), want 100 counting down from 100", len(seen), seen[:min(len(seen), 3)])
	}
	remove()
	seen = nil
	run(100)
	if len(seen) != 0 {
		t.Errorf("%d stores seen after the hook was removed", len(seen))
	}
}

// TestTraceBlocksAndSteps runs a loop three times round and checks the
// blocks and the registers each instruction changed.
func TestTraceBlocksAndSteps(t *testing.T) {
	// mov ecx, 3; loop: dec ecx; jnz loop; hlt
	code := []byte{0xb9, 0x03, 0x00, 0x00, 0x00, 0xff, 0xc9, 0x75, 0xfc, 0xf4}
	e, _ := newTestEngine(t, code, nil, nil)
	var blocks []Block
	var steps []Step
	if err := e.TraceBlocks(func(b []Block) { blocks = append(blocks, b...) }); err != nil {
		t.Fatal(err)
	}
	if err := e.TraceSteps(func(s []Step) { steps = append(steps, s...) }); err != nil {
		t.Fatal(err)
	}
	if x := e.Run(codeAddr); x.Kind != ExitHalt {
		t.Fatalf("exit %v", x)
	}
	var starts []uint64
	for _, b := range blocks {
		starts = append(starts, b.Addr-codeAddr)
	}
	// The first block runs to the first jnz, the loop's block twice more,
	// then the hlt's.
	if len(blocks) != 4 || blocks[0].Size != 9 || blocks[1].Addr != codeAddr+5 || blocks[2].Addr != codeAddr+5 || blocks[3].Addr != codeAddr+9 {
		t.Errorf("blocks at %x", starts)
	}
	var addrs []uint64
	for _, s := range steps {
		addrs = append(addrs, s.Addr-codeAddr)
	}
	// mov, (dec, jnz) x 3, hlt
	if len(steps) != 8 || steps[1].Regs[2] != 3 || steps[2].Regs[2] != 2 {
		t.Errorf("steps at %x, rcx %d %d", addrs, steps[1].Regs[2], steps[2].Regs[2])
	}
}

// TestDebug stops at a breakpoint before the instruction runs, passes it
// once on resuming, and single-steps.
func TestDebug(t *testing.T) {
	// mov ecx, 3; loop: dec ecx; jnz loop; hlt
	code := []byte{0xb9, 0x03, 0x00, 0x00, 0x00, 0xff, 0xc9, 0x75, 0xfc, 0xf4}
	e, _ := newTestEngine(t, code, nil, nil)
	if err := e.Debug(); err != nil {
		t.Fatal(err)
	}
	if err := e.SetBreakpoints([]uint64{codeAddr + 5}); err != nil {
		t.Fatal(err)
	}
	pc := uint64(codeAddr)
	var rcx []uint64
	for i := 0; i < 3; i++ {
		x := e.Run(pc)
		pc = e.PC()
		if x.Kind != ExitDebug || pc != codeAddr+5 {
			t.Fatalf("run %d: %v at %#x", i, x, pc)
		}
		rcx = append(rcx, e.Reg(RCX))
		e.PassBreakpoint(pc)
	}
	if rcx[0] != 3 || rcx[1] != 2 || rcx[2] != 1 {
		t.Errorf("rcx at the breakpoint: %v", rcx)
	}
	e.SetBreakpoints(nil)
	e.Step()
	if x := e.Run(pc); x.Kind != ExitDebug || e.PC() != codeAddr+7 || e.Reg(RCX) != 0 {
		t.Errorf("step: %v at %#x, rcx %d", x, e.PC(), e.Reg(RCX))
	}
	e.Step()
	if x := e.Run(e.PC()); x.Kind != ExitDebug || e.PC() != codeAddr+9 {
		t.Errorf("step over jnz: %v at %#x", x, e.PC())
	}
	if x := e.Run(e.PC()); x.Kind != ExitHalt {
		t.Errorf("run to the end: %v", x)
	}
}

// TestStepFromBreakpoint steps off an instruction that has a breakpoint,
// as gdb does when it continues from one without removing it.
func TestStepFromBreakpoint(t *testing.T) {
	// mov ecx, 3; loop: dec ecx; jnz loop; hlt
	code := []byte{0xb9, 0x03, 0x00, 0x00, 0x00, 0xff, 0xc9, 0x75, 0xfc, 0xf4}
	e, _ := newTestEngine(t, code, nil, nil)
	if err := e.Debug(); err != nil {
		t.Fatal(err)
	}
	e.SetBreakpoints([]uint64{codeAddr})
	if x := e.Run(codeAddr); x.Kind != ExitDebug || e.PC() != codeAddr {
		t.Fatalf("breakpoint: %v at %#x", x, e.PC())
	}
	e.Step()
	e.PassBreakpoint(codeAddr)
	if x := e.Run(e.PC()); x.Kind != ExitDebug || e.PC() != codeAddr+5 {
		t.Fatalf("step from the breakpoint: %v at %#x", x, e.PC())
	}
}
