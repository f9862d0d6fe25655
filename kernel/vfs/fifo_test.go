package vfs

import (
	"sync"
	"testing"
	"time"

	"paddock/abi"
)

// sleepCtx sleeps in Block as a task off the engine does; a wait longer
// than hang is reported as ETIMEDOUT, so that a lost wake-up fails the
// test instead of hanging it.
type sleepCtx struct{ c Creds }

const hang = 10 * time.Second

func (s *sleepCtx) Creds() *Creds { return &s.c }
func (s *sleepCtx) Block(w *Waiter, deadline time.Time) error {
	if deadline.IsZero() {
		deadline = time.Now().Add(hang)
	}
	select {
	case <-w.C:
		return nil
	case <-time.After(time.Until(deadline)):
		return abi.ETIMEDOUT
	}
}

// TestFIFORendezvous opens a FIFO's two ends at once, over and over: a
// reader that waits for a writer must see one that opened, wrote and
// closed while the reader was still getting ready to wait (fifo_open
// counts the partner's opens under the pipe's lock, wait_for_partner).
func TestFIFORendezvous(t *testing.T) {
	v, r, _ := newTestVFS(t)
	if err := v.Mknod(r, "/f", abi.S_IFIFO|0o644, 0, ""); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2000; i++ {
		var wg sync.WaitGroup
		var rerr, werr error
		got := make([]byte, 8)
		n := 0
		wg.Add(2)
		go func() {
			defer wg.Done()
			ctx := &sleepCtx{}
			f, err := v.Open(ctx, r, "/f", abi.O_RDONLY, 0)
			if rerr = err; err != nil {
				return
			}
			defer f.DecRef()
			n, rerr = f.Read(ctx, got)
		}()
		go func() {
			defer wg.Done()
			ctx := &sleepCtx{}
			f, err := v.Open(ctx, r, "/f", abi.O_WRONLY, 0)
			if werr = err; err != nil {
				return
			}
			_, werr = f.Write(ctx, []byte("x"))
			f.DecRef()
		}()
		wg.Wait()
		if rerr != nil || werr != nil || string(got[:n]) != "x" {
			t.Fatalf("round %d: reader got %q (%v), writer %v", i, got[:n], rerr, werr)
		}
	}
}
