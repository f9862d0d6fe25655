// Package mmu implements a guest process's address space: its VMAs, the host
// memory behind them, brk, mmap placement, the splitting done by munmap,
// mprotect and mremap, stack growth, fork copies, and the kernel's checked
// access to guest memory (EFAULT, never a crash).
//
// Every VMA is exactly one Unicorn region backed by host memory; the VMA list
// here is the truth and the engine's regions follow it.
package mmu

import (
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	"paddock/abi"
	"paddock/emu/cpu"

	"golang.org/x/sys/unix"
)

// Layout of a Linux x86_64 address space with randomisation off (as
// `setarch -R` gives), so that guests see the addresses they would natively.
const (
	// StackTop is STACK_TOP: the main stack ends at TASK_SIZE.
	StackTop = abi.TaskSize
	// MmapBase is mmap_base for an 8 MiB stack limit: TASK_SIZE minus the
	// 128 MiB minimum gap (mm/util.c mmap_base()).
	MmapBase = StackTop - 128<<20
	// ETDynBase is ELF_ET_DYN_BASE, where a PIE executable is loaded.
	ETDynBase = 0x555555554000
	// MinAddr is vm.mmap_min_addr's default.
	MinAddr = 0x10000
	// stackGuardGap is the gap kept below a stack that grows down
	// (stack_guard_gap, 256 pages).
	stackGuardGap = 256 * abi.PageSize
)

// VMA is one mapping of the address space, as /proc/[pid]/maps lists it.
type VMA struct {
	Start, End uint64
	Prot       uint32 // PROT_READ | PROT_WRITE | PROT_EXEC
	Shared     bool   // MAP_SHARED
	GrowsDown  bool   // a stack: grows down on faults below Start
	// What it maps, for /proc/[pid]/maps: a file (path, device, inode and
	// the file offset of Start) or a name such as "[heap]".
	Name   string
	Dev    uint64
	Ino    uint64
	Offset uint64

	mem    *hostMem
	memOff uint64 // offset of Start in mem
}

// Len returns the size of v in bytes.
func (v *VMA) Len() uint64 { return v.End - v.Start }

func (v *VMA) host() []byte { return v.mem.b[v.memOff : v.memOff+v.Len()] }

// AddressSpace is a process's memory. Its methods are safe for concurrent
// use, but the ones that change mappings (Map, Unmap, Protect, Remap, Brk,
// Grow) drive the engine and must be called only by the goroutine that
// currently owns it.
type AddressSpace struct {
	eng cpu.Engine

	mu       sync.RWMutex
	vmas     []*VMA // sorted by Start, never overlapping
	brkStart uint64
	brk      uint64
	heap     *VMA

	// Changes the engine has not seen yet, applied by Sync: regions to
	// unmap and VMAs to map (a stack grown by a kernel copy), and ranges
	// the kernel wrote into executable memory whose translations must go.
	dirty      atomic.Bool
	pending    [][2]uint64
	pendingMap []*VMA
	invalMu    sync.Mutex
	invalidate [][2]uint64

	limits Limits
}

// Limits report the resource limits an address space enforces; a nil
// function means no limit (8 MiB for the stack).
type Limits struct {
	AS    func() uint64 // RLIMIT_AS: all mappings
	Stack func() uint64 // RLIMIT_STACK: stack growth
	Data  func() uint64 // RLIMIT_DATA: the heap and private writable mappings
}

// New returns an empty address space whose code runs on eng. The engine's
// fault handler should call Grow, and its owner should call Sync before it
// runs guest code.
func New(eng cpu.Engine) *AddressSpace {
	return &AddressSpace{eng: eng}
}

// Engine returns the engine that runs this address space's code.
func (as *AddressSpace) Engine() cpu.Engine { return as.eng }

// SetLimits installs the functions that report the limits.
func (as *AddressSpace) SetLimits(l Limits) { as.limits = l }

// find returns the index of the first VMA whose End is above addr.
func (as *AddressSpace) find(addr uint64) int {
	return sort.Search(len(as.vmas), func(i int) bool { return as.vmas[i].End > addr })
}

// lookup returns the VMA containing addr, or nil.
func (as *AddressSpace) lookup(addr uint64) *VMA {
	i := as.find(addr)
	if i < len(as.vmas) && as.vmas[i].Start <= addr {
		return as.vmas[i]
	}
	return nil
}

func (as *AddressSpace) insert(v *VMA) {
	i := as.find(v.Start)
	as.vmas = append(as.vmas, nil)
	copy(as.vmas[i+1:], as.vmas[i:])
	as.vmas[i] = v
}

func (as *AddressSpace) remove(v *VMA) {
	for i, w := range as.vmas {
		if w == v {
			as.vmas = append(as.vmas[:i], as.vmas[i+1:]...)
			return
		}
	}
}

// free reports whether [start, end) overlaps no VMA.
func (as *AddressSpace) free(start, end uint64) bool {
	i := as.find(start)
	return i == len(as.vmas) || as.vmas[i].Start >= end
}

// total returns the mapped size in bytes (for RLIMIT_AS and /proc).
func (as *AddressSpace) total() uint64 {
	var n uint64
	for _, v := range as.vmas {
		n += v.Len()
	}
	return n
}

// dataTotal returns the bytes of data mappings (isData), the heap among
// them.
func (as *AddressSpace) dataTotal() uint64 {
	var n uint64
	for _, v := range as.vmas {
		if isData(v.Prot, v.Shared, v.GrowsDown) {
			n += v.Len()
		}
	}
	return n
}

// VMAs returns a copy of the mappings, in address order.
func (as *AddressSpace) VMAs() []VMA {
	as.mu.RLock()
	defer as.mu.RUnlock()
	out := make([]VMA, len(as.vmas))
	for i, v := range as.vmas {
		out[i] = *v
		out[i].mem = nil
	}
	return out
}

// Size returns the total size of the mappings.
func (as *AddressSpace) Size() uint64 {
	as.mu.RLock()
	defer as.mu.RUnlock()
	return as.total()
}

func toCPU(prot uint32) cpu.Prot {
	var p cpu.Prot
	if prot&abi.PROT_READ != 0 {
		p |= cpu.ProtRead
	}
	if prot&abi.PROT_WRITE != 0 {
		// x86 pages that are writable are also readable.
		p |= cpu.ProtWrite | cpu.ProtRead
	}
	if prot&abi.PROT_EXEC != 0 {
		p |= cpu.ProtExec | cpu.ProtRead
	}
	return p
}

// engMap maps v into the engine.
func (as *AddressSpace) engMap(v *VMA) error {
	return as.eng.Map(v.Start, v.Len(), toCPU(v.Prot), v.mem.ptr(v.memOff))
}

func (as *AddressSpace) engUnmap(v *VMA) {
	if err := as.eng.Unmap(v.Start, v.Len()); err != nil {
		panic("mmu: engine out of step with VMAs: " + err.Error())
	}
}

// Close unmaps everything and releases the host memory. The engine is not
// closed.
func (as *AddressSpace) Close() {
	as.mu.Lock()
	defer as.mu.Unlock()
	as.syncLocked()
	as.closeLocked()
	as.heap = nil
}

func (as *AddressSpace) noteCodeWrite(start, end uint64) {
	as.invalMu.Lock()
	as.invalidate = append(as.invalidate, [2]uint64{start, end})
	as.invalMu.Unlock()
	as.dirty.Store(true)
}

// Resident returns how many bytes of the address space the host holds in
// memory: the resident set /proc reports.
func (as *AddressSpace) Resident() uint64 {
	var n uint64
	for _, u := range as.Usage() {
		n += u.Resident
	}
	return n
}

// VMAUsage is a mapping and how much of it is resident.
type VMAUsage struct {
	VMA
	Resident uint64
}

// Usage returns every mapping with its resident bytes, found by mincore(2)
// on the host memory behind it.
func (as *AddressSpace) Usage() []VMAUsage {
	as.mu.RLock()
	defer as.mu.RUnlock()
	out := make([]VMAUsage, 0, len(as.vmas))
	var vec []byte
	for _, v := range as.vmas {
		b := v.host()
		pages := (len(b) + abi.PageSize - 1) / abi.PageSize
		if cap(vec) < pages {
			vec = make([]byte, pages)
		}
		vec = vec[:pages]
		u := VMAUsage{VMA: *v}
		// x/sys has no wrapper for mincore.
		if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(unsafe.Pointer(&vec[0]))); e == 0 {
			for _, p := range vec {
				if p&1 != 0 {
					u.Resident += abi.PageSize
				}
			}
		}
		out = append(out, u)
	}
	return out
}

// BrkStart returns where the heap begins (start_brk).
func (as *AddressSpace) BrkStart() uint64 {
	as.mu.RLock()
	defer as.mu.RUnlock()
	return as.brkStart
}
