package uplink

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/netclient"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/tests/collector"
	"github.com/kiosk06/kiosk/tests/collector/mqttcollector"
	"github.com/kiosk06/kiosk/tests/mqttbroker"
)

// mqttBackend starts a real mosquitto and the reference MQTT collector.
func mqttBackend(t *testing.T, opts collector.Options) (*mqttbroker.Broker, *mqttcollector.Collector) {
	t.Helper()
	b := mqttbroker.Start(t, mqttbroker.Options{})
	cert, key := b.Client(mqttbroker.Backend)
	opts.Logger = quiet()
	mc, err := mqttcollector.Start(mqttcollector.Options{BrokerURL: b.URL, CAFile: b.CAFile, CertFile: cert, KeyFile: key,
		Collector: collector.New(opts), Logger: quiet()})
	if err != nil {
		t.Fatalf("%v; broker log:\n%s", err, b.Log())
	}
	t.Cleanup(mc.Close)
	return b, mc
}

// mqttUploader is an uploader of s over MQTT with the device's certificate.
func mqttUploader(t *testing.T, s *store.Store, b *mqttbroker.Broker, mod func(*Options)) *Uploader {
	t.Helper()
	cert, key := b.Client(s.DeviceID())
	o := Options{BrokerURL: b.URL, CAFile: b.CAFile, ClientCert: cert, ClientKey: key, Timeout: 5 * time.Second,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Interval: 20 * time.Millisecond, Logger: quiet()}
	if mod != nil {
		mod(&o)
	}
	if o.Transport == nil {
		tr, err := NewMQTT(MQTTOptions{BrokerURL: o.BrokerURL, DeviceID: s.DeviceID(), Downlink: o.Downlink,
			TLS:          netclient.TLS{CAFile: o.CAFile, ClientCert: o.ClientCert, ClientKey: o.ClientKey},
			MaxReconnect: 200 * time.Millisecond, Version: "test", Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		o.Transport = tr
	}
	u, err := New(s, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	return u
}

// until polls cond every 10 ms for d.
func until(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not %s within %v", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func connected(u *Uploader) func() bool {
	return func() bool { return u.tr.(*MQTT).Connected() }
}

func TestMQTTDrainDeliversEverythingOnce(t *testing.T) {
	b, mc := mqttBackend(t, collector.Options{})
	s := newStore(t)
	fill(t, s, 1234)
	u := mqttUploader(t, s, b, nil)
	if _, err := u.Drain(context.Background()); !errors.Is(err, ErrTransient) {
		// Usually not connected yet; if it is, the drain succeeded.
		if err != nil {
			t.Fatalf("first drain: %v", err)
		}
	}
	until(t, 10*time.Second, "connected", connected(u))
	res, err := u.Drain(context.Background())
	if err != nil {
		t.Fatalf("drain: %v\nbroker log:\n%s", err, b.Log())
	}
	if ob, _ := s.Outbox(context.Background()); ob.Pending != 0 || ob.LastAckedSeq != 1234 {
		t.Fatalf("outbox after drain %+v (result %+v)", ob, res)
	}
	wantSeqs(t, mc.Seqs(device), 1234)
	if st := mc.Stats(); st.Stored != 1234 || st.Conflicts != 0 || st.Duplicates != 0 {
		t.Fatalf("collector %+v", st)
	}
	if p, ok := mc.Presence(device); !ok || p.State != "online" || p.Version != "test" {
		t.Fatalf("presence %+v, %v", p, ok)
	}
	if c := u.Status().Clock; c.Measured.IsZero() || c.Offset.Abs() > time.Second || c.Uncertainty > time.Second {
		t.Fatalf("clock offset from the acks: %+v", c)
	}
	if u.Status().Transport != "mqtt" {
		t.Fatalf("status transport %q", u.Status().Transport)
	}
}

// TestMQTTBrokerRestartMidDrain restarts mosquitto while the uploader
// drains in small batches: every record arrives, none is stored twice, and
// the device deletes only what the backend acknowledged.
func TestMQTTBrokerRestartMidDrain(t *testing.T) {
	b, mc := mqttBackend(t, collector.Options{})
	s := newStore(t)
	const n = 3000
	fill(t, s, n)
	u := mqttUploader(t, s, b, func(o *Options) { o.MaxRecords = 25; o.Timeout = time.Second })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	defer func() { cancel(); <-done }()
	until(t, 20*time.Second, "a third stored", func() bool { return mc.Stats().Stored >= n/3 })
	b.Restart()
	until(t, 60*time.Second, "drained", func() bool {
		ob, err := s.Outbox(context.Background())
		return err == nil && ob.Pending == 0
	})
	wantSeqs(t, mc.Seqs(device), n)
	st := mc.Stats()
	if st.Stored != n || st.Conflicts != 0 {
		t.Fatalf("collector %+v", st)
	}
	t.Logf("after a broker restart: %+v, mqtt %+v", st, mc.MQTTStats())
}

func TestMQTTQuarantine(t *testing.T) {
	reject := map[int64]bool{7: true, 300: true}
	b, mc := mqttBackend(t, collector.Options{Reject: func(_ string, r collector.Record) bool { return reject[r.Seq] }})
	s := newStore(t)
	fill(t, s, 600)
	u := mqttUploader(t, s, b, nil)
	until(t, 10*time.Second, "connected", connected(u))
	res, err := u.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Quarantined) != "[7 300]" {
		t.Fatalf("quarantined %v", res.Quarantined)
	}
	wantSeqs(t, mc.Seqs(device), 600, 7, 300)
}

func TestMQTTHeartbeat(t *testing.T) {
	b, mc := mqttBackend(t, collector.Options{})
	s := newStore(t)
	u := mqttUploader(t, s, b, nil)
	until(t, 10*time.Second, "connected", connected(u))
	hb := fmt.Sprintf(`{"device_id":%q,"time":%q,"uptime_s":3}`, device, time.Now().UTC().Format(time.RFC3339Nano))
	if err := u.Heartbeat(context.Background(), []byte(hb)); err != nil {
		t.Fatal(err)
	}
	hbs := mc.Heartbeats(device)
	if len(hbs) != 1 || string(hbs[0].Body) != hb || hbs[0].Via != "mqtt" {
		t.Fatalf("heartbeats %+v", hbs)
	}
	if c := u.Status().Clock; c.Measured.IsZero() || c.Offset.Abs() > time.Second {
		t.Fatalf("clock from the heartbeat reply: %+v", c)
	}
}

// TestMQTTHeartbeatHealsAStalePresence: a broker can leave the retained
// "offline" of a last will after the device said it was online (mosquitto
// restarted from its persistence file did, in CI). Here a stand-in for that
// stale will is written on the presence topic while the device is
// connected; the device's next heartbeat makes it "online" again.
func TestMQTTHeartbeatHealsAStalePresence(t *testing.T) {
	const stale = "stale-will"
	b := mqttbroker.Start(t, mqttbroker.Options{ACL: mqttbroker.ACL + "\nuser " + stale + "\ntopic write kiosk06/v1/+/presence\n"})
	cert, key := b.Client(mqttbroker.Backend)
	mc, err := mqttcollector.Start(mqttcollector.Options{BrokerURL: b.URL, CAFile: b.CAFile, CertFile: cert, KeyFile: key,
		Collector: collector.New(collector.Options{Logger: quiet()}), Logger: quiet()})
	if err != nil {
		t.Fatalf("%v; broker log:\n%s", err, b.Log())
	}
	t.Cleanup(mc.Close)
	u := mqttUploader(t, newStore(t), b, nil)
	until(t, 10*time.Second, "connected", connected(u))
	state := func(want string) func() bool {
		return func() bool { p, ok := mc.Presence(device); return ok && p.State == want }
	}
	until(t, 10*time.Second, "online", state("online"))

	w := rawClient(t, b, stale, stale)
	if tok := w.Publish(Topic(device, LeafPresence), 1, true, `{"state":"offline","reason":"connection lost"}`); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("stale will: %v", tok.Error())
	}
	until(t, 10*time.Second, "offline (the stale will)", state("offline"))

	hb := fmt.Sprintf(`{"device_id":%q,"time":%q,"uptime_s":3}`, device, time.Now().UTC().Format(time.RFC3339Nano))
	if err := u.Heartbeat(context.Background(), []byte(hb)); err != nil {
		t.Fatal(err)
	}
	until(t, 10*time.Second, "online again after a heartbeat", state("online"))
	if p, _ := mc.Presence(device); p.Version != "test" || p.Since == "" {
		t.Fatalf("re-asserted presence %+v", p)
	}

	// After Close the last word is "offline" (shutdown), never a late "online".
	u.Close()
	until(t, 10*time.Second, "offline (shutdown)", func() bool { p, ok := mc.Presence(device); return ok && p.Reason == "shutdown" })
	if err := u.Heartbeat(context.Background(), []byte(hb)); err == nil {
		t.Fatal("a heartbeat after Close was sent")
	}
	time.Sleep(200 * time.Millisecond)
	if p, _ := mc.Presence(device); p.State != "offline" {
		t.Fatalf("presence after Close %+v", p)
	}
}

// TestMQTTDownlinkOnlyFromOwnTopics: a device holding a valid certificate
// publishes on another device's downlink topic and subscribes to it; the
// broker's ACL refuses both, and the other device receives only what the
// backend sent. With an ACL that allows it (the check that the test can
// fail), the forged message arrives.
func TestMQTTDownlinkOnlyFromOwnTopics(t *testing.T) {
	for _, tc := range []struct {
		name      string
		acl       string
		wantForge bool
	}{
		{"kiosk06 ACL", "", false},
		{"permissive ACL", "pattern readwrite kiosk06/#\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := mqttbroker.Start(t, mqttbroker.Options{ACL: tc.acl})
			cert, key := b.Client(mqttbroker.Backend)
			mc, err := mqttcollector.Start(mqttcollector.Options{BrokerURL: b.URL, CAFile: b.CAFile, CertFile: cert, KeyFile: key, Logger: quiet()})
			if err != nil {
				t.Fatal(err)
			}
			defer mc.Close()
			victim := newStore(t) // device kiosk-test-01
			mux := downlink.NewMux(quiet())
			var mu sync.Mutex
			var got []string
			if err := mux.Handle(context.Background(), downlink.Config, func(_ context.Context, m downlink.Message) error {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, string(m.Payload))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			u := mqttUploader(t, victim, b, func(o *Options) { o.Downlink = mux })
			until(t, 10*time.Second, "connected", connected(u))

			// It asks for the victim's client id too: the broker names a
			// client after its certificate, so the victim's session stays.
			attacker := rawClient(t, b, "kiosk-evil-02", device)
			var overheard []string
			// Mosquitto 2.0 grants a v3.1.1 subscription the ACL forbids
			// and enforces the ACL on every delivery instead.
			if sub := attacker.Subscribe(Topic(device, "down/#"), 1, func(_ mqtt.Client, m mqtt.Message) {
				mu.Lock()
				defer mu.Unlock()
				overheard = append(overheard, string(m.Payload()))
			}); !sub.WaitTimeout(5*time.Second) || sub.Error() != nil {
				t.Fatalf("attacker subscribe: %v", sub.Error())
			}
			if pub := attacker.Publish(Topic(device, "down/config"), 1, false, "forged"); !pub.WaitTimeout(5*time.Second) || pub.Error() != nil {
				t.Fatalf("attacker publish: %v", pub.Error())
			}
			if err := mc.SendDown(device, "config", []byte("from the backend"), false); err != nil {
				t.Fatal(err)
			}
			until(t, 10*time.Second, "the backend's message delivered", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(got) >= 1+btoi(tc.wantForge)
			})
			time.Sleep(200 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			want := `[from the backend]`
			if tc.wantForge {
				want = `[forged from the backend]`
			}
			// The two publishers' messages may arrive in either order.
			slices.Sort(got)
			if fmt.Sprint(got) != want {
				t.Fatalf("delivered %q, want %s", got, want)
			}
			if (len(overheard) > 0) != tc.wantForge {
				t.Fatalf("another device overheard %q", overheard)
			}
			for _, p := range mc.PresenceLog(device) {
				if p.State != "online" || !connected(u)() {
					t.Fatalf("the victim lost its session to a client that asked for its client id: %+v", mc.PresenceLog(device))
				}
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// rawClient connects a bare MQTT client with name's certificate, asking
// for clientID.
func rawClient(t *testing.T, b *mqttbroker.Broker, name, clientID string) mqtt.Client {
	t.Helper()
	cert, key := b.Client(name)
	cfg, err := netclient.TLS{CAFile: b.CAFile, ClientCert: cert, ClientKey: key}.Config()
	if err != nil {
		t.Fatal(err)
	}
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(b.URL).SetClientID(clientID).SetTLSConfig(cfg).SetCleanSession(true))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect %s: %v\n%s", name, tok.Error(), b.Log())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

// FuzzMQTTAck feeds hostile ack messages and reply bodies to the parsers a
// backend (or anyone who reached the ack topic) controls: no panic, and an
// ack reaches only the batch it names.
func FuzzMQTTAck(f *testing.F) {
	f.Add([]byte(`{"store_epoch":"0123456789abcdef0123456789abcdef","first_seq":1,"last_seq":3,"status":200,"acked_through":3,"time":"2026-11-22T08:00:00Z"}`))
	f.Add([]byte(`{"heartbeat":"2026-11-22T08:00:00Z","status":200}`))
	f.Add([]byte(`{"status":"x"}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		tr := &MQTT{dev: device, log: quiet(), waiters: map[waitKey]chan ackReceived{}}
		k := waitKey{epoch: "0123456789abcdef0123456789abcdef", first: 1, last: 3}
		ch := make(chan ackReceived, 1)
		tr.waiters[k] = ch
		tr.onAck(raw)
		select {
		case a := <-ch:
			if a.msg.Epoch != k.epoch || a.msg.First != 1 || a.msg.Last != 3 || a.msg.Heartbeat != "" {
				t.Fatalf("ack %+v delivered to batch %+v", a.msg, k)
			}
			_, _ = classify(a.msg.Status, a.raw, k.epoch)
		default:
		}
		_, _ = serverTime(raw, string(raw))
	})
}

// TestMQTTSharedSubscription: two backend instances share the devices'
// batches through $share/backend/… (docs/PROTOCOL.md, "A broker cluster
// for a province") over one dedupe store; every record is stored once and
// both instances did part of the work.
func TestMQTTSharedSubscription(t *testing.T) {
	names := []string{"kiosk06-backend-a", "kiosk06-backend-b"} // one certificate per instance
	b := mqttbroker.Start(t, mqttbroker.Options{ACL: mqttbroker.ACLFor(names...)})
	shared := collector.New(collector.Options{Logger: quiet()})
	var backends []*mqttcollector.Collector
	for _, name := range names {
		cert, key := b.Client(name)
		mc, err := mqttcollector.Start(mqttcollector.Options{BrokerURL: b.URL, CAFile: b.CAFile, CertFile: cert, KeyFile: key,
			ClientID: name, Group: "backend", Collector: shared, Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		defer mc.Close()
		backends = append(backends, mc)
	}
	s := newStore(t)
	fill(t, s, 2000)
	u := mqttUploader(t, s, b, func(o *Options) { o.MaxRecords = 20 })
	until(t, 10*time.Second, "connected", connected(u))
	if _, err := u.Drain(context.Background()); err != nil {
		t.Fatalf("%v\n%s", err, b.Log())
	}
	wantSeqs(t, shared.Seqs(device), 2000)
	a, c := backends[0].MQTTStats().Batches, backends[1].MQTTStats().Batches
	if a == 0 || c == 0 || shared.Stats().Stored != 2000 {
		t.Fatalf("batches per instance %d and %d; collector %+v", a, c, shared.Stats())
	}
	if strings.Contains(b.Log(), "already connected") {
		t.Fatalf("backend instances took each other's session over:\n%s", b.Log())
	}
}

// fakeMessage is an inbound MQTT message for onMessage.
type fakeMessage struct {
	topic   string
	payload []byte
}

func (m fakeMessage) Duplicate() bool   { return false }
func (m fakeMessage) Qos() byte         { return 1 }
func (m fakeMessage) Retained() bool    { return false }
func (m fakeMessage) Topic() string     { return m.topic }
func (m fakeMessage) MessageID() uint16 { return 1 }
func (m fakeMessage) Payload() []byte   { return m.payload }
func (m fakeMessage) Ack()              {}

// TestMQTTDownlinkTopics: only the device's own down/{kind} topics reach
// the handlers, whatever a misconfigured broker delivers.
func TestMQTTDownlinkTopics(t *testing.T) {
	mux := downlink.NewMux(quiet())
	var got []string
	for _, k := range downlink.Kinds {
		if err := mux.Handle(context.Background(), k, func(_ context.Context, m downlink.Message) error {
			got = append(got, string(m.Kind)+":"+string(m.Payload))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	tr := &MQTT{dev: device, log: quiet(), waiters: map[waitKey]chan ackReceived{}, opts: MQTTOptions{Downlink: mux}}
	tr.ctx = context.Background()
	for _, topic := range []string{
		Topic("kiosk-other-02", "down/config"),  // another device's
		Topic(device+"x", "down/config"),        // a device whose id extends ours
		Topic(device, "down/shell"),             // no such kind
		Topic(device, "down/config/extra"),      // too deep
		Topic(device, "records"),                // not a downlink
		"kiosk06/v2/" + device + "/down/config", // another protocol version
		Topic(device, "down/config"),            // ours
		Topic(device, "down/update"),            // ours
	} {
		tr.onMessage(nil, fakeMessage{topic: topic, payload: []byte("p")})
	}
	if fmt.Sprint(got) != "[config:p update:p]" {
		t.Fatalf("handlers got %v", got)
	}
}

func TestMQTTBrokerURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// Loopback only: NewMQTT starts dialling at once.
		{"mqtts://127.0.0.1", "mqtts://127.0.0.1:8883"},
		{"mqtts://[::1]", "mqtts://[::1]:8883"},
		{"mqtts://127.0.0.1:9883", "mqtts://127.0.0.1:9883"},
		{"mqtt://127.0.0.1", "mqtt://127.0.0.1:1883"},
		{"https://127.0.0.1", ""},
		{"mqtts://", ""},
	} {
		tr, err := NewMQTT(MQTTOptions{BrokerURL: tc.in, DeviceID: device, Logger: quiet(), MaxReconnect: time.Second})
		if tc.want == "" {
			if err == nil {
				tr.Close()
				t.Errorf("%s accepted", tc.in)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if tr.opts.BrokerURL != tc.want {
			t.Errorf("%s: dials %s, want %s", tc.in, tr.opts.BrokerURL, tc.want)
		}
		tr.Close()
	}
	if _, err := NewMQTT(MQTTOptions{BrokerURL: "mqtts://b:8883", DeviceID: "a/+", Logger: quiet()}); err == nil {
		t.Error("a device id with topic wildcards accepted")
	}
}
