package mmu

import (
	"bytes"

	"paddock/abi"
	"paddock/emu/cpu"
)

// Fork returns a copy of the address space running on eng, for fork(2):
// private mappings are copied, shared ones keep the same host memory so that
// both processes see each other's writes.
func (as *AddressSpace) Fork(eng cpu.Engine) (*AddressSpace, error) {
	as.mu.Lock()
	defer as.mu.Unlock()
	as.syncLocked()
	child := &AddressSpace{eng: eng, brkStart: as.brkStart, brk: as.brk,
		limits: as.limits}
	copies := map[*hostMem]*hostMem{}
	for _, v := range as.vmas {
		c := *v
		if v.Shared {
			v.mem.ref()
		} else if m, ok := copies[v.mem]; ok {
			m.ref()
			c.mem = m
			copyPages(m.b[c.memOff:c.memOff+c.Len()], v.host())
		} else {
			m, err := allocHost(v.mem.size())
			if err != nil {
				child.closeLocked()
				return nil, err
			}
			copies[v.mem] = m
			c.mem = m
			copyPages(m.b[c.memOff:c.memOff+c.Len()], v.host())
		}
		if err := child.engMap(&c); err != nil {
			c.mem.unref()
			child.closeLocked()
			return nil, err
		}
		child.vmas = append(child.vmas, &c)
		if v == as.heap {
			child.heap = &c
		}
	}
	return child, nil
}

// copyPages copies src to dst page by page, skipping pages that are all
// zero: dst is fresh memory, already zero, and skipping leaves the host
// pages untouched (no RAM) where the guest never wrote.
func copyPages(dst, src []byte) {
	for off := 0; off < len(src); off += abi.PageSize {
		end := min(off+abi.PageSize, len(src))
		if !allZero(src[off:end]) {
			copy(dst[off:end], src[off:end])
		}
	}
}

var zeroPage [4096]byte

func allZero(b []byte) bool { return bytes.Equal(b, zeroPage[:len(b)]) }

func (as *AddressSpace) closeLocked() {
	for _, v := range as.vmas {
		as.engUnmap(v)
		v.mem.unref()
	}
	as.vmas = nil
}
