package mmu

import (
	"paddock/abi"
)

// Mapping describes a new mapping for Map.
type Mapping struct {
	Addr      uint64 // hint, or the address for Fixed and NoReplace
	Len       uint64 // bytes; rounded up to pages
	Prot      uint32
	Fixed     bool // MAP_FIXED: replace whatever is mapped there
	NoReplace bool // MAP_FIXED_NOREPLACE: fail with EEXIST if anything is
	Shared    bool // MAP_SHARED
	GrowsDown bool // MAP_GROWSDOWN
	Low32     bool // MAP_32BIT: place in the first 2 GiB
	// Fill, if set, writes the initial contents (a file's bytes) into the
	// new, zeroed memory before the guest can see it.
	Fill func(b []byte) error
	// Host, if set, is memory someone else owns (a file's data, for a
	// shared file mapping): the mapping shows Host[HostOff:HostOff+Len]
	// instead of fresh memory, and never frees or clears it. Host must be
	// page-aligned and stay valid for as long as any mapping uses it.
	Host    []byte
	HostOff uint64
	// Shown in /proc/[pid]/maps.
	Name   string
	Dev    uint64
	Ino    uint64
	Offset uint64
}

// Map creates a mapping and returns its address. Errors are ENOMEM (no room,
// or RLIMIT_AS), EEXIST (NoReplace over a mapping) and EINVAL.
func (as *AddressSpace) Map(m Mapping) (uint64, error) {
	length, ok := abi.PageRoundUp(m.Len)
	if !ok || length == 0 || length > abi.TaskSize {
		return 0, abi.ENOMEM
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	as.syncLocked()
	var addr uint64
	switch {
	case m.Fixed || m.NoReplace:
		if m.Addr%abi.PageSize != 0 {
			return 0, abi.EINVAL
		}
		addr = m.Addr
		if addr+length < addr || addr+length > abi.TaskSize {
			return 0, abi.ENOMEM
		}
		if addr < MinAddr {
			return 0, abi.EPERM
		}
		if !as.free(addr, addr+length) {
			if m.NoReplace {
				return 0, abi.EEXIST
			}
		}
	default:
		var found bool
		addr, found = as.place(m.Addr, length, m.Low32)
		if !found {
			return 0, abi.ENOMEM
		}
	}
	if lim := limit(as.limits.AS); lim != abi.RLIM_INFINITY {
		replaced := as.overlap(addr, addr+length)
		if as.total()-replaced+length > lim {
			return 0, abi.ENOMEM
		}
	}
	if lim := limit(as.limits.Data); lim != abi.RLIM_INFINITY && isData(m.Prot, m.Shared, m.GrowsDown) {
		replaced := as.dataOverlap(addr, addr+length)
		if as.dataTotal()-replaced+length > lim {
			return 0, abi.ENOMEM
		}
	}
	var mem *hostMem
	if m.Host != nil {
		if m.HostOff%abi.PageSize != 0 || m.HostOff+length > uint64(len(m.Host)) {
			return 0, abi.ENXIO
		}
		mem = externalHost(m.Host)
	} else {
		var err error
		if mem, err = allocHost(length); err != nil {
			return 0, abi.ENOMEM
		}
	}
	if m.Fill != nil {
		if err := m.Fill(mem.b[:length]); err != nil {
			mem.unref()
			return 0, err
		}
	}
	if m.Fixed {
		as.unmapLocked(addr, addr+length)
	}
	v := &VMA{Start: addr, End: addr + length, Prot: m.Prot, Shared: m.Shared, GrowsDown: m.GrowsDown,
		Name: m.Name, Dev: m.Dev, Ino: m.Ino, Offset: m.Offset, mem: mem, memOff: m.HostOff}
	if err := as.engMap(v); err != nil {
		mem.unref()
		return 0, abi.ENOMEM
	}
	as.insert(v)
	as.mergeAround(v)
	return addr, nil
}

func limit(f func() uint64) uint64 {
	if f == nil {
		return abi.RLIM_INFINITY
	}
	return f()
}

// isData reports whether a mapping counts against RLIMIT_DATA: private,
// writable and not a stack, as Linux's is_data_mapping says.
func isData(prot uint32, shared, growsDown bool) bool {
	return prot&abi.PROT_WRITE != 0 && !shared && !growsDown
}

// dataOverlap returns how many bytes of [start, end) data mappings hold.
func (as *AddressSpace) dataOverlap(start, end uint64) uint64 {
	var n uint64
	for i := as.find(start); i < len(as.vmas) && as.vmas[i].Start < end; i++ {
		v := as.vmas[i]
		if isData(v.Prot, v.Shared, v.GrowsDown) {
			n += min(end, v.End) - max(start, v.Start)
		}
	}
	return n
}

// overlap returns how many bytes of [start, end) are mapped.
func (as *AddressSpace) overlap(start, end uint64) uint64 {
	var n uint64
	for i := as.find(start); i < len(as.vmas) && as.vmas[i].Start < end; i++ {
		v := as.vmas[i]
		n += min(end, v.End) - max(start, v.Start)
	}
	return n
}

// place finds room for length bytes: at hint if that is free, else the
// highest free range below MmapBase, as Linux's top-down allocator does
// (mm/mmap.c vm_unmapped_area with VM_UNMAPPED_AREA_TOPDOWN).
func (as *AddressSpace) place(hint, length uint64, low32 bool) (uint64, bool) {
	if low32 {
		// MAP_32BIT mappings go in [1 GiB, 2 GiB) on x86_64.
		return as.topDown(length, 0x40000000, 0x80000000)
	}
	if hint != 0 {
		hint = abi.PageRoundDown(hint)
		if hint >= MinAddr && hint+length > hint && hint+length <= abi.TaskSize && as.free(hint, hint+length) &&
			as.clearOfStackGap(hint+length) {
			return hint, true
		}
	}
	if a, ok := as.topDown(length, MinAddr, MmapBase); ok {
		return a, true
	}
	return as.topDown(length, MinAddr, abi.TaskSize)
}

// clearOfStackGap reports whether a mapping ending at end keeps the guard gap
// below the next VMA when that one grows down.
func (as *AddressSpace) clearOfStackGap(end uint64) bool {
	i := as.find(end)
	if i < len(as.vmas) && as.vmas[i].GrowsDown {
		return as.vmas[i].Start >= end+stackGuardGap
	}
	return true
}

// topDown returns the highest address a in [lo, hi) with [a, a+length) free,
// keeping the guard gap below any stack.
func (as *AddressSpace) topDown(length, lo, hi uint64) (uint64, bool) {
	i := as.find(hi) // VMAs before i end at or below hi
	ceil := hi
	if i < len(as.vmas) && as.vmas[i].Start < hi {
		ceil = as.vmas[i].Start
	}
	for j := i - 1; ; j-- {
		floor := lo
		if j >= 0 {
			floor = max(as.vmas[j].End, lo)
		}
		top := ceil
		if k := j + 1; k < len(as.vmas) && as.vmas[k].Start == ceil && as.vmas[k].GrowsDown {
			top = 0
			if ceil > stackGuardGap {
				top = ceil - stackGuardGap
			}
		}
		if top > floor && top-floor >= length {
			return top - length, true
		}
		if j < 0 || as.vmas[j].Start <= lo {
			return 0, false
		}
		ceil = as.vmas[j].Start
	}
}

// Unmap removes every mapping in [addr, addr+length).
func (as *AddressSpace) Unmap(addr, length uint64) error {
	if addr%abi.PageSize != 0 {
		return abi.EINVAL
	}
	length, ok := abi.PageRoundUp(length)
	if !ok || length == 0 || addr+length < addr || addr+length > abi.TaskSize {
		return abi.EINVAL
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	as.syncLocked()
	as.unmapLocked(addr, addr+length)
	return nil
}

func (as *AddressSpace) unmapLocked(start, end uint64) {
	for {
		i := as.find(start)
		if i == len(as.vmas) || as.vmas[i].Start >= end {
			return
		}
		v := as.vmas[i]
		as.engUnmap(v)
		as.remove(v)
		cutStart, cutEnd := max(start, v.Start), min(end, v.End)
		if v.Start < cutStart {
			left := *v
			left.End = cutStart
			left.mem.ref()
			as.insert(&left)
			as.mustMap(&left)
		}
		if cutEnd < v.End {
			right := *v
			right.memOff += cutEnd - v.Start
			right.Offset += cutEnd - v.Start
			right.Start = cutEnd
			right.mem.ref()
			as.insert(&right)
			as.mustMap(&right)
		}
		if v == as.heap {
			as.heap = nil
			if v.Start < cutStart {
				as.heap = as.lookup(v.Start)
			}
		}
		// Memory outside every VMA is kept zero. A shared mapping's
		// memory may still be mapped elsewhere (another process, a
		// file), so it is left alone.
		if v.mem.refs > 1 && !v.Shared {
			v.mem.zero(v.memOff+(cutStart-v.Start), cutEnd-cutStart)
		}
		v.mem.unref()
	}
}

func (as *AddressSpace) mustMap(v *VMA) {
	if err := as.engMap(v); err != nil {
		panic("mmu: remapping a split VMA: " + err.Error())
	}
}

// Protect changes the protection of [addr, addr+length). The whole range must
// be mapped (ENOMEM otherwise, as mprotect(2) says).
func (as *AddressSpace) Protect(addr, length uint64, prot uint32) error {
	if addr%abi.PageSize != 0 {
		return abi.EINVAL
	}
	length, ok := abi.PageRoundUp(length)
	if !ok || addr+length < addr {
		return abi.ENOMEM
	}
	if length == 0 {
		return nil
	}
	end := addr + length
	as.mu.Lock()
	defer as.mu.Unlock()
	as.syncLocked()
	// Check first, change after: a hole fails the call without changes.
	for a := addr; a < end; {
		v := as.lookup(a)
		if v == nil {
			return abi.ENOMEM
		}
		a = v.End
	}
	for a := addr; a < end; {
		v := as.lookup(a)
		next := v.End
		if v.Prot != prot {
			mid := as.splitOut(v, max(addr, v.Start), min(end, v.End))
			mid.Prot = prot
			as.engUnmap(mid)
			as.mustMap(mid)
			as.mergeAround(mid)
		}
		a = next
	}
	return nil
}

// splitOut splits v so that [start, end) is a VMA of its own and returns it.
func (as *AddressSpace) splitOut(v *VMA, start, end uint64) *VMA {
	if start == v.Start && end == v.End {
		return v
	}
	as.engUnmap(v)
	as.remove(v)
	var mid *VMA
	for _, r := range [][2]uint64{{v.Start, start}, {start, end}, {end, v.End}} {
		if r[0] == r[1] {
			continue
		}
		p := *v
		p.Start, p.End = r[0], r[1]
		p.memOff = v.memOff + (r[0] - v.Start)
		p.Offset = v.Offset + (r[0] - v.Start)
		p.mem.ref()
		as.insert(&p)
		as.mustMap(&p)
		if r[0] == start {
			mid = &p
		}
		if v == as.heap && r[0] == v.Start {
			as.heap = &p
		}
	}
	v.mem.unref()
	return mid
}

// mergeable reports whether b can be joined onto the end of a: same memory,
// contiguous, same attributes.
func mergeable(a, b *VMA) bool {
	return a.End == b.Start && a.mem == b.mem && a.memOff+a.Len() == b.memOff &&
		a.Prot == b.Prot && a.Shared == b.Shared && a.GrowsDown == b.GrowsDown &&
		a.Name == b.Name && a.Dev == b.Dev && a.Ino == b.Ino && a.Offset+a.Len() == b.Offset
}

// mergeAround joins v with its neighbours where mergeable, as Linux merges
// adjacent compatible VMAs (vma_merge).
func (as *AddressSpace) mergeAround(v *VMA) *VMA {
	i := as.find(v.Start)
	if i+1 < len(as.vmas) && mergeable(v, as.vmas[i+1]) {
		v = as.join(v, as.vmas[i+1])
		i = as.find(v.Start)
	}
	if i > 0 && mergeable(as.vmas[i-1], v) {
		v = as.join(as.vmas[i-1], v)
	}
	return v
}

func (as *AddressSpace) join(a, b *VMA) *VMA {
	as.engUnmap(a)
	as.engUnmap(b)
	as.remove(b)
	a.End = b.End
	b.mem.unref()
	if as.heap == b {
		as.heap = a
	}
	as.mustMap(a)
	return a
}
