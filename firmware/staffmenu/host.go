package staffmenu

import (
	"context"
	"time"

	"github.com/kiosk06/kiosk/firmware/flowrun"
)

// LoopHost is the Host of a flow that runs on a flowrun.Loop (one-stop,
// check-in).
func LoopHost[S, I any](l *flowrun.Loop[S, I]) Host { return loopHost[S, I]{l} }

type loopHost[S, I any] struct{ l *flowrun.Loop[S, I] }

func (h loopHost[S, I]) Go(op func(ctx context.Context) func()) { h.l.Go(op) }

func (h loopHost[S, I]) After(d time.Duration, f func()) func() { return h.l.After(d, f).Stop }
