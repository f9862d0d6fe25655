package gdb

import (
	"fmt"
	"strings"
)

// The registers of the 'g' packet, in target.xml's order, with their
// sizes in bytes (gdb's amd64 Linux description: core, SSE, linux and
// segments features).
const (
	regRIP    = 16
	regEFLAGS = 17
	regCS     = 18 // cs ss ds es fs gs: 18..23
	regST0    = 24 // st0..st7: 24..31
	regFCTRL  = 32 // fctrl fstat ftag fiseg fioff foseg fooff fop: 32..39
	regXMM0   = 40 // xmm0..xmm15: 40..55
	regMXCSR  = 56
	regOrigAX = 57
	regFSBase = 58
	regGSBase = 59
	numRegs   = 60
)

// regSize is the size in bytes of register n.
func regSize(n int) int {
	switch {
	case n < regEFLAGS:
		return 8
	case n < regST0:
		return 4
	case n < regFCTRL:
		return 10
	case n < regXMM0:
		return 4
	case n < regMXCSR:
		return 16
	case n == regMXCSR:
		return 4
	}
	return 8
}

var gprNames = []string{"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}

// flagsType writes a flags type with one-bit fields.
func flagsType(b *strings.Builder, id string, fields []string) {
	fmt.Fprintf(b, "  <flags id=%q size=\"4\">\n", id)
	for i, f := range fields {
		if f != "" {
			fmt.Fprintf(b, "    <field name=%q start=\"%d\" end=\"%d\"/>\n", f, i, i)
		}
	}
	b.WriteString("  </flags>\n")
}

// targetXML describes the registers to gdb.
var targetXML = func() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
<architecture>i386:x86-64</architecture>
<osabi>GNU/Linux</osabi>
<feature name="org.gnu.gdb.i386.core">
`)
	flagsType(&b, "i386_eflags", []string{"CF", "", "PF", "", "AF", "", "ZF", "SF", "TF", "IF", "DF", "OF", "", "", "NT", "", "RF", "VM", "AC", "VIF", "VIP", "ID"})
	for i, r := range gprNames {
		typ := "int64"
		if r == "rbp" || r == "rsp" {
			typ = "data_ptr"
		}
		fmt.Fprintf(&b, "  <reg name=%q bitsize=\"64\" type=%q regnum=\"%d\"/>\n", r, typ, i)
	}
	b.WriteString("  <reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n")
	b.WriteString("  <reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n")
	for _, r := range []string{"cs", "ss", "ds", "es", "fs", "gs"} {
		fmt.Fprintf(&b, "  <reg name=%q bitsize=\"32\" type=\"int32\"/>\n", r)
	}
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&b, "  <reg name=\"st%d\" bitsize=\"80\" type=\"i387_ext\"/>\n", i)
	}
	for _, r := range []string{"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"} {
		fmt.Fprintf(&b, "  <reg name=%q bitsize=\"32\" type=\"int\" group=\"float\"/>\n", r)
	}
	b.WriteString(`</feature>
<feature name="org.gnu.gdb.i386.sse">
  <vector id="v4f" type="ieee_single" count="4"/>
  <vector id="v2d" type="ieee_double" count="2"/>
  <vector id="v16i8" type="int8" count="16"/>
  <vector id="v8i16" type="int16" count="8"/>
  <vector id="v4i32" type="int32" count="4"/>
  <vector id="v2i64" type="int64" count="2"/>
  <union id="vec128">
    <field name="v4_float" type="v4f"/>
    <field name="v2_double" type="v2d"/>
    <field name="v16_int8" type="v16i8"/>
    <field name="v8_int16" type="v8i16"/>
    <field name="v4_int32" type="v4i32"/>
    <field name="v2_int64" type="v2i64"/>
    <field name="uint128" type="uint128"/>
  </union>
`)
	flagsType(&b, "i386_mxcsr", []string{"IE", "DE", "ZE", "OE", "UE", "PE", "DAZ", "IM", "DM", "ZM", "OM", "UM", "PM", "", "", "FZ"})
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&b, "  <reg name=\"xmm%d\" bitsize=\"128\" type=\"vec128\" regnum=\"%d\"/>\n", i, regXMM0+i)
	}
	b.WriteString(`  <reg name="mxcsr" bitsize="32" type="i386_mxcsr" group="vector"/>
</feature>
<feature name="org.gnu.gdb.i386.linux">
  <reg name="orig_rax" bitsize="64" type="int" regnum="57"/>
</feature>
<feature name="org.gnu.gdb.i386.segments">
  <reg name="fs_base" bitsize="64" type="int"/>
  <reg name="gs_base" bitsize="64" type="int"/>
</feature>
</target>
`)
	return b.String()
}()

// linuxToGDB maps Linux signal numbers to gdb's (include/gdb/signals.def),
// which follow the BSD order for the classic signals.
var linuxToGDB = map[int]int{
	1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 10, 8: 8, 9: 9, 10: 30, 11: 11, 12: 31, 13: 13, 14: 14, 15: 15,
	17: 20, 18: 19, 19: 17, 20: 18, 21: 21, 22: 22, 23: 16, 24: 24, 25: 25, 26: 26, 27: 27, 28: 28,
	29: 23, 30: 32, 31: 12, 32: 77, 64: 78,
}

// gdbSignal converts a Linux signal number to gdb's.
func gdbSignal(sig int) int {
	if g, ok := linuxToGDB[sig]; ok {
		return g
	}
	if sig >= 33 && sig <= 63 {
		return 45 + sig - 33
	}
	return 143 // GDB_SIGNAL_UNKNOWN
}

// linuxSignal converts gdb's signal number to Linux's, or 0.
func linuxSignal(g int) int {
	for l, x := range linuxToGDB {
		if x == g {
			return l
		}
	}
	if g >= 45 && g <= 75 {
		return 33 + g - 45
	}
	return 0
}
