// Package trace observes guests for people: strace-compatible syscall
// traces (text and JSON, with strace's -e classes and -c summary), and
// plain-English notes on what each call asks of the kernel.
package trace

import (
	"strconv"
	"strings"
)

// flagName pairs a flag bit (or bits) with its name.
type flagName struct {
	v    uint64
	name string
}

// flags prints v as strace prints a flag set: names joined by "|", the
// leftover bits in hex, and "0" for an empty set.
func flags(v uint64, names []flagName) string {
	var b strings.Builder
	for _, f := range names {
		if f.v != 0 && v&f.v == f.v {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(f.name)
			v &^= f.v
		}
	}
	if v != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString("0x" + strconv.FormatUint(v, 16))
	}
	if b.Len() == 0 {
		return "0"
	}
	return b.String()
}

// enum prints v by name, or as strace prints an unknown value of a known
// type: the number with a comment naming the type's prefix.
func enum(v uint64, names []flagName, unknown string) string {
	for _, f := range names {
		if f.v == v {
			return f.name
		}
	}
	return "0x" + strconv.FormatUint(v, 16) + " /* " + unknown + " */"
}

// quote renders b as strace's string_quote does: C escapes for the usual
// control characters, \" and \\, octal for other unprintable bytes (three
// digits when a digit follows, so that the escape cannot run on), or, with
// hex, every byte as \xNN.
func quote(b []byte, hex bool) string {
	var s strings.Builder
	s.Grow(len(b) + 2)
	s.WriteByte('"')
	for i, c := range b {
		if hex {
			s.WriteString(`\x`)
			s.WriteByte("0123456789abcdef"[c>>4])
			s.WriteByte("0123456789abcdef"[c&15])
			continue
		}
		switch c {
		case '"', '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case '\f':
			s.WriteString(`\f`)
		case '\n':
			s.WriteString(`\n`)
		case '\r':
			s.WriteString(`\r`)
		case '\t':
			s.WriteString(`\t`)
		case '\v':
			s.WriteString(`\v`)
		default:
			if c >= ' ' && c <= '~' {
				s.WriteByte(c)
				continue
			}
			s.WriteByte('\\')
			if i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '9' {
				s.WriteByte('0' + c>>6)
				s.WriteByte('0' + c>>3&7)
				s.WriteByte('0' + c&7)
			} else {
				s.WriteString(strconv.FormatUint(uint64(c), 8))
			}
		}
	}
	s.WriteByte('"')
	return s.String()
}

// ptr prints an address as strace does: NULL, or hex.
func ptr(v uint64) string {
	if v == 0 {
		return "NULL"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// hex prints a number as C's %#lx does: 0, or 0x1000.
func hex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// octal prints a mode as strace does (%#03o): 0644, 022, 000.
func octal(v uint64) string {
	s := strconv.FormatUint(v, 8)
	for len(s) < 3 {
		s = "0" + s
	}
	if s[0] != '0' {
		s = "0" + s
	}
	return s
}

// dec prints a C int argument: the low 32 bits, signed.
func dec(v uint64) string { return strconv.Itoa(int(int32(v))) }

// ldec prints a C long argument.
func ldec(v uint64) string { return strconv.FormatInt(int64(v), 10) }

// udec prints an unsigned long argument (a size).
func udec(v uint64) string { return strconv.FormatUint(v, 10) }
