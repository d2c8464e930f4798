package tests

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/kiosk06/kiosk/drivers/scanner/scannersim"
	"github.com/kiosk06/kiosk/tests/collector"
)

func errorsAs(err error, target any) bool { return err != nil && errors.As(err, target) }

// backendAndScanner starts the reference collector (token may be empty) and a
// simulated scanner ending scans with CR, both closed when t ends.
func backendAndScanner(t *testing.T, token string) (*collector.Collector, string, *scannersim.Sim) {
	t.Helper()
	coll := collector.New(collector.Options{Token: token})
	srv := httptest.NewServer(coll.Handler())
	t.Cleanup(srv.Close)
	sc, err := scannersim.Start(context.Background(), &scannersim.Options{Suffix: "\r"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Close() })
	return coll, srv.URL, sc
}
