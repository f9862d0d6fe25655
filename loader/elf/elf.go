// Package elf loads x86_64 ELF executables into an address space the way
// Linux's binfmt_elf does (fs/binfmt_elf.c): ET_EXEC and ET_DYN (PIE), the
// PT_INTERP program interpreter, bss, the program break, and the initial
// stack with argv, envp and the auxiliary vector. It also parses "#!" lines.
// A malformed file is an ENOEXEC error, never a panic.
package elf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"paddock/abi"
	"paddock/emu/mmu"
)

// File is an executable or shared object to load.
type File struct {
	R    io.ReaderAt
	Size int64
	// Shown in /proc/[pid]/maps for the file's mappings.
	Path     string
	Dev, Ino uint64
}

// ELF constants (include/uapi/linux/elf.h).
const (
	etExec     = 2
	etDyn      = 3
	emX86_64   = 62
	ptLoad     = 1
	ptInterp   = 3
	ptPhdr     = 6
	ptGNUStack = 0x6474e551
	pfX        = 1
	pfW        = 2
	pfR        = 4
	ehdrSize   = 64
	phdrSize   = 56
	// maxPhdrs bounds the program header table as Linux does (it refuses
	// tables over 64 KiB).
	maxPhdrTable = 65536
	maxInterpLen = abi.PATH_MAX
)

// Error is a load failure: the errno the guest's execve sees and a reason
// for a human.
type Error struct {
	Errno  abi.Errno
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// Unwrap lets errors.Is match the errno.
func (e *Error) Unwrap() error { return e.Errno }

func noexec(format string, args ...any) error {
	return &Error{abi.ENOEXEC, fmt.Sprintf(format, args...)}
}

type header struct {
	typ              uint16
	entry, phoff     uint64
	phentsize, phnum uint16
}

type phdr struct {
	typ, flags                       uint32
	off, vaddr, filesz, memsz, align uint64
}

var le = binary.LittleEndian

// IsELF reports whether head starts with the ELF magic.
func IsELF(head []byte) bool {
	return len(head) >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F'
}

func readHeader(f File) (header, []phdr, error) {
	var h header
	b := make([]byte, ehdrSize)
	n, _ := f.R.ReadAt(b, 0)
	if !IsELF(b[:n]) {
		return h, nil, noexec("not an ELF file")
	}
	if n < ehdrSize {
		return h, nil, noexec("ELF header truncated (%d bytes)", n)
	}
	if b[4] != 2 || b[5] != 1 {
		return h, nil, noexec("not a 64-bit little-endian ELF file")
	}
	if m := le.Uint16(b[18:]); m != emX86_64 {
		return h, nil, noexec("ELF for machine %d, not x86_64", m)
	}
	h.typ = le.Uint16(b[16:])
	h.entry = le.Uint64(b[24:])
	h.phoff = le.Uint64(b[32:])
	h.phentsize = le.Uint16(b[54:])
	h.phnum = le.Uint16(b[56:])
	if h.typ != etExec && h.typ != etDyn {
		return h, nil, noexec("ELF type %d is not executable", h.typ)
	}
	if h.phentsize != phdrSize || h.phnum == 0 || int(h.phnum)*phdrSize > maxPhdrTable {
		return h, nil, noexec("bad program header table")
	}
	size := uint64(h.phnum) * phdrSize
	if h.phoff > uint64(f.Size) || size > uint64(f.Size)-h.phoff {
		return h, nil, noexec("program headers past the end of the file")
	}
	tb := make([]byte, size)
	if n, _ := f.R.ReadAt(tb, int64(h.phoff)); uint64(n) < size {
		return h, nil, noexec("short read of program headers")
	}
	ph := make([]phdr, h.phnum)
	for i := range ph {
		p := tb[i*phdrSize:]
		ph[i] = phdr{
			typ: le.Uint32(p[0:]), flags: le.Uint32(p[4:]), off: le.Uint64(p[8:]),
			vaddr: le.Uint64(p[16:]), filesz: le.Uint64(p[32:]), memsz: le.Uint64(p[40:]), align: le.Uint64(p[48:]),
		}
	}
	return h, ph, nil
}

// Image describes what Load mapped.
type Image struct {
	Entry     uint64 // where execution starts: the interpreter's entry if any
	ProgEntry uint64 // the program's own entry (AT_ENTRY)
	Phdr      uint64 // address of the program headers (AT_PHDR)
	Phnum     uint64
	Base      uint64 // the interpreter's load address (AT_BASE), 0 if none
	Interp    string // PT_INTERP, "" if none
	Brk       uint64 // end of the program's bss, where the break starts
	ExecStack bool   // PT_GNU_STACK asks for an executable stack
}

// Load maps exe (and its PT_INTERP interpreter, found with open) into as.
func Load(as *mmu.AddressSpace, exe File, open func(path string) (File, error)) (*Image, error) {
	h, ph, err := readHeader(exe)
	if err != nil {
		return nil, err
	}
	img := &Image{Phnum: uint64(h.phnum), ExecStack: true}
	for _, p := range ph {
		switch p.typ {
		case ptInterp:
			if p.filesz < 2 || p.filesz > maxInterpLen || p.off > uint64(exe.Size) || p.filesz > uint64(exe.Size)-p.off {
				return nil, noexec("bad PT_INTERP")
			}
			b := make([]byte, p.filesz)
			if n, _ := exe.R.ReadAt(b, int64(p.off)); uint64(n) != p.filesz || b[len(b)-1] != 0 {
				return nil, noexec("bad PT_INTERP")
			}
			img.Interp = string(b[:len(b)-1])
		case ptGNUStack:
			img.ExecStack = p.flags&pfX != 0
		}
	}
	// A PIE with an interpreter goes at ELF_ET_DYN_BASE; an ET_DYN without
	// one (a static PIE, or ld.so run directly) goes where mmap would put
	// it, as Linux does.
	var at uint64
	if h.typ == etDyn && img.Interp != "" {
		at = mmu.ETDynBase
	}
	load, err := loadSegments(as, exe, ph, h.typ == etDyn, at)
	if err != nil {
		return nil, err
	}
	img.ProgEntry = h.entry + load.bias
	img.Entry = img.ProgEntry
	img.Brk = load.end
	img.Phdr = phdrAddr(h, ph) + load.bias
	if img.Interp != "" {
		f, err := open(img.Interp)
		if err != nil {
			return nil, err
		}
		ih, iph, err := readHeader(f)
		if err != nil {
			return nil, &Error{abi.ELIBBAD, fmt.Sprintf("interpreter %s: %v", img.Interp, err)}
		}
		for _, p := range iph {
			if p.typ == ptInterp {
				return nil, &Error{abi.ELIBBAD, fmt.Sprintf("interpreter %s has an interpreter", img.Interp)}
			}
		}
		il, err := loadSegments(as, f, iph, ih.typ == etDyn, 0)
		if err != nil {
			var le *Error
			if errors.As(err, &le) {
				return nil, &Error{le.Errno, fmt.Sprintf("interpreter %s: %s", img.Interp, le.Reason)}
			}
			return nil, err
		}
		img.Base = il.base
		img.Entry = ih.entry + il.bias
	}
	return img, nil
}

// phdrAddr returns the unbiased address of the program header table: PT_PHDR
// if present, else where the PT_LOAD holding e_phoff puts it.
func phdrAddr(h header, ph []phdr) uint64 {
	for _, p := range ph {
		if p.typ == ptPhdr {
			return p.vaddr
		}
	}
	for _, p := range ph {
		if p.typ == ptLoad && h.phoff >= p.off && h.phoff < p.off+p.filesz {
			return p.vaddr + (h.phoff - p.off)
		}
	}
	return 0
}

type loaded struct {
	bias uint64 // added to every p_vaddr
	base uint64 // address of the lowest mapped page
	end  uint64 // highest p_vaddr+p_memsz, biased
}

func protOf(flags uint32) uint32 {
	var p uint32
	if flags&pfR != 0 {
		p |= abi.PROT_READ
	}
	if flags&pfW != 0 {
		p |= abi.PROT_WRITE
	}
	if flags&pfX != 0 {
		p |= abi.PROT_EXEC
	}
	return p
}

// loadSegments maps the PT_LOAD segments. An ET_DYN object's whole span is
// first reserved, at at (aligned down to the largest p_align, as Linux
// aligns load_bias) or, if at is 0, wherever mmap finds room; the segments
// are then mapped into it.
func loadSegments(as *mmu.AddressSpace, f File, ph []phdr, dyn bool, at uint64) (loaded, error) {
	var lo, hi uint64 = ^uint64(0), 0
	var loads []phdr
	for _, p := range ph {
		if p.typ != ptLoad {
			continue
		}
		if p.filesz > p.memsz || p.off > uint64(f.Size) || p.filesz > uint64(f.Size)-p.off {
			return loaded{}, noexec("PT_LOAD segment outside the file")
		}
		if p.vaddr+p.memsz < p.vaddr || p.vaddr+p.memsz > abi.TaskSize {
			return loaded{}, noexec("PT_LOAD segment outside the address space")
		}
		if (p.vaddr-p.off)%abi.PageSize != 0 {
			return loaded{}, noexec("PT_LOAD segment misaligned")
		}
		if p.align > 1 && p.align&(p.align-1) != 0 {
			return loaded{}, noexec("PT_LOAD alignment %#x is not a power of two", p.align)
		}
		lo = min(lo, abi.PageRoundDown(p.vaddr))
		end, _ := abi.PageRoundUp(p.vaddr + p.memsz)
		hi = max(hi, end)
		loads = append(loads, p)
	}
	if len(loads) == 0 {
		return loaded{}, noexec("no PT_LOAD segments")
	}
	var l loaded
	if dyn {
		// Reserve the span so that the segments land together; the
		// reservation is replaced segment by segment below.
		m := mmu.Mapping{Len: hi - lo, Prot: abi.PROT_NONE}
		if at != 0 {
			if a := maxAlign(loads); a > abi.PageSize {
				at &^= a - 1
			}
			m.Addr, m.NoReplace = at, true
		}
		start, err := as.Map(m)
		if err != nil {
			return loaded{}, &Error{abi.ENOMEM, "no room to load it"}
		}
		l.bias = start - lo
		if err := as.Unmap(start, hi-lo); err != nil {
			return loaded{}, err
		}
	} else if lo < mmu.MinAddr {
		return loaded{}, noexec("loads below mmap_min_addr")
	}
	l.base = lo + l.bias
	for _, p := range loads {
		start := abi.PageRoundDown(p.vaddr) + l.bias
		fileEnd, _ := abi.PageRoundUp(p.vaddr + p.filesz)
		fileEnd += l.bias
		memEnd, _ := abi.PageRoundUp(p.vaddr + p.memsz)
		memEnd += l.bias
		prot := protOf(p.flags)
		// The file part: whole pages of the file from the page holding
		// p_offset, as mmap maps them; the bytes between p_filesz and the
		// end of its page are zeroed when bss follows (padzero).
		pageOff := p.off - (p.vaddr - abi.PageRoundDown(p.vaddr))
		bssStart := p.vaddr + p.filesz + l.bias
		if fileEnd > start {
			hasBss := p.memsz > p.filesz
			fill := func(b []byte) error {
				n, err := f.R.ReadAt(b, int64(pageOff))
				if err != nil && err != io.EOF && n == 0 {
					return &Error{abi.EIO, err.Error()}
				}
				if hasBss {
					clear(b[bssStart-start:])
				}
				return nil
			}
			if _, err := as.Map(mmu.Mapping{Addr: start, Len: fileEnd - start, Prot: prot, Fixed: true, Fill: fill,
				Name: f.Path, Dev: f.Dev, Ino: f.Ino, Offset: pageOff}); err != nil {
				return loaded{}, &Error{abi.ENOMEM, fmt.Sprintf("mapping a segment: %v", err)}
			}
		}
		if memEnd > fileEnd {
			if _, err := as.Map(mmu.Mapping{Addr: fileEnd, Len: memEnd - fileEnd, Prot: prot, Fixed: true}); err != nil {
				return loaded{}, &Error{abi.ENOMEM, fmt.Sprintf("mapping bss: %v", err)}
			}
		}
		l.end = max(l.end, p.vaddr+p.memsz+l.bias)
	}
	return l, nil
}

func maxAlign(loads []phdr) uint64 {
	var a uint64
	for _, p := range loads {
		a = max(a, p.align)
	}
	return a
}
