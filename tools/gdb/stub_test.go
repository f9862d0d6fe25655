package gdb

import (
	"encoding/xml"
	"testing"
)

func TestEscape(t *testing.T) {
	for _, s := range []string{"", "plain", "a#b$c}d*e", "\x00\xff}}"} {
		if got := string(unescape(escape([]byte(s)))); got != s {
			t.Errorf("%q: round trip gives %q", s, got)
		}
	}
	if got := string(escape([]byte("#"))); got != "}\x03" {
		t.Errorf("escape(#) = %q", got)
	}
}

func TestXfer(t *testing.T) {
	data := []byte("0123456789")
	for _, c := range []struct{ arg, want string }{
		{"0,4", "m0123"}, {"8,4", "l89"}, {"0,a", "l0123456789"}, {"a,4", "l"}, {"x", "E01"},
	} {
		if got := xfer(data, c.arg); got != c.want {
			t.Errorf("xfer(%s) = %q, want %q", c.arg, got, c.want)
		}
	}
}

func TestSignals(t *testing.T) {
	for linux := 1; linux <= 64; linux++ {
		if linux == 16 {
			continue // SIGSTKFLT has no gdb number
		}
		if back := linuxSignal(gdbSignal(linux)); back != linux {
			t.Errorf("signal %d -> gdb %d -> %d", linux, gdbSignal(linux), back)
		}
	}
	for linux, g := range map[int]int{11: 11, 10: 30, 17: 20, 7: 10, 34: 46} {
		if gdbSignal(linux) != g {
			t.Errorf("gdbSignal(%d) = %d, want %d", linux, gdbSignal(linux), g)
		}
	}
}

// TestTargetXML checks that the description parses and numbers the
// registers as the 'g' packet lays them out.
func TestTargetXML(t *testing.T) {
	var d struct {
		Features []struct {
			Regs []struct {
				Name    string `xml:"name,attr"`
				Bitsize int    `xml:"bitsize,attr"`
			} `xml:"reg"`
		} `xml:"feature"`
	}
	if err := xml.Unmarshal([]byte(targetXML), &d); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range d.Features {
		for _, r := range f.Regs {
			if r.Bitsize != 8*regSize(n) {
				t.Errorf("register %d (%s): %d bits, 'g' has %d bytes", n, r.Name, r.Bitsize, regSize(n))
			}
			n++
		}
	}
	if n != numRegs {
		t.Errorf("%d registers described, %d in 'g'", n, numRegs)
	}
}
