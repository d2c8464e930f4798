package profile

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/kiosk06/kiosk/queue"
	"github.com/kiosk06/kiosk/queue/queueapi"
)

// TestSiteQueueOffline: a client kiosk takes numbers from the host; while
// the host is down it issues its own prefixed numbers, and once the host
// answers again it hands them over (adopted, so counters call them) and
// withdraws them locally. Nothing is numbered twice.
func TestSiteQueueOffline(t *testing.T) {
	ctx := context.Background()
	services := []queue.Service{{Code: "A", Name: "Khám bệnh", Counters: []string{"1"}}}
	host, err := queue.Open(ctx, queue.Config{Services: services}, &queue.MemoryJournal{})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 32)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	api, err := queueapi.New(host, queueapi.Config{Clients: []queueapi.Client{{Name: "kiosk-b", Token: tok, Role: queueapi.Kiosk}},
		RequestsPerSecond: 1000, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		api.ServeHTTP(w, r)
	}))
	defer srv.Close()
	local, err := queue.Open(ctx, queue.Config{Services: services}, &queue.MemoryJournal{})
	if err != nil {
		t.Fatal(err)
	}
	remote, err := queueapi.NewRemote(queueapi.RemoteConfig{URL: srv.URL, Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	sq := &SiteQueue{Engine: local, remote: remote, prefix: "B-", origin: "kiosk-b", log: slog.New(slog.DiscardHandler), warned: map[string]bool{}}
	var got []string
	issue := func() {
		tk, err := sq.Issue(ctx, "A", queue.Normal)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tk.ID)
	}
	issue()
	down.Store(true)
	issue()
	issue()
	sq.handOver(ctx) // still down: nothing moves
	down.Store(false)
	issue()
	sq.handOver(ctx)
	if want := []string{"A001", "B-A001", "B-A002", "A002"}; len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("numbers %v, want %v", got, want)
	}
	all, _ := host.Tickets(ctx)
	ids := map[string]bool{}
	for _, tk := range all {
		ids[tk.ID] = true
	}
	for _, id := range got {
		if !ids[id] {
			t.Errorf("%s is not at the host: %v", id, ids)
		}
	}
	left, _ := local.Board(ctx)
	if left.Services[0].Waiting != 0 {
		t.Fatalf("offline numbers not withdrawn locally: %+v", left.Services[0])
	}
	sq.handOver(ctx) // again: nothing to hand over, nothing adopted twice
	if again, _ := host.Tickets(ctx); len(again) != 4 {
		t.Fatalf("host tickets %d", len(again))
	}
}
