package kernel

import (
	"sync"

	"paddock/abi"
	"paddock/emu/cpu"
	"paddock/emu/mmu"
	"paddock/kernel/vfs"
)

// MM is an address space together with the engine that runs its code. The
// tasks that share it (threads, and a vfork child until it execs) take turns
// on the engine; cur is the one running now.
type MM struct {
	as  *mmu.AddressSpace
	eng *cpu.Engine

	mu    sync.Mutex
	cur   *Task
	users int

	// For /proc: the executable and where argv and envp sit on the stack.
	exe              vfs.Location
	argStart, argEnd uint64
	envStart, envEnd uint64
	auxv             []byte
}

// newMM creates an empty address space with its engine.
func newMM() (*MM, error) {
	mm := &MM{users: 1}
	eng, err := cpu.New(mm.onSyscall, mm.onFault)
	if err != nil {
		return nil, err
	}
	mm.eng = eng
	mm.as = mmu.New(eng)
	return mm, nil
}

func (mm *MM) onSyscall(e *cpu.Engine) {
	nr, args, _ := e.SyscallArgs()
	mm.cur.syscall(abi.Sysno(nr), Args(args))
}

func (mm *MM) onFault(addr uint64, _ int, _ cpu.Access) bool {
	return mm.as.Grow(addr)
}

// AddressSpace returns the address space.
func (mm *MM) AddressSpace() *mmu.AddressSpace { return mm.as }

// Exe returns the location of the executable the address space was built
// from.
func (mm *MM) Exe() vfs.Location { return mm.exe }

// ArgRange and EnvRange return where argv's and envp's strings lie, for
// /proc/[pid]/cmdline and environ.
func (mm *MM) ArgRange() (uint64, uint64) { return mm.argStart, mm.argEnd }

// EnvRange returns where envp's strings lie.
func (mm *MM) EnvRange() (uint64, uint64) { return mm.envStart, mm.envEnd }

// Auxv returns the auxiliary vector as the process received it.
func (mm *MM) Auxv() []byte { return mm.auxv }

// release drops a user; the last one frees the memory and the engine.
func (mm *MM) release() {
	mm.mu.Lock()
	mm.users--
	last := mm.users == 0
	mm.mu.Unlock()
	if last {
		mm.as.Close()
		mm.eng.Close()
	}
}
