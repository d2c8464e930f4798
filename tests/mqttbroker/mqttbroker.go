// Package mqttbroker runs a real Mosquitto broker (the Debian package
// mosquitto, installed by `make deps`) for tests and benchmarks: on a free
// loopback port, TLS only, with a throw-away CA, a client certificate per
// device or backend issued on demand, and the kiosk06 ACL, under which a
// device reaches its own topics only (docs/PROTOCOL.md, "MQTT").
//
// A test that needs the broker calls Start, which skips the test, saying
// why, only when the mosquitto binary is not installed.
//
// It imports nothing of the project (tests/collector's rule: what tests the
// firmware is not built from it).
package mqttbroker

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Backend is the certificate CN (and so the MQTT username and client id)
// the ACL gives the backend's rights.
const Backend = "kiosk06-backend"

// ACL is the kiosk06 access control list for Mosquitto with one backend
// (ACLFor(Backend)).
var ACL = ACLFor(Backend)

// ACLFor is the kiosk06 access control list for Mosquitto, with the
// backend's rights for each of backends (certificate CNs: every backend
// instance needs its own, or they take each other's session over). %u is
// the client certificate's CN (use_identity_as_username), which is also
// the client id (use_username_as_clientid), so a device can neither reach
// another device's topics nor take over its session.
func ACLFor(backends ...string) string {
	var b strings.Builder
	b.WriteString("# kiosk06 MQTT ACL (docs/PROTOCOL.md, \"MQTT\")\n")
	for _, name := range backends {
		b.WriteString("user " + name + `
topic read kiosk06/v1/+/records
topic read kiosk06/v1/+/heartbeat
topic read kiosk06/v1/+/presence
topic write kiosk06/v1/+/ack
topic write kiosk06/v1/+/down/#

`)
	}
	b.WriteString(`# every device: its own topics, nothing else
pattern write kiosk06/v1/%u/records
pattern write kiosk06/v1/%u/heartbeat
pattern write kiosk06/v1/%u/presence
pattern read kiosk06/v1/%u/ack
pattern read kiosk06/v1/%u/down/#
`)
	return b.String()
}

// Options configure a broker.
type Options struct {
	// ACL replaces the kiosk06 ACL (a test proving the ACL matters).
	ACL string
	// MaxQueued is max_queued_messages per client (default 10000).
	MaxQueued int
}

// Broker is one running mosquitto.
type Broker struct {
	Dir    string
	Port   int
	URL    string // mqtts://127.0.0.1:PORT
	CAFile string

	t      testing.TB
	conf   string
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	serial int64
	certs  map[string][2]string
}

// Binary returns the mosquitto executable, or "" if it is not installed.
func Binary() string {
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/mosquitto"); err == nil {
		return "/usr/sbin/mosquitto"
	}
	return ""
}

// Start writes a CA, a server certificate for 127.0.0.1, the ACL and a
// configuration (persistence on, so sessions survive Restart), starts
// mosquitto and waits until it accepts connections. It skips t if
// mosquitto is not installed; the broker stops when t ends.
func Start(t testing.TB, o Options) *Broker {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Skip("skipped: mosquitto is not installed (the Debian package mosquitto; `make deps` installs it)")
	}
	if o.ACL == "" {
		o.ACL = ACL
	}
	if o.MaxQueued == 0 {
		o.MaxQueued = 10000
	}
	b := &Broker{Dir: t.TempDir(), t: t, certs: map[string][2]string{}}
	b.newCA()
	b.CAFile = filepath.Join(b.Dir, "ca.pem")
	srvCert, srvKey := b.issue("127.0.0.1", true)
	b.Port = freePort(t)
	b.URL = fmt.Sprintf("mqtts://127.0.0.1:%d", b.Port)
	b.write("acl", o.ACL)
	runAs := "root"
	if u, err := user.Current(); err == nil {
		runAs = u.Username
	}
	b.conf = b.write("mosquitto.conf", fmt.Sprintf(`# kiosk06 test broker (tests/mqttbroker)
user %s
per_listener_settings false
allow_anonymous false
persistence true
persistence_location %s/
autosave_interval 1
max_queued_messages %d
max_inflight_messages 20
log_dest file %s
log_type error
log_type warning
log_type notice
log_type subscribe
connection_messages true
acl_file %s

listener %d 127.0.0.1
cafile %s
certfile %s
keyfile %s
require_certificate true
use_identity_as_username true
use_username_as_clientid true
tls_version tlsv1.2
`, runAs, b.Dir, o.MaxQueued, filepath.Join(b.Dir, "mosquitto.log"), filepath.Join(b.Dir, "acl"),
		b.Port, b.CAFile, srvCert, srvKey))
	b.start(bin)
	t.Cleanup(b.Stop)
	return b
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (b *Broker) write(name, content string) string {
	p := filepath.Join(b.Dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		b.t.Fatal(err)
	}
	return p
}

func (b *Broker) start(bin string) {
	cmd := exec.Command(bin, "-c", b.conf)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		b.t.Fatalf("mqttbroker: start mosquitto: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	b.mu.Lock()
	b.cmd, b.exited = cmd, exited
	b.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", b.Port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			b.t.Fatalf("mqttbroker: mosquitto exited at start: %s", b.Log())
		default:
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("mqttbroker: mosquitto not listening on %d after 10 s: %s", b.Port, b.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PID is the running broker's process id (0 if stopped).
func (b *Broker) PID() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return 0
	}
	return b.cmd.Process.Pid
}

// Stop ends the broker with SIGTERM (it saves its persistence file) and
// waits for it.
func (b *Broker) Stop() { b.signal(syscall.SIGTERM) }

// Kill ends the broker with SIGKILL: what it had not saved is lost.
func (b *Broker) Kill() { b.signal(syscall.SIGKILL) }

func (b *Broker) signal(sig syscall.Signal) {
	b.mu.Lock()
	cmd, exited := b.cmd, b.exited
	b.cmd = nil
	b.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// Restart stops the broker (SIGTERM) and starts it again on the same port
// with the same persistence file: persistent sessions, their queued
// messages and retained messages survive.
func (b *Broker) Restart() {
	b.Stop()
	b.start(Binary())
}

// Log returns the broker's log so far.
func (b *Broker) Log() string {
	raw, _ := os.ReadFile(filepath.Join(b.Dir, "mosquitto.log"))
	return string(raw)
}

// CPUTime returns the broker's user + system CPU time so far, from
// /proc/PID/stat (utime and stime, in clock ticks of 1/100 s on Linux).
func (b *Broker) CPUTime() (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", b.PID()))
	if err != nil {
		return 0, fmt.Errorf("mqttbroker: %w", err)
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("mqttbroker: /proc stat %q", s)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state); utime is field 14
	if len(f) < 13 {
		return 0, fmt.Errorf("mqttbroker: /proc stat has %d fields", len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("mqttbroker: /proc stat utime %q stime %q", f[11], f[12])
	}
	const tick = 10 * time.Millisecond // sysconf(_SC_CLK_TCK) = 100 on Linux
	return time.Duration(ut+st) * tick, nil
}

// Client returns the PEM certificate and key files of a client whose CN
// is name (a device id, or Backend), issuing them on first use.
func (b *Broker) Client(name string) (certFile, keyFile string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := b.certs[name]; ok {
		return c[0], c[1]
	}
	certFile, keyFile = b.issue(name, false)
	b.certs[name] = [2]string{certFile, keyFile}
	return certFile, keyFile
}

func (b *Broker) newCA() {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kiosk06 test broker CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		b.t.Fatal(err)
	}
	b.caCert, _ = x509.ParseCertificate(der)
	b.caKey = key
	b.serial = 1
	b.write("ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
}

// issue signs a leaf certificate: the broker's (server, for the IP name) or
// a client's (CN name); it returns the file paths.
func (b *Broker) issue(name string, server bool) (string, string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.t.Fatal(err)
	}
	b.serial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(b.serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	file := "client-" + name
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP(name)}
		tmpl.DNSNames = []string{"localhost"}
		file = "server"
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, b.caCert, &key.PublicKey, b.caKey)
	if err != nil {
		b.t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.write(file+".pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))),
		b.write(file+".key", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})))
}
