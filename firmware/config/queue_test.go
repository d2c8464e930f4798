package config

import (
	"strings"
	"testing"
)

const queueBase = "[device]\nid = \"h-01\"\nprofile = \"hospital\"\n"

// TestQueueOldExampleRefused is issue 15's finding: the example bound
// 0.0.0.0:8407 over plain HTTP with literal tokens, and config check
// accepted it. Both are errors now, and the tokens are not echoed.
func TestQueueOldExampleRefused(t *testing.T) {
	_, err := Parse("t.toml", []byte(queueBase+`[queue]
api_listen = "0.0.0.0:8407"

[queue.tokens]
"display-board-tang2-7c1f9a" = "display"
"counter-staff-noi-3b8e2d41" = "staff"
`), RealOptions())
	es, _ := err.(Errors)
	if e := queueErr(es, "queue.tokens"); e == nil || !strings.Contains(e.Expected, "token_file") || e.Line != 7 {
		t.Errorf("inline tokens: %v", err)
	}
	if e := queueErr(es, "queue.api_listen"); e == nil || !strings.Contains(e.Expected, "tls_cert") || e.Line != 5 {
		t.Errorf("plain HTTP on 0.0.0.0: %v", err)
	}
	if err != nil && (strings.Contains(err.Error(), "7c1f9a") || strings.Contains(err.Error(), "3b8e2d41")) {
		t.Errorf("a token echoed in the errors: %v", err)
	}
}

func TestQueueAPI(t *testing.T) {
	client := "\n[[queue.clients]]\nname = \"board\"\nrole = \"display\"\ntoken_file = \"/etc/kiosk06/queue/board.token\"\n"
	for _, tc := range []struct {
		name, doc string
		key       string // "" when valid
	}{
		{"loopback plain HTTP", "[queue]\napi_listen = \"127.0.0.1:8407\"\n" + client, ""},
		{"IPv6 loopback", "[queue]\napi_listen = \"[::1]:8407\"\n" + client, ""},
		{"localhost", "[queue]\napi_listen = \"localhost:8407\"\n" + client, ""},
		{"LAN with TLS", "[queue]\napi_listen = \"0.0.0.0:8407\"\ntls_cert = \"/c.pem\"\ntls_key = \"/k.pem\"\n" + client, ""},
		{"mutual TLS", "[queue]\napi_listen = \":8407\"\ntls_cert = \"/c.pem\"\ntls_key = \"/k.pem\"\nclient_ca = \"/ca.pem\"\n" + client, ""},
		{"LAN insecure on purpose", "allow_insecure_http = true\n[queue]\napi_listen = \"192.168.1.20:8407\"\n" + client, ""},
		{"every interface in clear", "[queue]\napi_listen = \":8407\"\n" + client, "queue.api_listen"},
		{"LAN in clear", "[queue]\napi_listen = \"192.168.1.20:8407\"\n" + client, "queue.api_listen"},
		{"127.0.0.1.example.vn", "[queue]\napi_listen = \"127.0.0.1.example.vn:8407\"\n" + client, "queue.api_listen"},
		{"no port", "[queue]\napi_listen = \"127.0.0.1\"\n" + client, "queue.api_listen"},
		{"port 0", "[queue]\napi_listen = \"127.0.0.1:0\"\n" + client, "queue.api_listen"},
		{"no clients", "[queue]\napi_listen = \"127.0.0.1:8407\"\n", "queue.api_listen"},
		{"cert without key", "[queue]\ntls_cert = \"/c.pem\"\n", "queue.tls_key"},
		{"client CA alone", "[queue]\nclient_ca = \"/ca.pem\"\n", "queue.client_ca"},
		{"cap of 999", "[queue]\nissue_daily_cap = 999\n", "queue.issue_daily_cap"},
		{"no burst", "[queue]\nissue_burst = -1\n", "queue.issue_burst"},
		{"rate", "[queue]\nissue_per_minute = 1000\n", "queue.issue_per_minute"},
		{"requests", "[queue]\nrequests_per_second = 0.5\n", "queue.requests_per_second"},
		{"streams", "[queue]\nstreams_per_client = 100\n", "queue.streams_per_client"},
		{"inline token", "[queue]\n[queue.tokens]\n\"3f9c2a7e1b8d4c6f0a5e9b2d7c1f8a4e\" = \"kiosk\"\n", "queue.tokens"},
		{"queue client", "[queue]\nhost = \"https://queue-host.bv.local:8407\"\nhost_token_file = \"kiosk-b.token\"\nhost_ca = \"/ca.pem\"\noffline_prefix = \"B-\"\n", ""},
		{"queue client on loopback", "[queue]\nhost = \"http://127.0.0.1:8407\"\nhost_token_file = \"t\"\noffline_prefix = \"KB\"\n", ""},
		{"queue host in clear", "[queue]\nhost = \"http://queue-host:8407\"\nhost_token_file = \"t\"\noffline_prefix = \"B-\"\n", "queue.host"},
		{"queue client without prefix", "[queue]\nhost = \"https://queue-host:8407\"\nhost_token_file = \"t\"\n", "queue.offline_prefix"},
		{"queue client bad prefix", "[queue]\nhost = \"https://queue-host:8407\"\nhost_token_file = \"t\"\noffline_prefix = \"b1\"\n", "queue.offline_prefix"},
		{"queue client without token", "[queue]\nhost = \"https://queue-host:8407\"\noffline_prefix = \"B-\"\n", "queue.host_token_file"},
		{"host and client at once", "[queue]\nhost = \"https://queue-host:8407\"\nhost_token_file = \"t\"\noffline_prefix = \"B-\"\napi_listen = \"127.0.0.1:8407\"\n" + client, "queue.api_listen"},
		{"prefix without host", "[queue]\noffline_prefix = \"B-\"\n", "queue.host"},
		{"client with a token", "[[queue.clients]]\nname = \"k\"\nrole = \"kiosk\"\ntoken = \"3f9c2a7e1b8d4c6f0a5e9b2d7c1f8a4e\"\ntoken_file = \"/t\"\n", "queue.clients[0].token"},
	} {
		_, err := Parse("t.toml", []byte(queueBase+tc.doc), RealOptions())
		switch {
		case tc.key == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.key != "" && (err == nil || !strings.Contains(err.Error(), tc.key+":")):
			t.Errorf("%s: err = %v, want one naming %s", tc.name, err, tc.key)
		}
	}
}

func TestQueueClients(t *testing.T) {
	head := "[queue]\napi_listen = \"127.0.0.1:8407\"\n[[queue.services]]\ncode = \"A\"\nname = \"Khám\"\ncounters = [\"1\", \"2\"]\n"
	entry := func(fields string) string { return "[[queue.clients]]\n" + fields + "\n" }
	ok := entry("name = \"quay-1\"\nrole = \"staff\"\ntoken_file = \"q1.token\"\ncounters = [\"1\"]") +
		entry("name = \"kiosk-sanh\"\nrole = \"kiosk\"\ntoken_file = \"/k.token\"\npriorities = [\"age_75\", \"child_under_6\"]\nissue_daily_cap = 400\nissue_per_minute = 12\nissue_burst = 20")
	c, err := Parse("t.toml", []byte(queueBase+head+ok), RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	q := c.Queue
	if len(q.Clients) != 2 || q.Clients[1].IssueDailyCap != 400 || q.Clients[0].Counters[0] != "1" ||
		q.IssuePerMinute != 6 || q.IssueBurst != 10 || q.IssueDailyCap != 200 || q.RequestsPerSecond != 10 || q.StreamsPerClient != 4 {
		t.Fatalf("parsed %+v", q)
	}
	for _, tc := range []struct{ doc, key string }{
		{entry("name = \"a b\"\nrole = \"kiosk\"\ntoken_file = \"/t\""), "queue.clients.0.name"},
		{entry("name = \"a\"\nrole = \"kiosk\"\ntoken_file = \"/t\"") + entry("name = \"a\"\nrole = \"display\"\ntoken_file = \"/u\""), "queue.clients.1.name"},
		{entry("name = \"a\"\nrole = \"admin\"\ntoken_file = \"/t\""), "queue.clients.0.role"},
		{entry("name = \"a\"\nrole = \"kiosk\""), "queue.clients.0.token_file"},
		{entry("name = \"a\"\nrole = \"kiosk\"\ntoken_file = \"/t\"\ncounters = [\"1\"]"), "queue.clients.0.counters"},
		{entry("name = \"a\"\nrole = \"staff\"\ntoken_file = \"/t\"\ncounters = [\"9\"]"), "queue.clients.0.counters"},
		{entry("name = \"a\"\nrole = \"staff\"\ntoken_file = \"/t\"\npriorities = [\"age_75\"]"), "queue.clients.0.priorities"},
		{entry("name = \"a\"\nrole = \"kiosk\"\ntoken_file = \"/t\"\npriorities = [\"vip\"]"), "queue.clients.0.priorities"},
		{entry("name = \"a\"\nrole = \"kiosk\"\ntoken_file = \"/t\"\nissue_daily_cap = 999"), "queue.clients.0.issue_daily_cap"},
		{entry("name = \"a\"\nrole = \"kiosk\"\ntoken_file = \"/t\"\nissue_burst = 1000"), "queue.clients.0.issue_burst"},
	} {
		_, err := Parse("t.toml", []byte(queueBase+head+tc.doc), RealOptions())
		if err == nil || !strings.Contains(err.Error(), tc.key+":") {
			t.Errorf("%q: err = %v, want one naming %s", tc.doc, err, tc.key)
		}
	}
}

// queueErr is the error at key in es, or nil.
func queueErr(es Errors, key string) *FieldError {
	for i := range es {
		if es[i].Key == key {
			return &es[i]
		}
	}
	return nil
}
