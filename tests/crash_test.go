package tests

import (
	"math/rand/v2"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// killPlan is when a crash cycle SIGKILLs its child.
type killPlan struct {
	EarlyOneIn int           // one cycle in EarlyOneIn is killed during start-up …
	EarlyMax   time.Duration // … at a random moment up to EarlyMax
	LateMax    time.Duration // the others a random while (up to LateMax) after the first durable line
	// Late forces a kill after the first durable line: the last cycle of a
	// run in which every earlier cycle happened to be an early kill (one
	// seed in 3,125 for five cycles at one in five) still tests something.
	Late bool
}

// killAtRandom SIGKILLs a child started by startKioskd at a random moment
// chosen by plan, hands every stdout line it printed to record, and fails
// if the child had exited by itself.
func killAtRandom(t *testing.T, rng *rand.Rand, cycle int, cmd *exec.Cmd, lines <-chan string, stderr *syncBuffer, plan killPlan, record func(string)) {
	t.Helper()
	if rng.IntN(plan.EarlyOneIn) == 0 && !plan.Late {
		time.Sleep(time.Duration(rng.Int64N(int64(plan.EarlyMax))))
	} else {
		select {
		case l, ok := <-lines:
			if ok {
				record(l)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("cycle %d: no durable line in 20 s (stderr %s)", cycle, stderr.String())
		}
		time.Sleep(time.Duration(rng.Int64N(int64(plan.LateMax))))
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	for l := range lines {
		record(l)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatalf("cycle %d: %v exited before the kill (stderr %s)", cycle, cmd.Args[1:], stderr.String())
	}
}
