package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"paddock/abi"
	"paddock/kernel"
)

// quitGrace is how long the guest has to end after SIGQUIT before
// paddock exits without it.
const quitGrace = 2 * time.Second

// dumpOnQuit makes SIGQUIT, sent to paddock from outside, print what each
// guest task is doing and the stacks of paddock's goroutines to w, and
// then end the guest as if its first process had died of SIGQUIT (paddock
// exits 131). It is how a hung guest is diagnosed: the test harness sends
// it to a guest that runs too long. The returned function stops watching.
func dumpOnQuit(k *kernel.Kernel, w io.Writer) func() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGQUIT)
	done := make(chan struct{})
	go func() {
		select {
		case <-c:
		case <-done:
			return
		}
		// A kernel deadlock would hold the lock the task list needs:
		// the goroutines' stacks are printed whatever happens.
		listed := make(chan struct{})
		go func() {
			k.DumpTasks(w)
			close(listed)
		}()
		select {
		case <-listed:
		case <-time.After(time.Second):
			fmt.Fprintln(w, "paddock: the task list is locked; paddock's goroutines follow")
		}
		pprof.Lookup("goroutine").WriteTo(w, 2)
		if p := k.InitProcess(); p != nil {
			k.GroupExit(p, kernel.Signaled(abi.SIGQUIT, false))
		}
		select {
		case <-k.Done():
		case <-time.After(quitGrace):
			fmt.Fprintln(w, "paddock: the guest did not end after SIGQUIT")
			os.Exit(128 + int(syscall.SIGQUIT))
		}
	}()
	return func() {
		signal.Stop(c)
		close(done)
	}
}
