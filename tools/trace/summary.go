package trace

import (
	"fmt"
	"io"
	"sort"
	"time"

	"paddock/abi"
)

// writeSummary writes strace -c's table: per call the share of time, the
// seconds, microseconds per call, calls and errors, busiest first. The
// time is system time: from entry to exit less the time asleep.
func writeSummary(w io.Writer, stats map[abi.Sysno]*tally) {
	type row struct {
		name string
		t    *tally
	}
	var rows []row
	var total tally
	for nr, t := range stats {
		rows = append(rows, row{nr.Name(), t})
		total.calls += t.calls
		total.errors += t.errors
		total.time += t.time
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].t.time != rows[j].t.time {
			return rows[i].t.time > rows[j].t.time
		}
		return rows[i].name < rows[j].name
	})
	const rule = "------ ----------- ----------- --------- --------- ----------------\n"
	fmt.Fprintf(w, "%% time     seconds  usecs/call     calls    errors syscall\n%s", rule)
	line := func(name string, t tally) {
		pct := 0.0
		if total.time > 0 {
			pct = 100 * float64(t.time) / float64(total.time)
		}
		errs := ""
		if t.errors > 0 {
			errs = fmt.Sprint(t.errors)
		}
		fmt.Fprintf(w, "%6.2f %11.6f %11d %9d %9s %s\n", pct, t.time.Seconds(), perCall(t), t.calls, errs, name)
	}
	for _, r := range rows {
		line(r.name, *r.t)
	}
	fmt.Fprint(w, rule)
	line("total", total)
}

// perCall is the mean time of a call in microseconds.
func perCall(t tally) int64 {
	if t.calls == 0 {
		return 0
	}
	return int64(t.time / time.Duration(t.calls) / time.Microsecond)
}
