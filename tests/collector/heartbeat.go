package collector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxHeartbeatBytes bounds one heartbeat document.
const MaxHeartbeatBytes = 64 << 10

// maxHeartbeats is how many heartbeats the collector keeps per device.
const maxHeartbeats = 100

// Heartbeat is one inventory snapshot a device sent (docs/PROTOCOL.md,
// "Heartbeat"), as received.
type Heartbeat struct {
	DeviceID string
	Received time.Time
	Via      string          // "https" or "mqtt"
	Body     json.RawMessage // the snapshot as sent
}

// ErrHeartbeat is returned by AcceptHeartbeat for a document that breaks
// the heartbeat rules.
type ErrHeartbeat struct{ Why string }

func (e *ErrHeartbeat) Error() string { return "collector: heartbeat: " + e.Why }

// AcceptHeartbeat checks and keeps one heartbeat of device that arrived
// via ("https" or "mqtt"): a JSON object of at most MaxHeartbeatBytes
// whose device_id is the device's and whose time is RFC 3339.
func (c *Collector) AcceptHeartbeat(device, via string, raw []byte) error {
	if len(raw) > MaxHeartbeatBytes {
		return &ErrHeartbeat{fmt.Sprintf("%d bytes, at most %d", len(raw), MaxHeartbeatBytes)}
	}
	var h struct {
		DeviceID string `json:"device_id"`
		Time     string `json:"time"`
	}
	if p := bytes.TrimSpace(raw); len(p) == 0 || p[0] != '{' {
		return &ErrHeartbeat{"not a JSON object"}
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return &ErrHeartbeat{"json: " + err.Error()}
	}
	if h.DeviceID != device {
		return &ErrHeartbeat{fmt.Sprintf("device_id %q, sent as %q", h.DeviceID, device)}
	}
	if _, err := time.Parse(time.RFC3339Nano, h.Time); err != nil {
		return &ErrHeartbeat{"time: " + err.Error()}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.dev(device)
	d.heartbeats = append(d.heartbeats, Heartbeat{DeviceID: device, Received: time.Now(), Via: via,
		Body: append(json.RawMessage(nil), raw...)})
	if n := len(d.heartbeats); n > maxHeartbeats {
		d.heartbeats = append(d.heartbeats[:0:0], d.heartbeats[n-maxHeartbeats:]...)
	}
	c.st.Heartbeats++
	return nil
}

// Heartbeats returns the heartbeats device sent, oldest first.
func (c *Collector) Heartbeats(device string) []Heartbeat {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.devs[device]; d != nil {
		return append([]Heartbeat(nil), d.heartbeats...)
	}
	return nil
}

// serveHeartbeat is POST /v1/devices/{device_id}/heartbeat: 200 with the
// backend's time {"time": "RFC 3339"} (the device's clock-offset
// reference), 400 for a document that breaks the rules.
func (c *Collector) serveHeartbeat(w http.ResponseWriter, r *http.Request, device string) {
	switch {
	case r.Method != http.MethodPost:
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	case c.opts.Token != "" && r.Header.Get("Authorization") != "Bearer "+c.opts.Token:
		http.Error(w, "bad or missing bearer token", http.StatusUnauthorized)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, MaxHeartbeatBytes+1))
	if err != nil {
		http.Error(w, "body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := c.AcceptHeartbeat(device, "https", raw); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"time":%q}`, time.Now().UTC().Format(time.RFC3339Nano))
}
