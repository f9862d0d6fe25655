// Package kerneltest boots paddock's kernel, with its real syscall table
// and /proc, on fake engines (emu/cpu/cputest) for unit tests: a test
// writes its guest as a short program of syscalls and Go steps, runs it to
// its end in milliseconds, and checks what the calls returned and what
// the guest saw in memory.
package kerneltest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"paddock/abi"
	"paddock/emu/cpu"
	"paddock/emu/cpu/cputest"
	"paddock/kernel"
	"paddock/kernel/procfs"
	"paddock/kernel/sys"
	"paddock/kernel/vfs"
)

// Scratch memory in the program's data segment, for the paths and buffers
// a guest passes to its calls.
const (
	PathAddr = cputest.DataAddr
	BufAddr  = cputest.DataAddr + 0x1000
	BufSize  = cputest.DataSize - 0x1000
)

// Asm builds a fake program from Entry on: one instruction per call of
// its methods, with labels to jump to.
type Asm struct {
	instrs []func(resolve func(string) uint64) cputest.Instr
	labels map[string]int
}

// addr is the address of instruction i.
func addr(i int) uint64 { return cputest.Entry + 2*uint64(i) }

func (a *Asm) add(in cputest.Instr) {
	a.instrs = append(a.instrs, func(func(string) uint64) cputest.Instr { return in })
}

// Sys makes a syscall.
func (a *Asm) Sys(nr abi.Sysno, args ...uint64) { a.add(cputest.Syscall(nr, args...)) }

// SysFn makes a syscall whose arguments are computed when it runs (from
// memory or the registers).
func (a *Asm) SysFn(nr abi.Sysno, args func(f *cputest.Fake) []uint64) {
	a.add(func(f *cputest.Fake) { f.Syscall(nr, args(f)...) })
}

// Do runs fn, a look at the registers or memory, or a store.
func (a *Asm) Do(fn func(f *cputest.Fake)) { a.add(cputest.Do(fn)) }

// Label names the next instruction.
func (a *Asm) Label(name string) {
	if a.labels == nil {
		a.labels = map[string]int{}
	}
	a.labels[name] = len(a.instrs)
}

// JumpIf goes to label when cond holds, else on.
func (a *Asm) JumpIf(cond func(f *cputest.Fake) bool, label string) {
	a.instrs = append(a.instrs, func(resolve func(string) uint64) cputest.Instr {
		to := resolve(label)
		return func(f *cputest.Fake) {
			if cond(f) {
				f.SetPC(to)
			} else {
				f.SetPC(f.PC() + 2)
			}
		}
	})
}

// Handler is a one-step signal handler at label: fn runs with the signal
// number, then the handler returns. Longer handlers are a Label, steps,
// and Ret.
func (a *Asm) Handler(label string, fn func(f *cputest.Fake, sig abi.Signal)) {
	a.Label(label)
	a.Do(func(f *cputest.Fake) { fn(f, abi.Signal(f.Reg(cpu.RDI))) })
	a.Ret()
}

// Ret returns from a function (a signal handler): the return address on
// the stack, the restorer for a handler, is popped into RIP.
func (a *Asm) Ret() {
	a.add(func(f *cputest.Fake) {
		sp := f.Reg(cpu.RSP)
		f.SetPC(binary.LittleEndian.Uint64(f.Read(sp, 8)))
		f.SetReg(cpu.RSP, sp+8)
	})
}

// Jump goes to label.
func (a *Asm) Jump(label string) { a.JumpIf(func(*cputest.Fake) bool { return true }, label) }

// Restorer places a signal restorer (rt_sigreturn) at label.
func (a *Asm) Restorer(label string) {
	a.Label(label)
	a.Sys(abi.SYS_RT_SIGRETURN)
}

// Exit ends the process with code.
func (a *Asm) Exit(code int) { a.Sys(abi.SYS_EXIT_GROUP, uint64(code)) }

// Addr returns the address of a label, for handlers and restorers.
func (a *Asm) Addr(label string) uint64 {
	i, ok := a.labels[label]
	if !ok {
		panic("kerneltest: no label " + label)
	}
	return addr(i)
}

// Program lays the instructions out.
func (a *Asm) Program() cputest.Program {
	p := cputest.Program{}
	for i, mk := range a.instrs {
		p[addr(i)] = mk(a.Addr)
	}
	return p
}

// Kernel is a booted kernel whose first process runs a fake program.
type Kernel struct {
	*kernel.Kernel
	Log bytes.Buffer // the kernel's own diagnostics (unimplemented calls)
}

// ctx is the kernel's context for setting up the root.
type ctx struct{}

func (ctx) Creds() *vfs.Creds                  { return &vfs.Creds{} }
func (ctx) Block(*vfs.Waiter, time.Time) error { return abi.EINTR }

func resolver(v *vfs.VFS) *vfs.Resolver {
	return &vfs.Resolver{Creds: &vfs.Creds{}, Root: v.Root(), Start: v.Root()}
}

// Run boots a kernel with an in-memory root holding /bin/prog, runs the
// program as pid 1 (as root, unless uid says otherwise) and waits for the
// kernel to end; a program that runs for more than ten seconds fails the
// test with a dump of its tasks.
func Run(t testing.TB, prog cputest.Program) *Kernel {
	t.Helper()
	k := &Kernel{}
	root := vfs.NewMemFS(abi.Makedev(8, 1), 0o755, func() abi.Timespec { return abi.NsecTimespec(time.Now().UnixNano()) })
	k.Kernel = kernel.New(kernel.Config{
		Root: root, RootSource: "/dev/root", Hostname: "paddock", Release: "6.6.0-paddock",
		Version: "#1", NumCPU: 1, Log: &k.Log, NewEngine: cputest.Factory(prog),
	}, sys.Table)
	if err := k.MountStandard(procfs.New(k.Kernel)); err != nil {
		t.Fatal(err)
	}
	v := k.VFS()
	r := resolver(v)
	if err := v.Mknod(r, "/bin", abi.S_IFDIR|0o755, 0, ""); err != nil {
		t.Fatal(err)
	}
	f, err := v.Open(ctx{}, r, "/bin/prog", abi.O_CREAT|abi.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(ctx{}, cputest.ELF()); err != nil {
		t.Fatal(err)
	}
	f.DecRef()
	err = k.Start(kernel.StartSpec{Path: "/bin/prog", Argv: []string{"prog"}, Envp: []string{"HOME=/"},
		Creds: kernel.NewCredentials(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-k.Done():
	case <-time.After(10 * time.Second):
		var b bytes.Buffer
		k.DumpTasks(&b)
		t.Fatalf("the guest did not end:\n%s", b.String())
	}
	return k
}

// Status is how the first process ended: "exit N" or "signal N".
func (k *Kernel) Status() string {
	st := k.InitStatus()
	if st.IsSignaled() {
		return fmt.Sprintf("signal %d", st.Signal())
	}
	return fmt.Sprintf("exit %d", st.ExitCode())
}

// Recorder collects what guest tasks observed, from any task's goroutine.
type Recorder struct {
	mu   sync.Mutex
	seen []string
}

// Add records one observation.
func (r *Recorder) Add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, fmt.Sprintf(format, args...))
}

// Seen returns the observations in order.
func (r *Recorder) Seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// Ret is a syscall's result as the guest sees it: the value, or -errno.
func Ret(f *cputest.Fake) int64 { return int64(f.Reg(cpu.RAX)) }

// Errno names a syscall's result: "ok N" or the errno's name.
func Errno(f *cputest.Fake) string {
	v := Ret(f)
	if v < 0 && v > -4096 {
		return abi.Errno(-v).Name()
	}
	return fmt.Sprintf("ok %d", v)
}
