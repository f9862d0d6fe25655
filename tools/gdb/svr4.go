package gdb

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"strings"

	"paddock/abi"
	"paddock/kernel/observe"
)

// librariesSVR4 describes the shared objects the dynamic loader has
// loaded, as qXfer:libraries-svr4 does: it follows the program's
// DT_DEBUG entry to r_debug and walks the link_map list, where musl's
// loader (and glibc's) keep them for debuggers. Before the loader has run
// the list is empty.
func librariesSVR4(t observe.DebugTask) string {
	const empty = `<library-list-svr4 version="1.0"/>`
	aux := t.Auxv()
	var phdr, phnum uint64
	for i := 0; i+16 <= len(aux); i += 16 {
		k, v := binary.LittleEndian.Uint64(aux[i:]), binary.LittleEndian.Uint64(aux[i+8:])
		switch k {
		case abi.AT_PHDR:
			phdr = v
		case abi.AT_PHNUM:
			phnum = v
		}
	}
	u64 := func(addr uint64) (uint64, bool) {
		var b [8]byte
		if t.CopyIn(addr, b[:]) != nil {
			return 0, false
		}
		return binary.LittleEndian.Uint64(b[:]), true
	}
	// The program's load bias from its PT_PHDR, then its PT_DYNAMIC.
	var bias, dynamic uint64
	var hasPhdr bool
	for i := uint64(0); i < phnum && i < 256; i++ {
		var b [56]byte // sizeof(Elf64_Phdr)
		var ph elf.Prog64
		if t.CopyIn(phdr+uint64(len(b))*i, b[:]) != nil || binary.Read(bytes.NewReader(b[:]), binary.LittleEndian, &ph) != nil {
			return empty
		}
		switch elf.ProgType(ph.Type) {
		case elf.PT_PHDR:
			bias, hasPhdr = phdr-ph.Vaddr, true
		case elf.PT_DYNAMIC:
			dynamic = ph.Vaddr
		}
	}
	if dynamic == 0 || !hasPhdr {
		return empty
	}
	dynamic += bias
	var rdebug uint64
	for i := uint64(0); i < 4096; i++ {
		tag, ok := u64(dynamic + 16*i)
		if !ok || elf.DynTag(tag) == elf.DT_NULL {
			break
		}
		if elf.DynTag(tag) == elf.DT_DEBUG {
			rdebug, _ = u64(dynamic + 16*i + 8)
		}
	}
	if rdebug == 0 {
		return empty
	}
	// struct r_debug { int r_version; struct link_map *r_map; ... } and
	// struct link_map { l_addr, l_name, l_ld, l_next, l_prev }.
	lm, ok := u64(rdebug + 8)
	if !ok || lm == 0 {
		return empty
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<library-list-svr4 version="1.0" main-lm="%#x">`, lm)
	first := true
	for n := 0; lm != 0 && n < 4096; n++ {
		addr, _ := u64(lm)
		namep, _ := u64(lm + 8)
		ld, _ := u64(lm + 16)
		next, ok := u64(lm + 24)
		if !ok {
			break
		}
		if !first {
			name := cstring(t, namep)
			fmt.Fprintf(&b, `<library name="%s" lm="%#x" l_addr="%#x" l_ld="%#x" lmid="0x0"/>`, xmlEscape(name), lm, addr, ld)
		}
		first = false
		lm = next
	}
	b.WriteString("</library-list-svr4>")
	return b.String()
}

// cstring reads a NUL-terminated string of the guest.
func cstring(t observe.DebugTask, addr uint64) string {
	var out []byte
	var c [1]byte
	for len(out) < 4096 && t.CopyIn(addr+uint64(len(out)), c[:]) == nil && c[0] != 0 {
		out = append(out, c[0])
	}
	return string(out)
}

// xmlEscape escapes an attribute value.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
