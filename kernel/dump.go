package kernel

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// DumpTasks writes a line for each task saying what it is doing: its
// state as ps shows it, the syscall it sleeps in and for how long, whether
// it holds its address space's engine, and its signals. It is what a
// person needs to see why a guest hangs (paddock prints it on SIGQUIT,
// and the tests do when they kill a guest that ran too long).
func (k *Kernel) DumpTasks(w io.Writer) {
	k.mu.Lock()
	tasks := make([]*Task, 0, len(k.tasks))
	for _, t := range k.tasks {
		tasks = append(tasks, t)
	}
	k.mu.Unlock()
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].tid < tasks[j].tid })
	fmt.Fprintf(w, "paddock: guest tasks (%d):\n", len(tasks))
	for _, t := range tasks {
		fmt.Fprintf(w, "  %s\n", t.describe())
	}
}

// describe is a task's line in DumpTasks.
func (t *Task) describe() string {
	i := t.Info()
	var b strings.Builder
	fmt.Fprintf(&b, "pid %d tid %d ppid %d (%s) %c", i.PID, t.tid, i.PPID, i.Comm, i.State)
	t.mu.Lock()
	in, since := t.sleepingIn, t.sleepingSince
	t.mu.Unlock()
	if in != nil {
		fmt.Fprintf(&b, " in %s(%#x, %#x, %#x, %#x, %#x, %#x) for %v off the engine",
			in.nr.Name(), in.args[0], in.args[1], in.args[2], in.args[3], in.args[4], in.args[5],
			time.Since(since).Round(time.Millisecond))
	}
	if mm := t.Memory(); mm != nil {
		mm.mu.Lock()
		holds := mm.holder == t
		mm.mu.Unlock()
		if holds {
			b.WriteString(", holds the engine")
		}
		if n := mm.waiters.Load(); n > 0 && holds {
			fmt.Fprintf(&b, " (%d waiting)", n)
		}
	}
	fmt.Fprintf(&b, "; signals pending %#x, shared %#x, blocked %#x", uint64(i.SigPnd), uint64(i.ShdPnd), uint64(i.SigBlk))
	return b.String()
}
