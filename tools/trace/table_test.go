package trace_test

import (
	"testing"

	"paddock/abi"
	"paddock/kernel/sys"
	"paddock/tools/trace"
)

// TestTableCovered walks paddock's syscall table: every call it implements
// has a decoder and an explanation.
func TestTableCovered(t *testing.T) {
	n := 0
	for nr, e := range sys.Table {
		if e.Fn == nil {
			continue
		}
		n++
		if !trace.Known(abi.Sysno(nr)) {
			t.Errorf("%s has no decoder", abi.Sysno(nr).Name())
		}
		if trace.Explain(abi.Sysno(nr)) == trace.Explain(abi.MaxSysno) {
			t.Errorf("%s has no explanation", abi.Sysno(nr).Name())
		}
	}
	if n < 190 {
		t.Errorf("only %d syscalls in the table", n)
	}
}
