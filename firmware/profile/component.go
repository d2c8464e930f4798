package profile

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiosk06/kiosk/firmware/config"
)

// Go runs f in its own goroutine until its context (derived from ctx) is
// cancelled; the Component's Stop cancels it and waits for f to return.
// An error other than cancellation is logged.
func Go(ctx context.Context, name string, log *slog.Logger, f func(context.Context) error) Component {
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := f(rctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error(name+" stopped", "err", err)
		}
	}()
	return Component{name, func(sctx context.Context) error {
		cancel()
		select {
		case <-done:
			return nil
		case <-sctx.Done():
			return fmt.Errorf("%s did not stop in time", name)
		}
	}}
}

// OperatorKey loads an operator key with load; under --sim a development
// key (32 random bytes, hex) is made at path on first start — never on a
// real device, where the operator provides it.
func OperatorKey(cfg *config.Config, path string, load func(string) ([]byte, error)) ([]byte, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && cfg.Sim {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(hex.EncodeToString(k)), 0o600); err != nil {
			return nil, err
		}
	}
	return load(path)
}

// Secret is an inline value, or the trimmed contents of file when set.
func Secret(value, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	b, err := os.ReadFile(file)
	return strings.TrimSpace(string(b)), err
}
