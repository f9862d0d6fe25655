package mmu

import (
	"bytes"

	"paddock/abi"
)

// The kernel's access to guest memory. Like Linux's copy_from_user and
// copy_to_user these check the guest's permissions (a read needs PROT_READ, a
// write PROT_WRITE) and fail with EFAULT instead of faulting; an access just
// below a stack grows it, as a page fault in the kernel would. They touch
// host memory only, never the engine, so any goroutine may call them.

// CopyIn copies len(b) bytes at guest address addr into b.
func (as *AddressSpace) CopyIn(addr uint64, b []byte) error {
	return as.access(addr, uint64(len(b)), false, func(host []byte, off int) {
		copy(b[off:], host)
	})
}

// CopyOut copies b to guest address addr.
func (as *AddressSpace) CopyOut(addr uint64, b []byte) error {
	return as.access(addr, uint64(len(b)), true, func(host []byte, off int) {
		copy(host, b[off:])
	})
}

// ZeroOut writes n zero bytes at addr.
func (as *AddressSpace) ZeroOut(addr, n uint64) error {
	return as.access(addr, n, true, func(host []byte, _ int) { clear(host) })
}

// access calls fn on each host slice backing [addr, addr+n), with the offset
// of that slice within the range, after checking that all of it may be
// accessed.
func (as *AddressSpace) access(addr, n uint64, write bool, fn func(host []byte, off int)) error {
	if n == 0 {
		return nil
	}
	end := addr + n
	if end < addr || end > abi.TaskSize {
		return abi.EFAULT
	}
	need := uint32(abi.PROT_READ)
	if write {
		need = abi.PROT_WRITE
	}
	as.mu.RLock()
	if !as.covered(addr, end, need) {
		as.mu.RUnlock()
		// Maybe the range lies just below a stack: grow it and retry.
		as.mu.Lock()
		grew := as.lookup(addr) == nil && as.growLocked(addr)
		as.mu.Unlock()
		if !grew {
			return abi.EFAULT
		}
		as.mu.RLock()
		if !as.covered(addr, end, need) {
			as.mu.RUnlock()
			return abi.EFAULT
		}
	}
	defer as.mu.RUnlock()
	for a := addr; a < end; {
		v := as.lookup(a)
		stop := min(end, v.End)
		off := v.memOff + (a - v.Start)
		fn(v.mem.b[off:off+(stop-a)], int(a-addr))
		if write && v.Prot&abi.PROT_EXEC != 0 {
			as.noteCodeWrite(a, stop)
		}
		a = stop
	}
	return nil
}

// covered reports whether [start, end) is mapped with at least prot.
func (as *AddressSpace) covered(start, end uint64, prot uint32) bool {
	for a := start; a < end; {
		v := as.lookup(a)
		if v == nil || v.Prot&prot != prot {
			return false
		}
		a = v.End
	}
	return true
}

// ReadCString reads a NUL-terminated string of at most max bytes (NUL not
// counted) at addr. It returns ENAMETOOLONG if no NUL comes within max+1
// bytes, EFAULT on a bad address.
func (as *AddressSpace) ReadCString(addr uint64, max int) (string, error) {
	var out []byte
	buf := make([]byte, 256)
	for len(out) <= max {
		// Read up to the end of the page so that a string ending just
		// before an unmapped page is still read.
		chunk := abi.PageSize - addr%abi.PageSize
		if chunk > uint64(len(buf)) {
			chunk = uint64(len(buf))
		}
		if err := as.CopyIn(addr, buf[:chunk]); err != nil {
			return "", err
		}
		if i := bytes.IndexByte(buf[:chunk], 0); i >= 0 {
			out = append(out, buf[:i]...)
			if len(out) > max {
				break
			}
			return string(out), nil
		}
		out = append(out, buf[:chunk]...)
		addr += chunk
	}
	return "", abi.ENAMETOOLONG
}

// ReadUint64 reads a little-endian 64-bit word at addr.
func (as *AddressSpace) ReadUint64(addr uint64) (uint64, error) {
	var b [8]byte
	if err := as.CopyIn(addr, b[:]); err != nil {
		return 0, err
	}
	return le64(b[:]), nil
}

// WriteUint64 writes a little-endian 64-bit word at addr.
func (as *AddressSpace) WriteUint64(addr, v uint64) error {
	var b [8]byte
	put64(b[:], v)
	return as.CopyOut(addr, b[:])
}

// ReadUint32 reads a little-endian 32-bit word at addr.
func (as *AddressSpace) ReadUint32(addr uint64) (uint32, error) {
	var b [4]byte
	if err := as.CopyIn(addr, b[:]); err != nil {
		return 0, err
	}
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24, nil
}

// WriteUint32 writes a little-endian 32-bit word at addr.
func (as *AddressSpace) WriteUint32(addr uint64, v uint32) error {
	b := [4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
	return as.CopyOut(addr, b[:])
}

func le64(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func put64(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}

// Mapped reports whether all of [addr, addr+n) is mapped.
func (as *AddressSpace) Mapped(addr, n uint64) bool {
	end, ok := abi.PageRoundUp(addr + n)
	if !ok || addr+n < addr {
		return false
	}
	as.mu.RLock()
	defer as.mu.RUnlock()
	return as.covered(addr, end, 0)
}

// Prot returns the protection of the page holding addr, and false if it is
// unmapped.
func (as *AddressSpace) Prot(addr uint64) (uint32, bool) {
	as.mu.RLock()
	defer as.mu.RUnlock()
	v := as.lookup(addr)
	if v == nil {
		return 0, false
	}
	return v.Prot, true
}

// Discard implements MADV_DONTNEED: private pages in [addr, addr+n) read
// back as zeros; shared ones keep their contents. ENOMEM if part of the
// range is unmapped, as madvise(2) says.
func (as *AddressSpace) Discard(addr, n uint64) error {
	end, ok := abi.PageRoundUp(addr + n)
	if !ok || addr+n < addr {
		return abi.EINVAL
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	if !as.covered(addr, end, 0) {
		return abi.ENOMEM
	}
	for a := addr; a < end; {
		v := as.lookup(a)
		stop := min(end, v.End)
		if !v.Shared {
			v.mem.zero(v.memOff+(a-v.Start), stop-a)
		}
		a = stop
	}
	return nil
}

// FutexKey identifies the memory at addr for futexes: a private futex is
// its address in this address space; a shared one is the host memory and
// offset behind it, so that processes sharing the memory meet on one key.
func (as *AddressSpace) FutexKey(addr uint64, private bool) (any, uint64, error) {
	if addr%4 != 0 {
		return nil, 0, abi.EINVAL
	}
	if private {
		return as, addr, nil
	}
	as.mu.RLock()
	defer as.mu.RUnlock()
	v := as.lookup(addr)
	if v == nil {
		return nil, 0, abi.EFAULT
	}
	if !v.Shared {
		return as, addr, nil
	}
	return v.mem, v.memOff + (addr - v.Start), nil
}

// CompareAndSwap32 atomically replaces the 32-bit word at addr with new if
// it holds old, and returns what it held. The guest's own atomic
// instructions run on the engine, which holds this word's owner, so the
// kernel does this only while holding the engine (robust futexes).
func (as *AddressSpace) CompareAndSwap32(addr uint64, old, new uint32) (uint32, error) {
	var b [4]byte
	if err := as.CopyIn(addr, b[:]); err != nil {
		return 0, err
	}
	cur := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
	if cur != old {
		return cur, nil
	}
	return cur, as.WriteUint32(addr, new)
}
