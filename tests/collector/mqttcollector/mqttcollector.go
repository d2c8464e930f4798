// Package mqttcollector is the reference backend for protocol v1 over MQTT
// (issue 22, docs/PROTOCOL.md "MQTT"): an MQTT client with the backend's
// certificate that takes batches from kiosk06/v1/+/records, checks and
// dedupes them with tests/collector (the same rules as over HTTPS), and
// publishes each verdict on the device's ack topic; it keeps heartbeats and
// presence, and sends downlink messages.
//
// It is written from the protocol text, independently of firmware/uplink,
// and must not import anything under firmware/.
package mqttcollector

import (
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/kiosk06/kiosk/tests/collector"
)

// The protocol's topics: root + "{device_id}/" + leaf.
const (
	root          = "kiosk06/v1/"
	leafRecords   = "records"
	leafAck       = "ack"
	leafHeartbeat = "heartbeat"
	leafPresence  = "presence"
)

// Options configure the MQTT collector.
type Options struct {
	BrokerURL string // mqtts://host:port
	CAFile    string // the broker's CA
	CertFile  string // the backend's client certificate (CN kiosk06-backend)
	KeyFile   string
	// ClientID of the backend's persistent session (default "kiosk06-backend";
	// a broker with use_username_as_clientid uses the certificate's CN).
	ClientID string
	// Group, if set, subscribes with shared subscriptions
	// ($share/Group/kiosk06/v1/+/records …) so that several backend
	// instances split the devices' messages between them.
	Group string
	// Collector checks and stores batches (default: a new one).
	Collector *collector.Collector
	Logger    *slog.Logger
}

// Presence is one presence message of a device.
type Presence struct {
	State    string `json:"state"`
	Reason   string `json:"reason"`
	Since    string `json:"since"`
	Version  string `json:"version"`
	Retained bool   `json:"-"`
	Received time.Time
}

// Stats counts the MQTT side; Collector.Stats counts the records.
type Stats struct {
	Batches    int64 // records messages received
	Acks       int64 // verdicts published
	Unreadable int64 // records messages whose batch could not even be named (no verdict possible)
}

// Collector is the MQTT reference backend. Safe for concurrent use.
type Collector struct {
	*collector.Collector
	c    mqtt.Client
	opts Options
	log  *slog.Logger

	batches, acks, unreadable atomic.Int64

	mu       sync.Mutex
	presence map[string][]Presence
}

// Start connects to the broker (persistent session: batches published
// while the backend is away wait for it) and subscribes.
func Start(o Options) (*Collector, error) {
	if o.ClientID == "" {
		o.ClientID = "kiosk06-backend"
	}
	if o.Collector == nil {
		o.Collector = collector.New(collector.Options{Logger: o.Logger})
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg, err := tlsConfig(o)
	if err != nil {
		return nil, err
	}
	m := &Collector{Collector: o.Collector, opts: o, log: o.Logger, presence: map[string][]Presence{}}
	filter := func(leaf string) string {
		f := root + "+/" + leaf
		if o.Group != "" {
			f = "$share/" + o.Group + "/" + f
		}
		return f
	}
	subs := map[string]byte{filter(leafRecords): 1, filter(leafHeartbeat): 1, filter(leafPresence): 1}
	co := mqtt.NewClientOptions().AddBroker(o.BrokerURL).SetClientID(o.ClientID).SetTLSConfig(cfg).
		SetCleanSession(false).SetOrderMatters(false).SetResumeSubs(false).
		SetKeepAlive(30 * time.Second).SetAutoReconnect(true).SetConnectRetry(true).
		SetConnectRetryInterval(200 * time.Millisecond).SetMaxReconnectInterval(2 * time.Second).
		SetDefaultPublishHandler(m.onMessage).
		SetOnConnectHandler(func(c mqtt.Client) {
			tok := c.SubscribeMultiple(subs, nil)
			if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
				m.log.Error("mqttcollector: subscribe", "err", tok.Error())
			}
		})
	m.c = mqtt.NewClient(co)
	tok := m.c.Connect()
	if !tok.WaitTimeout(15 * time.Second) {
		m.c.Disconnect(0)
		return nil, errors.New("mqttcollector: no connection to the broker within 15 s")
	}
	if err := tok.Error(); err != nil {
		return nil, fmt.Errorf("mqttcollector: connect: %w", err)
	}
	return m, nil
}

func tlsConfig(o Options) (*tls.Config, error) {
	pem, err := os.ReadFile(o.CAFile)
	if err != nil {
		return nil, fmt.Errorf("mqttcollector: CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("mqttcollector: CA %s: no certificate", o.CAFile)
	}
	cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("mqttcollector: client certificate: %w", err)
	}
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// Close disconnects (the persistent session stays at the broker).
func (m *Collector) Close() { m.c.Disconnect(250) }

// Connected reports a live connection to the broker.
func (m *Collector) Connected() bool { return m.c.IsConnectionOpen() }

// MQTTStats returns the MQTT-side counters.
func (m *Collector) MQTTStats() Stats {
	return Stats{Batches: m.batches.Load(), Acks: m.acks.Load(), Unreadable: m.unreadable.Load()}
}

func (m *Collector) onMessage(_ mqtt.Client, msg mqtt.Message) {
	rest, ok := strings.CutPrefix(msg.Topic(), root)
	device, leaf, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || device == "" {
		m.log.Warn("mqttcollector: message on an unknown topic", "topic", msg.Topic())
		return
	}
	switch leaf {
	case leafRecords:
		m.onRecords(device, msg.Payload())
	case leafHeartbeat:
		m.onHeartbeat(device, msg)
	case leafPresence:
		var p Presence
		if err := json.Unmarshal(msg.Payload(), &p); err != nil {
			m.log.Warn("mqttcollector: unreadable presence", "device", device)
			return
		}
		p.Retained, p.Received = msg.Retained(), time.Now()
		m.mu.Lock()
		m.presence[device] = append(m.presence[device], p)
		m.mu.Unlock()
	}
}

// verdict is what the backend publishes on a device's ack topic.
type verdict struct {
	Epoch        string `json:"store_epoch,omitempty"`
	First        int64  `json:"first_seq,omitempty"`
	Last         int64  `json:"last_seq,omitempty"`
	Status       int    `json:"status"`
	AckedThrough *int64 `json:"acked_through,omitempty"`
	Heartbeat    string `json:"heartbeat,omitempty"`
	Time         string `json:"time"`
}

// onRecords checks and stores one batch and publishes the verdict, named
// by the batch's epoch and first and last seq, before the broker gets our
// PUBACK (the handler returns): a backend that dies in between gets the
// batch again.
func (m *Collector) onRecords(device string, payload []byte) {
	m.batches.Add(1)
	raw, err := gunzip(payload)
	var name struct {
		Epoch   string `json:"store_epoch"`
		Records []struct {
			Seq int64 `json:"seq"`
		} `json:"records"`
	}
	if err != nil || json.Unmarshal(raw, &name) != nil || len(name.Records) == 0 {
		// Without epoch and seqs no device can match a verdict: drop it,
		// the device times out and sends the batch again.
		m.unreadable.Add(1)
		m.log.Warn("mqttcollector: batch cannot be named, no verdict", "device", device, "bytes", len(payload))
		return
	}
	v := m.Submit(device, raw)
	out := verdict{Epoch: name.Epoch, First: name.Records[0].Seq, Last: name.Records[len(name.Records)-1].Seq,
		Status: v.Status, Time: time.Now().UTC().Format(time.RFC3339Nano)}
	if v.Status == 200 {
		out.AckedThrough = &v.AckedThrough
	}
	m.publishAck(device, out)
}

func (m *Collector) onHeartbeat(device string, msg mqtt.Message) {
	if err := m.AcceptHeartbeat(device, "mqtt", msg.Payload()); err != nil {
		m.log.Warn("mqttcollector: heartbeat refused", "device", device, "err", err)
		return
	}
	if msg.Retained() {
		return // an old snapshot the broker kept: nobody waits for a reply
	}
	var hb struct {
		Time string `json:"time"`
	}
	_ = json.Unmarshal(msg.Payload(), &hb)
	m.publishAck(device, verdict{Heartbeat: hb.Time, Status: 200, Time: time.Now().UTC().Format(time.RFC3339Nano)})
}

func (m *Collector) publishAck(device string, v verdict) {
	body, _ := json.Marshal(v)
	tok := m.c.Publish(root+device+"/"+leafAck, 1, false, body)
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		m.log.Warn("mqttcollector: ack not published", "device", device, "err", tok.Error())
		return
	}
	m.acks.Add(1)
}

// gunzip inflates a gzip payload (the device compresses batches over
// 1 KiB), bounded to the protocol's body limit; others pass unchanged.
func gunzip(p []byte) ([]byte, error) {
	if !bytes.HasPrefix(p, []byte{0x1f, 0x8b}) {
		return p, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(p))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(zr, collector.MaxBodyBytes+1))
	if err != nil {
		return nil, err
	}
	return raw, nil
}

// Presence returns the latest presence message of device.
func (m *Collector) Presence(device string) (Presence, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := m.presence[device]
	if len(ps) == 0 {
		return Presence{}, false
	}
	return ps[len(ps)-1], true
}

// PresenceLog returns every presence message of device, oldest first.
func (m *Collector) PresenceLog(device string) []Presence {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Presence(nil), m.presence[device]...)
}

// SendDown publishes a downlink message of kind (config, lists, update) to
// device with QoS 1 and waits for the broker's PUBACK.
func (m *Collector) SendDown(device, kind string, payload []byte, retained bool) error {
	tok := m.c.Publish(root+device+"/down/"+kind, 1, retained, payload)
	if !tok.WaitTimeout(10 * time.Second) {
		return errors.New("mqttcollector: downlink: no PUBACK within 10 s")
	}
	return tok.Error()
}
