package uplink

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/netclient"
	"github.com/kiosk06/kiosk/firmware/store"
)

// TopicRoot is the first levels of every kiosk06 MQTT topic: the device's
// topics are TopicRoot + "{device_id}/" + a leaf (docs/PROTOCOL.md, "MQTT").
const TopicRoot = "kiosk06/v1/"

// Topic leaves under TopicRoot + "{device_id}/".
const (
	LeafRecords   = "records"   // device → backend: a v1 batch, QoS 1
	LeafAck       = "ack"       // backend → device: verdicts and heartbeat replies, QoS 1
	LeafPresence  = "presence"  // device (and its last will) → everyone: retained, QoS 1
	LeafHeartbeat = "heartbeat" // device → backend: inventory snapshot, retained, QoS 1
	LeafDown      = "down"      // backend → device: down/{config,lists,update}, QoS 1
)

// Topic returns the topic of device's leaf.
func Topic(device, leaf string) string { return TopicRoot + device + "/" + leaf }

// ErrNotConnected: the MQTT transport has no session with the broker now
// (wraps into ErrTransient through Send's caller).
var ErrNotConnected = errors.New("uplink: not connected to the MQTT broker")

// MQTTOptions configure the MQTT transport.
type MQTTOptions struct {
	// BrokerURL is mqtts://host:port (mqtt:// only for a simulator).
	BrokerURL string
	// DeviceID is the client id and the topic level; the broker's ACL binds
	// it to the client certificate's CN.
	DeviceID string
	// TLS: the broker's CA and the device's client certificate.
	TLS netclient.TLS
	// Downlink receives down/{kind} messages; nil refuses them.
	Downlink *downlink.Mux
	// Version goes into the presence message.
	Version string
	// KeepAlive (default 30 s): the broker declares the device lost, and
	// publishes its last will, after 1.5 × KeepAlive of silence.
	KeepAlive time.Duration
	// MaxReconnect caps the wait between reconnection attempts (default 1 min).
	MaxReconnect time.Duration
	// HeartbeatWait bounds how long Heartbeat waits for the backend's reply
	// after the broker took the snapshot (default 5 s).
	HeartbeatWait time.Duration
	Logger        *slog.Logger
}

// ackMessage is what the backend publishes on the ack topic: the verdict on
// one batch (Epoch, First, Last name it) or the reply to a heartbeat.
type ackMessage struct {
	Epoch        string    `json:"store_epoch,omitempty"`
	First        store.Seq `json:"first_seq,omitempty"`
	Last         store.Seq `json:"last_seq,omitempty"`
	Status       int       `json:"status"`
	AckedThrough *int64    `json:"acked_through,omitempty"`
	Heartbeat    string    `json:"heartbeat,omitempty"` // the snapshot's "time", echoed
	Time         string    `json:"time,omitempty"`      // backend clock, RFC 3339
}

// waitKey names what an ack answers.
type waitKey struct {
	epoch       string
	first, last store.Seq
	heartbeat   string
}

// MQTT is protocol v1 over MQTT 3.1.1 (eclipse/paho.mqtt.golang): a
// persistent session (clean session false) with client id = device id,
// QoS 1 both ways, a retained presence message with a last will, and the
// downlink. Safe for concurrent use.
type MQTT struct {
	c    mqtt.Client
	dev  string
	opts MQTTOptions
	log  *slog.Logger

	ctx    context.Context // downlink handlers' context, ended by Close
	cancel context.CancelFunc

	subscribed atomic.Bool            // this connection's SUBACK granted ack and down/+
	online     atomic.Pointer[[]byte] // this connection's "online" presence body
	mu         sync.Mutex
	waiters    map[waitKey]chan ackReceived
	closed     bool
}

type ackReceived struct {
	msg ackMessage
	raw []byte
	at  time.Time
}

// NewMQTT starts connecting to the broker in the background (retrying
// until Close) and returns at once.
func NewMQTT(o MQTTOptions) (*MQTT, error) {
	if o.DeviceID == "" || strings.ContainsAny(o.DeviceID, "/+#\x00") {
		return nil, fmt.Errorf("uplink: mqtt: device id %q cannot be a topic level", o.DeviceID)
	}
	u, err := url.Parse(o.BrokerURL)
	if err != nil || u.Host == "" || (u.Scheme != "mqtts" && u.Scheme != "mqtt") {
		return nil, fmt.Errorf("uplink: mqtt: broker URL %q: want mqtts://host:port", o.BrokerURL)
	}
	if u.Port() == "" { // the IANA ports: 8883 for MQTT over TLS, 1883 plain
		u.Host = net.JoinHostPort(u.Hostname(), map[string]string{"mqtts": "8883", "mqtt": "1883"}[u.Scheme])
		o.BrokerURL = u.String()
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = 30 * time.Second
	}
	if o.MaxReconnect <= 0 {
		o.MaxReconnect = time.Minute
	}
	if o.HeartbeatWait <= 0 {
		o.HeartbeatWait = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	t := &MQTT{dev: o.DeviceID, opts: o, log: o.Logger, waiters: map[waitKey]chan ackReceived{}}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	will, _ := json.Marshal(presence{State: "offline", Reason: "connection lost"})
	co := mqtt.NewClientOptions().AddBroker(o.BrokerURL).
		SetClientID(o.DeviceID).
		SetCleanSession(false). // acks and downlinks queue at the broker while we are away
		SetResumeSubs(false).   // onConnect subscribes on every connection
		SetOrderMatters(false). // a slow downlink handler must not hold up acks
		SetKeepAlive(o.KeepAlive).SetPingTimeout(10*time.Second).
		SetConnectTimeout(15*time.Second).SetWriteTimeout(15*time.Second).
		SetAutoReconnect(true).SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).SetMaxReconnectInterval(o.MaxReconnect).
		SetBinaryWill(Topic(o.DeviceID, LeafPresence), will, 1, true).
		SetDefaultPublishHandler(t.onMessage).
		SetOnConnectHandler(t.onConnect).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			t.subscribed.Store(false)
			t.log.Warn("uplink: mqtt connection lost", "err", err)
		})
	if u.Scheme == "mqtts" {
		cfg, err := o.TLS.Config()
		if err != nil {
			return nil, fmt.Errorf("uplink: mqtt: %w", err)
		}
		co.SetTLSConfig(cfg)
	}
	t.c = mqtt.NewClient(co)
	t.c.Connect() // completes in the background (ConnectRetry)
	return t, nil
}

// presence is the retained message on the presence topic.
type presence struct {
	State   string `json:"state"`            // "online" or "offline"
	Reason  string `json:"reason,omitempty"` // offline: "shutdown" or "connection lost" (the last will)
	Since   string `json:"since,omitempty"`  // device clock, RFC 3339
	Version string `json:"version,omitempty"`
}

// onConnect subscribes to the ack and downlink topics and says the device
// is online. It runs on every (re)connection.
func (t *MQTT) onConnect(c mqtt.Client) {
	tok := c.SubscribeMultiple(map[string]byte{
		Topic(t.dev, LeafAck):       1,
		Topic(t.dev, LeafDown+"/+"): 1,
	}, nil)
	if !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
		t.log.Error("uplink: mqtt subscribe failed", "err", tok.Error())
		return
	}
	for topic, code := range tok.(*mqtt.SubscribeToken).Result() {
		if code == 0x80 {
			t.log.Error("uplink: mqtt broker refused a subscription (check its ACL)", "topic", topic)
			return
		}
	}
	t.subscribed.Store(true)
	body, _ := json.Marshal(presence{State: "online", Since: time.Now().UTC().Format(time.RFC3339), Version: t.opts.Version})
	t.online.Store(&body)
	c.Publish(Topic(t.dev, LeafPresence), 1, true, body)
	t.log.Info("uplink: mqtt connected", "broker", t.opts.BrokerURL)
}

// reassertOnline publishes this connection's "online" presence again. A
// broker can leave a stale "offline" retained after our "online": mosquitto
// restarted with a persistence file may send the last will of the session it
// restored after the reconnected device has said it is online (seen in CI:
// the fleet showed a draining kiosk offline for good). Each heartbeat puts the
// truth back, so a wrong presence lasts at most one heartbeat interval.
func (t *MQTT) reassertOnline() {
	t.mu.Lock() // ordered before Close's "offline": Close sets closed first
	defer t.mu.Unlock()
	if body := t.online.Load(); body != nil && !t.closed && t.Connected() {
		t.c.Publish(Topic(t.dev, LeafPresence), 1, true, *body)
	}
}

// onMessage routes what arrives on the device's own topics; anything else
// (which the broker's ACL should never let through) is dropped.
func (t *MQTT) onMessage(_ mqtt.Client, m mqtt.Message) {
	leaf, ok := strings.CutPrefix(m.Topic(), TopicRoot+t.dev+"/")
	switch {
	case !ok:
		t.log.Warn("uplink: mqtt message on a foreign topic dropped", "topic", m.Topic())
	case leaf == LeafAck:
		t.onAck(m.Payload())
	case strings.HasPrefix(leaf, LeafDown+"/"):
		t.onDown(m, downlink.Kind(strings.TrimPrefix(leaf, LeafDown+"/")))
	default:
		t.log.Warn("uplink: mqtt message on an unexpected topic dropped", "topic", m.Topic())
	}
}

func (t *MQTT) onAck(raw []byte) {
	at := time.Now()
	var a ackMessage
	if len(raw) > 64<<10 || json.Unmarshal(raw, &a) != nil {
		t.log.Warn("uplink: mqtt ack unreadable, dropped", "bytes", len(raw))
		return
	}
	k := waitKey{epoch: a.Epoch, first: a.First, last: a.Last, heartbeat: a.Heartbeat}
	if a.Heartbeat != "" {
		k = waitKey{heartbeat: a.Heartbeat}
	}
	t.mu.Lock()
	ch := t.waiters[k]
	delete(t.waiters, k)
	t.mu.Unlock()
	if ch == nil {
		// An ack of a batch sent before a reconnect or a restart: its
		// records were acknowledged then, or are sent again now.
		t.log.Debug("uplink: mqtt ack of no batch in flight", "first", a.First, "last", a.Last)
		return
	}
	ch <- ackReceived{msg: a, raw: append([]byte(nil), raw...), at: at}
}

func (t *MQTT) onDown(m mqtt.Message, kind downlink.Kind) {
	if t.opts.Downlink == nil {
		t.log.Warn("uplink: downlink message refused: no handler on this device", "kind", kind)
		return
	}
	err := t.opts.Downlink.Deliver(t.ctx, downlink.Message{Kind: kind, DeviceID: t.dev, Topic: m.Topic(),
		Payload: m.Payload(), Retained: m.Retained(), Duplicate: m.Duplicate(), Received: time.Now(), Transport: "mqtt"})
	if err != nil {
		t.log.Warn("uplink: downlink message refused", "kind", kind, "err", err)
	}
}

// Name implements Transport.
func (t *MQTT) Name() string { return "mqtt" }

// Connected reports a session whose subscriptions the broker granted.
func (t *MQTT) Connected() bool { return t.c.IsConnectionOpen() && t.subscribed.Load() }

// Send publishes the batch (gzipped above GzipThreshold) on the records
// topic with QoS 1 and waits for the backend's verdict on the ack topic.
func (t *MQTT) Send(ctx context.Context, b Batch) (Verdict, error) {
	payload := b.Body
	if len(payload) > GzipThreshold {
		var zb bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&zb, gzip.BestSpeed)
		_, _ = zw.Write(payload)
		if err := zw.Close(); err != nil {
			return Verdict{}, fmt.Errorf("uplink: gzip: %w", err)
		}
		payload = zb.Bytes()
	}
	return t.exchange(ctx, waitKey{epoch: b.Epoch, first: b.First, last: b.Last}, LeafRecords, false, payload)
}

// Heartbeat says again that the device is online (reassertOnline),
// publishes the snapshot, retained, on the heartbeat topic and waits up to HeartbeatWait for the backend's reply (which carries its
// clock). Without a reply the snapshot is still with the broker: the
// verdict is 202 with no server time.
func (t *MQTT) Heartbeat(ctx context.Context, _ string, body []byte) (Verdict, error) {
	var hb struct {
		Time string `json:"time"`
	}
	if err := json.Unmarshal(body, &hb); err != nil || hb.Time == "" {
		return Verdict{}, fmt.Errorf("uplink: heartbeat without a time")
	}
	t.reassertOnline()
	wctx, cancel := context.WithTimeout(ctx, t.opts.HeartbeatWait)
	defer cancel()
	v, err := t.exchange(wctx, waitKey{heartbeat: hb.Time}, LeafHeartbeat, true, body)
	var noReply *noReplyError
	if errors.As(err, &noReply) && ctx.Err() == nil {
		return Verdict{Status: 202, Sent: noReply.sent, Received: time.Now()}, nil
	}
	return v, err
}

// noReplyError: the broker took the message, the backend did not answer in time.
type noReplyError struct{ sent time.Time }

func (e *noReplyError) Error() string { return "uplink: mqtt: the backend did not answer in time" }

func (t *MQTT) exchange(ctx context.Context, k waitKey, leaf string, retained bool, payload []byte) (Verdict, error) {
	if !t.Connected() {
		return Verdict{}, ErrNotConnected
	}
	ch := make(chan ackReceived, 1)
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return Verdict{}, fmt.Errorf("uplink: mqtt transport closed")
	}
	t.waiters[k] = ch
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		if t.waiters[k] == ch {
			delete(t.waiters, k)
		}
		t.mu.Unlock()
	}()
	sent := time.Now()
	tok := t.c.Publish(Topic(t.dev, leaf), 1, retained, payload)
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			return Verdict{}, fmt.Errorf("uplink: mqtt publish: %w", err)
		}
	case <-ctx.Done():
		return Verdict{}, fmt.Errorf("uplink: mqtt publish: no PUBACK: %w", ctx.Err())
	}
	select {
	case a := <-ch:
		v := Verdict{Status: a.msg.Status, Body: a.raw, Sent: sent, Received: a.at}
		if ts, err := time.Parse(time.RFC3339Nano, a.msg.Time); err == nil {
			v.ServerTime = ts
		}
		return v, nil
	case <-ctx.Done():
		return Verdict{}, &noReplyError{sent: sent}
	}
}

// Close says the device is going offline (a retained presence message: a
// clean disconnect does not fire the last will) and disconnects.
func (t *MQTT) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.mu.Unlock()
	t.cancel()
	if t.c.IsConnectionOpen() {
		body, _ := json.Marshal(presence{State: "offline", Reason: "shutdown", Since: time.Now().UTC().Format(time.RFC3339)})
		t.c.Publish(Topic(t.dev, LeafPresence), 1, true, body).WaitTimeout(2 * time.Second)
	}
	t.c.Disconnect(500)
	return nil
}
