package uplink

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/store"
)

// Transport carries protocol v1 exchanges to the backend. The uploader
// owns every rule of the protocol (ordered batches, acknowledgement,
// bisection and quarantine, wedge detection); a transport only moves one
// batch and brings back the backend's verdict, so HTTPS and MQTT behave
// the same by construction.
type Transport interface {
	// Send delivers one batch and returns the backend's verdict. An error
	// means no verdict came back (out of reach, timeout, broker down): the
	// batch may or may not be stored, and is sent again later.
	Send(ctx context.Context, b Batch) (Verdict, error)
	// Heartbeat delivers one inventory snapshot (docs/PROTOCOL.md,
	// "Heartbeat"). The verdict's ServerTime may be zero (MQTT: no reply).
	Heartbeat(ctx context.Context, deviceID string, body []byte) (Verdict, error)
	// Name is "https" or "mqtt", for logs and the heartbeat.
	Name() string
	// Close releases the connection; an MQTT transport first says the
	// device is going offline.
	Close() error
}

// Batch is one protocol v1 batch ready for the wire.
type Batch struct {
	DeviceID    string
	Epoch       string
	First, Last store.Seq
	// Body is the v1 JSON document, uncompressed.
	Body []byte
}

// Verdict is the backend's answer to one exchange, in protocol v1 terms.
type Verdict struct {
	// Status is the HTTP status (HTTPS) or the ack's "status" (MQTT).
	Status int
	// Body is the reply document; for 200 it holds acked_through and
	// store_epoch. Never logged: a backend may echo a record.
	Body []byte
	// ServerTime is the backend's clock when it answered (zero: unknown)
	// and Resolution how coarse it is (an HTTP Date header: 1 s).
	ServerTime time.Time
	Resolution time.Duration
	// Sent and Received bracket the exchange on the device's clock.
	Sent, Received time.Time
}

// Offset estimates how far the device's clock is behind the backend's
// (positive: the device is slow) and the estimate's uncertainty: half the
// round trip plus half the server time's resolution. ok is false when the
// verdict carried no server time.
func (v Verdict) Offset() (offset, uncertainty time.Duration, ok bool) {
	if v.ServerTime.IsZero() || v.Sent.IsZero() || v.Received.Before(v.Sent) {
		return 0, 0, false
	}
	rtt := v.Received.Sub(v.Sent) // monotonic readings
	// A truncated timestamp (Date: whole seconds) lies in [t, t+res).
	server := v.ServerTime.Add(v.Resolution / 2)
	mid := v.Sent.Add(rtt / 2).Round(0) // wall clock
	return server.Sub(mid), rtt/2 + v.Resolution/2, true
}

// serverTime reads the backend's time from a reply body's "time" member
// (RFC 3339, nanoseconds), else from a Date header.
func serverTime(body []byte, date string) (time.Time, time.Duration) {
	var r struct {
		Time string `json:"time"`
	}
	if json.Unmarshal(body, &r) == nil && r.Time != "" {
		if t, err := time.Parse(time.RFC3339Nano, r.Time); err == nil {
			return t, 0
		}
	}
	if t, err := http.ParseTime(date); err == nil {
		return t, time.Second
	}
	return time.Time{}, 0
}

// httpTransport is protocol v1 over HTTPS: POST …/records and …/heartbeat.
type httpTransport struct {
	client *http.Client
	base   string // …/v1/devices/{device_id}
	token  string
}

func newHTTPTransport(client *http.Client, baseURL, deviceID, token string) *httpTransport {
	return &httpTransport{client: client, token: token,
		base: strings.TrimRight(baseURL, "/") + "/v1/devices/" + pathEscape(deviceID)}
}

func (h *httpTransport) Name() string { return "https" }

func (h *httpTransport) Close() error {
	h.client.CloseIdleConnections()
	return nil
}

// Send posts the batch, gzipped when it is over GzipThreshold.
func (h *httpTransport) Send(ctx context.Context, b Batch) (Verdict, error) {
	payload, gz := b.Body, false
	if len(payload) > GzipThreshold {
		var zb bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&zb, gzip.BestSpeed)
		if _, err := zw.Write(payload); err != nil {
			return Verdict{}, fmt.Errorf("uplink: gzip: %w", err)
		}
		if err := zw.Close(); err != nil {
			return Verdict{}, fmt.Errorf("uplink: gzip: %w", err)
		}
		payload, gz = zb.Bytes(), true
	}
	return h.post(ctx, "/records", payload, gz)
}

// Heartbeat posts the snapshot to …/heartbeat.
func (h *httpTransport) Heartbeat(ctx context.Context, _ string, body []byte) (Verdict, error) {
	return h.post(ctx, "/heartbeat", body, false)
}

func (h *httpTransport) post(ctx context.Context, endpoint string, payload []byte, gz bool) (Verdict, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+endpoint, bytes.NewReader(payload))
	if err != nil {
		return Verdict{}, fmt.Errorf("uplink: request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	v := Verdict{Sent: time.Now()}
	resp, err := h.client.Do(req)
	if err != nil {
		return Verdict{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return Verdict{}, fmt.Errorf("read reply: %w", err)
	}
	v.Received, v.Status, v.Body = time.Now(), resp.StatusCode, body
	v.ServerTime, v.Resolution = serverTime(body, resp.Header.Get("Date"))
	return v, nil
}
