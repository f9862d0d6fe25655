package cputest

import "encoding/binary"

// Where ELF puts a program: its text (which the fake does not read: the
// Program is the code) and its data, a zeroed writable segment the
// program may use for strings and buffers.
const (
	TextAddr = 0x400000
	Entry    = TextAddr + 0x1000
	DataAddr = 0x600000
	DataSize = 0x10000
)

// ELF returns a static x86_64 executable the kernel can execve: one
// read-execute segment from TextAddr to past Entry, and DataSize bytes of
// writable data at DataAddr. A fake engine runs its Program from Entry.
func ELF() []byte {
	const ehdr, phdr = 64, 56
	b := make([]byte, 0x1000)
	copy(b, "\x7fELF\x02\x01\x01")
	le := binary.LittleEndian
	le.PutUint16(b[16:], 2)  // ET_EXEC
	le.PutUint16(b[18:], 62) // EM_X86_64
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[24:], Entry)
	le.PutUint64(b[32:], ehdr)
	le.PutUint16(b[52:], ehdr)
	le.PutUint16(b[54:], phdr)
	le.PutUint16(b[56:], 2)
	segs := []struct {
		flags            uint32
		off, vaddr, file uint64
		mem              uint64
	}{
		{5, 0, TextAddr, 0x1000, 0x2000}, // PF_R|PF_X
		{6, 0, DataAddr, 0, DataSize},    // PF_R|PF_W, all bss
	}
	for i, s := range segs {
		p := b[ehdr+phdr*i:]
		le.PutUint32(p[0:], 1) // PT_LOAD
		le.PutUint32(p[4:], s.flags)
		le.PutUint64(p[8:], s.off)
		le.PutUint64(p[16:], s.vaddr)
		le.PutUint64(p[24:], s.vaddr)
		le.PutUint64(p[32:], s.file)
		le.PutUint64(p[40:], s.mem)
		le.PutUint64(p[48:], 0x1000)
	}
	return b
}
