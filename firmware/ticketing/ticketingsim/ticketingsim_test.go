package ticketingsim

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestShape: the httptest shape — nil options work, the end of ctx closes
// the server as Close does, Close may be called again; the panel's
// switches show in State.
func TestShape(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.URL() + "/v1/ticketing/catalogue?since=0")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("catalogue: HTTP %d", resp.StatusCode)
	}
	s.Offline(true)
	s.Forge(true)
	if st := s.State(); !st.Offline || !st.Forged || st.Catalogue != 1 || st.PassList != 1 {
		t.Fatalf("state %+v", st)
	}
	resp, err = http.Get(s.URL() + "/v1/ticketing/catalogue?since=0")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("offline catalogue: HTTP %d", resp.StatusCode)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := http.Get(s.URL() + "/v1/lists/pass"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("still serving after ctx ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.Close()
	s.Close()
}
