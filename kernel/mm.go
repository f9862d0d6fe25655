package kernel

import (
	"sync"
	"sync/atomic"
	"time"

	"paddock/abi"
	"paddock/emu/cpu"
	"paddock/emu/mmu"
	"paddock/kernel/vfs"
)

// MM is an address space together with the engine that runs its code
// (DESIGN.md: one engine per address space). The tasks that share it
// (threads, and a vfork child until it execs) take turns on the engine: a
// task runs guest code only while it holds the token, and the engine holds
// the registers of its owner, the task that ran last; switching tasks saves
// the owner's context and restores the newcomer's.
type MM struct {
	as  *mmu.AddressSpace
	eng cpu.Engine
	id  uint64 // unique: tells a code tracer one address space from another

	token   chan struct{}
	waiters atomic.Int32
	users   atomic.Int32

	mu     sync.Mutex
	holder *Task  // holds the token
	owner  *Task  // whose registers the engine holds
	epoch  uint64 // counts hand-overs, for the preemption timer

	// For /proc: the executable and where argv and envp sit on the stack.
	exe              vfs.Location
	argStart, argEnd uint64
	envStart, envEnd uint64
	auxv             []byte
	startStack       uint64 // the stack pointer exec left: argc's address
}

// TimeSlice is how long a task may keep the engine while another task of
// the same address space waits for it.
const TimeSlice = 10 * time.Millisecond

// mmIDs numbers address spaces.
var mmIDs atomic.Uint64

// newMM creates an empty address space with its engine and one user; a
// code tracer watches its engine from the start, and so does the debugger
// if debug is set.
func (k *Kernel) newMM(debug bool) (*MM, error) {
	mm := &MM{token: make(chan struct{}, 1), id: mmIDs.Add(1)}
	mm.token <- struct{}{}
	mm.users.Store(1)
	var eng cpu.Engine
	var err error
	if k.cfg.NewEngine != nil {
		eng, err = k.cfg.NewEngine(mm.onSyscall, mm.onFault)
	} else {
		eng, err = cpu.New(mm.onSyscall, mm.onFault)
	}
	if err != nil {
		return nil, err
	}
	mm.eng = eng
	mm.as = mmu.New(eng)
	if ct := k.cfg.CodeTracer; ct != nil {
		// The engine runs the code of the task that holds it.
		err := eng.TraceBlocks(func(b []cpu.Block) { ct.Blocks(mm.holder, b) })
		if err == nil && ct.WantSteps() {
			err = eng.TraceSteps(func(s []cpu.Step) { ct.Steps(mm.holder, s) })
		}
		if err != nil {
			eng.Close()
			return nil, err
		}
	}
	if debug {
		if err := eng.Debug(); err != nil {
			eng.Close()
			return nil, err
		}
	}
	return mm, nil
}

func (mm *MM) onSyscall(_ cpu.Engine, nr uint64, args [6]uint64, pc uint64) (uint64, bool) {
	return mm.holder.syscall(abi.Sysno(nr), Args(args), pc)
}

func (mm *MM) onFault(addr uint64, _ int, _ cpu.Access) bool {
	return mm.as.Grow(addr)
}

// shared reports whether more than one task uses the address space, so
// that a task must not block while holding the engine.
func (mm *MM) shared() bool { return mm.users.Load() > 1 }

// acquire waits for the engine and loads t's registers into it.
func (mm *MM) acquire(t *Task) {
	mm.waiters.Add(1)
	select {
	case <-mm.token:
	default:
		// Someone holds the engine: preempt any holder that keeps it for a
		// whole time slice, for as long as this task waits.
		ticker := time.NewTicker(TimeSlice)
		mm.mu.Lock()
		epoch := mm.epoch
		mm.mu.Unlock()
	wait:
		for {
			select {
			case <-mm.token:
				break wait
			case <-ticker.C:
				mm.mu.Lock()
				same := mm.epoch == epoch
				epoch = mm.epoch
				mm.mu.Unlock()
				if same {
					mm.eng.Interrupt()
				}
			}
		}
		ticker.Stop()
	}
	mm.waiters.Add(-1)
	mm.mu.Lock()
	mm.holder = t
	mm.epoch++
	prev := mm.owner
	mm.owner = t
	mm.mu.Unlock()
	if prev != t {
		if prev != nil && prev.ctx != nil && !prev.gone {
			mm.eng.Save(prev.ctx)
			prev.ctxValid = true
		}
		if t.ctxValid {
			mm.eng.Restore(t.ctx)
		}
		if t.startFix != nil {
			t.startFix(mm.eng)
			t.startFix = nil
		}
	}
}

// release gives the engine up; the registers stay in it until another task
// takes it.
func (mm *MM) release(t *Task) {
	mm.mu.Lock()
	mm.holder = nil
	mm.mu.Unlock()
	mm.token <- struct{}{}
}

// waiting reports whether a task waits for the engine.
func (mm *MM) waiting() bool { return mm.waiters.Load() > 0 }

// addUser counts another task on the address space.
func (mm *MM) addUser() { mm.users.Add(1) }

// AddressSpace returns the address space.
func (mm *MM) AddressSpace() *mmu.AddressSpace { return mm.as }

// Exe returns the location of the executable the address space was built
// from.
func (mm *MM) Exe() vfs.Location { return mm.exe }

// ArgRange returns where argv's strings lie, for /proc/[pid]/cmdline.
func (mm *MM) ArgRange() (uint64, uint64) { return mm.argStart, mm.argEnd }

// EnvRange returns where envp's strings lie.
func (mm *MM) EnvRange() (uint64, uint64) { return mm.envStart, mm.envEnd }

// StartStack returns the address of the initial stack (argc), for
// /proc/PID/stat.
func (mm *MM) StartStack() uint64 { return mm.startStack }

// CodeRange returns where the executable's text lies (start_code,
// end_code): its executable mapping.
func (mm *MM) CodeRange() (uint64, uint64) { return mm.exeRange(abi.PROT_EXEC) }

// DataRange returns where the executable's writable data lies.
func (mm *MM) DataRange() (uint64, uint64) { return mm.exeRange(abi.PROT_WRITE) }

func (mm *MM) exeRange(prot uint32) (uint64, uint64) {
	if !mm.exe.Valid() {
		return 0, 0
	}
	a := mm.exe.Dentry.Inode.Attr()
	for _, v := range mm.as.VMAs() {
		if v.Dev == a.Dev && v.Ino == a.Ino && v.Prot&prot != 0 {
			return v.Start, v.End
		}
	}
	return 0, 0
}

// Auxv returns the auxiliary vector as the process received it.
func (mm *MM) Auxv() []byte { return mm.auxv }

// MapFile maps f at m (a mapping of f's bytes from offset off) into t's
// address space, as do_mmap and the file's mmap operation do: a character
// device (/dev/zero) maps as private anonymous memory; a shared mapping
// of a file whose data is in paddock's memory maps that memory, so that
// every mapping and read and write see one copy; a read-only shared
// mapping of another file is a private copy, which shows the same bytes;
// a writable shared one cannot be kept coherent (ENODEV).
func (t *Task) MapFile(m mmu.Mapping, f *vfs.File, off uint64) (uint64, error) {
	a := f.Inode.Attr()
	if !f.Readable() {
		return 0, abi.EACCES
	}
	if !a.IsRegular() {
		if a.Type() != abi.S_IFCHR {
			return 0, abi.ENODEV
		}
		m.Shared = false
		return t.mm.as.Map(m)
	}
	if int64(off) < 0 {
		return 0, abi.EOVERFLOW
	}
	sm, canShare := f.Ops.(vfs.SharedMapper)
	switch {
	case m.Shared && m.Prot&abi.PROT_WRITE != 0 && !f.Writable():
		return 0, abi.EACCES
	case m.Shared && canShare:
		seg, err := sm.MapShared()
		if err != nil {
			return 0, err
		}
		m.Host, m.HostOff = seg, off
	case m.Shared && m.Prot&abi.PROT_WRITE != 0:
		return 0, abi.ENODEV
	case m.Shared:
		m.Shared = false
	}
	if m.Host == nil {
		m.Fill = func(b []byte) error { return t.readFull(f, b, int64(off)) }
	}
	if f.Loc.Valid() {
		m.Name, _ = t.k.vfs.Path(t.fs.Root(), f.Loc)
	}
	m.Dev, m.Ino, m.Offset = a.Dev, a.Ino, off
	return t.mm.as.Map(m)
}

// readFull reads f from off into b, up to the end of the file; what lies
// past it stays zero, as the tail of a mapping past a file's end reads.
func (t *Task) readFull(f *vfs.File, b []byte, off int64) error {
	for done := 0; done < len(b); {
		n, err := f.Pread(t, b[done:], off+int64(done))
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		done += n
	}
	return nil
}

// releaseUser drops a task's use of the address space; the last one frees
// the memory and the engine. The caller must not hold the engine.
func (mm *MM) releaseUser() {
	if mm.users.Add(-1) == 0 {
		mm.as.Close()
		mm.eng.Close()
	}
}
