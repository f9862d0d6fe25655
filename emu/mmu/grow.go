package mmu

import (
	"paddock/abi"
)

// Remap implements mremap(2) for [old, old+oldLen): shrink in place, grow in
// place when the pages after it are free, or move (MREMAP_MAYMOVE, or to
// newAddr with MREMAP_FIXED). It returns the new address.
func (as *AddressSpace) Remap(old, oldLen, newLen uint64, flags uint32, newAddr uint64) (uint64, error) {
	if old%abi.PageSize != 0 || flags&^(abi.MREMAP_MAYMOVE|abi.MREMAP_FIXED) != 0 {
		return 0, abi.EINVAL
	}
	if flags&abi.MREMAP_FIXED != 0 && (flags&abi.MREMAP_MAYMOVE == 0 || newAddr%abi.PageSize != 0) {
		return 0, abi.EINVAL
	}
	oldLen, ok1 := abi.PageRoundUp(oldLen)
	newLen, ok2 := abi.PageRoundUp(newLen)
	if !ok1 || !ok2 || newLen == 0 || newLen > abi.TaskSize {
		return 0, abi.EINVAL
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	as.syncLocked()
	v := as.lookup(old)
	if v == nil || oldLen == 0 || old+oldLen > v.End {
		return 0, abi.EFAULT
	}
	fixed := flags&abi.MREMAP_FIXED != 0
	if fixed {
		if newAddr+newLen < newAddr || newAddr+newLen > abi.TaskSize {
			return 0, abi.EINVAL
		}
		if newAddr < old+oldLen && old < newAddr+newLen {
			return 0, abi.EINVAL
		}
	}
	if !fixed && newLen <= oldLen {
		as.unmapLocked(old+newLen, old+oldLen)
		return old, nil
	}
	if lim := limit(as.limits.AS); lim != abi.RLIM_INFINITY && newLen > oldLen && as.total()+newLen-oldLen > lim {
		return 0, abi.ENOMEM
	}
	// Grow in place when [old, old+oldLen) is the tail of v and the room
	// after it is free.
	if !fixed && old+oldLen == v.End && as.free(v.End, old+newLen) && old+newLen <= abi.TaskSize {
		if err := as.extendUp(v, old+newLen); err != nil {
			return 0, err
		}
		return old, nil
	}
	if flags&abi.MREMAP_MAYMOVE == 0 {
		return 0, abi.ENOMEM
	}
	dst := newAddr
	if !fixed {
		var found bool
		if dst, found = as.place(0, newLen, false); !found {
			return 0, abi.ENOMEM
		}
	} else {
		as.unmapLocked(dst, dst+newLen)
	}
	// Move the pages: the piece [old, old+oldLen) keeps its host memory
	// and is mapped at dst; growth past its end needs a larger copy.
	piece := as.splitOut(v, old, old+oldLen)
	as.engUnmap(piece)
	as.remove(piece)
	if piece == as.heap {
		as.heap = nil
	}
	piece.Start, piece.End = dst, dst+min(oldLen, newLen)
	as.insert(piece)
	as.mustMap(piece)
	if newLen > oldLen {
		if err := as.extendUp(piece, dst+newLen); err != nil {
			return 0, err
		}
	} else if newLen < oldLen && !piece.Shared {
		piece.mem.zero(piece.memOff+newLen, oldLen-newLen)
	}
	return dst, nil
}

// extendUp grows v to end newEnd, in its host memory if it has room there,
// else in a larger copy.
func (as *AddressSpace) extendUp(v *VMA, newEnd uint64) error {
	need := v.memOff + (newEnd - v.Start)
	if v.mem.external || (v.Shared && v.mem.refs > 1) {
		// Memory others see (a file's, or shared with another
		// process) cannot be copied away: grow in place or not at all.
		if need > v.mem.size() {
			return abi.ENOMEM
		}
		as.engUnmap(v)
	} else if need > v.mem.size() || v.mem.refs > 1 {
		// Reserve twice what is needed so that a heap or a buffer that
		// keeps growing is not copied every time.
		mem, err := allocHost(2 * (newEnd - v.Start))
		if err != nil {
			return abi.ENOMEM
		}
		copy(mem.b, v.host())
		as.engUnmap(v)
		v.mem.unref()
		v.mem, v.memOff = mem, 0
	} else {
		as.engUnmap(v)
	}
	v.End = newEnd
	as.mustMap(v)
	return nil
}

// SetBrk sets where the program break starts: the page after the loaded
// program's bss.
func (as *AddressSpace) SetBrk(start uint64) {
	as.mu.Lock()
	defer as.mu.Unlock()
	start, _ = abi.PageRoundUp(start)
	as.brkStart, as.brk = start, start
}

// Brk implements brk(2): it moves the break to addr if it can and returns
// the break, which stays put on failure (mm/mmap.c).
func (as *AddressSpace) Brk(addr uint64, limitData uint64) uint64 {
	as.mu.Lock()
	defer as.mu.Unlock()
	as.syncLocked()
	if addr < as.brkStart || addr > abi.TaskSize {
		return as.brk
	}
	if limitData != abi.RLIM_INFINITY && addr-as.brkStart > limitData {
		return as.brk
	}
	newEnd, _ := abi.PageRoundUp(addr)
	oldEnd, _ := abi.PageRoundUp(as.brk)
	switch {
	case newEnd < oldEnd:
		as.unmapLocked(newEnd, oldEnd)
	case newEnd > oldEnd:
		if !as.free(oldEnd, newEnd) || !as.clearOfStackGap(newEnd) {
			return as.brk
		}
		if lim := limit(as.limits.AS); lim != abi.RLIM_INFINITY && as.total()+newEnd-oldEnd > lim {
			return as.brk
		}
		if as.heap != nil && as.heap.End == oldEnd {
			if as.extendUp(as.heap, newEnd) != nil {
				return as.brk
			}
		} else {
			mem, err := allocHost(max(newEnd-oldEnd, 1<<20))
			if err != nil {
				return as.brk
			}
			v := &VMA{Start: oldEnd, End: newEnd, Prot: abi.PROT_READ | abi.PROT_WRITE, Name: "[heap]", mem: mem}
			if as.engMap(v) != nil {
				mem.unref()
				return as.brk
			}
			as.insert(v)
			as.heap = v
		}
	}
	as.brk = addr
	return as.brk
}

// MapStack creates the main thread's stack: size bytes ending at top, able to
// grow down to RLIMIT_STACK.
func (as *AddressSpace) MapStack(top, size uint64) error {
	as.mu.Lock()
	defer as.mu.Unlock()
	limit := as.stackLimit()
	reserve := max(size, min(limit, 64<<20))
	mem, err := allocHost(reserve)
	if err != nil {
		return abi.ENOMEM
	}
	v := &VMA{Start: top - size, End: top, Prot: abi.PROT_READ | abi.PROT_WRITE, GrowsDown: true,
		Name: "[stack]", mem: mem, memOff: reserve - size}
	if !as.free(v.Start, v.End) {
		mem.unref()
		return abi.ENOMEM
	}
	if err := as.engMap(v); err != nil {
		mem.unref()
		return abi.ENOMEM
	}
	as.insert(v)
	return nil
}

func (as *AddressSpace) stackLimit() uint64 {
	if as.limits.Stack == nil {
		return 8 << 20
	}
	return as.limits.Stack()
}

// Grow handles an access to unmapped addr: if addr lies in the room a stack
// may grow down into, the stack grows to cover it and Grow returns true. It
// is the engine's fault handler and so runs on the engine's owner.
func (as *AddressSpace) Grow(addr uint64) bool {
	as.mu.Lock()
	defer as.mu.Unlock()
	if !as.growLocked(addr) {
		return false
	}
	as.syncLocked()
	return true
}

// growLocked grows the stack above addr down to addr's page without touching
// the engine; the change is queued for syncLocked.
func (as *AddressSpace) growLocked(addr uint64) bool {
	i := as.find(addr)
	if i == len(as.vmas) {
		return false
	}
	v := as.vmas[i]
	if !v.GrowsDown || v.Start <= addr {
		return false
	}
	newStart := abi.PageRoundDown(addr)
	if sl := as.stackLimit(); sl != abi.RLIM_INFINITY && v.End-newStart > sl {
		return false
	}
	if i > 0 && as.vmas[i-1].End+stackGuardGap > newStart {
		return false
	}
	if lim := limit(as.limits.AS); lim != abi.RLIM_INFINITY && as.total()+v.Start-newStart > lim {
		return false
	}
	grow := v.Start - newStart
	// The engine still maps v's range as of the last sync; queue that
	// range for unmapping once.
	queued := false
	for _, p := range as.pendingMap {
		queued = queued || p == v
	}
	if !queued {
		as.pending = append(as.pending, [2]uint64{v.Start, v.Len()})
		as.pendingMap = append(as.pendingMap, v)
	}
	if grow > v.memOff {
		// Out of reserved room: move to a larger reservation, contents
		// at its top.
		size := v.Len() + grow
		reserve := max(2*size, 1<<20)
		mem, err := allocHost(reserve)
		if err != nil {
			return false
		}
		copy(mem.b[reserve-v.Len():], v.host())
		v.mem.unref()
		v.mem, v.memOff = mem, reserve-v.Len()
	}
	v.memOff -= grow
	v.Start = newStart
	as.dirty.Store(true)
	return true
}

// Sync brings the engine up to date with changes made by goroutines that do
// not own it (a stack grown by a kernel copy) and drops translations of code
// the kernel overwrote. Only the engine's owner may call it; it is cheap when
// there is nothing to do.
func (as *AddressSpace) Sync() {
	if !as.dirty.Load() {
		return
	}
	as.mu.Lock()
	as.syncLocked()
	as.mu.Unlock()
}

func (as *AddressSpace) syncLocked() {
	if !as.dirty.Swap(false) {
		return
	}
	for _, r := range as.pending {
		if err := as.eng.Unmap(r[0], r[1]); err != nil {
			panic("mmu: engine out of step with VMAs: " + err.Error())
		}
	}
	for _, v := range as.pendingMap {
		as.mustMap(v)
	}
	as.pending, as.pendingMap = nil, nil
	as.invalMu.Lock()
	inval := as.invalidate
	as.invalidate = nil
	as.invalMu.Unlock()
	for _, x := range inval {
		as.eng.InvalidateCode(x[0], x[1]-x[0])
	}
}
