package config

import (
	"cmp"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// QueueService is one [[queue.services]] entry.
type QueueService struct {
	Code     string   `toml:"code" expect:"one upper-case letter (tickets are CODE + 3 digits)"`
	Name     string   `toml:"name" expect:"the service's Vietnamese name"`
	Counters []string `toml:"counters" expect:"the counters (quầy / phòng) that serve it"`
}

// Queue is the [queue] section: the numbered-ticket engine (queue/) and
// its API for counters, display boards and ticket kiosks (queue/queueapi).
type Queue struct {
	Services []QueueService `toml:"services"`
	// ResetAt is the local time numbering restarts at 001 ("HH:MM").
	ResetAt string `toml:"reset_at" expect:"a local time such as \"00:00\""`
	// PriorityEvery: at least every Nth call serves the normal line.
	PriorityEvery int `toml:"priority_every" expect:"a number of calls from 1 to 20"`

	// APIListen serves the API; empty disables it.
	APIListen string `toml:"api_listen" expect:"a host:port such as 0.0.0.0:8407, or empty"`
	// TLSCert and TLSKey are the API's certificate and key (PEM): required
	// unless APIListen is a loopback address or [device] allow_insecure_http
	// is set.
	TLSCert string `toml:"tls_cert" expect:"a PEM certificate file path"`
	TLSKey  string `toml:"tls_key" expect:"a PEM private key file path"`
	// ClientCA, when set, makes every client present a certificate issued
	// by it (mutual TLS) besides its token.
	ClientCA string `toml:"client_ca" expect:"a PEM CA bundle file path"`
	// Clients are the API's clients, each with its own token file.
	Clients []QueueClient `toml:"clients"`
	// Issue limits per client (queueapi.IssueLimits), and the request rate
	// and open event streams per client.
	IssuePerMinute    float64 `toml:"issue_per_minute" expect:"tickets a minute per client, from 0.1 to 600"`
	IssueBurst        int     `toml:"issue_burst" expect:"tickets a client may take back to back, from 1 to 100"`
	IssueDailyCap     int     `toml:"issue_daily_cap" expect:"tickets per client per service per day, from 1 to 998"`
	RequestsPerSecond float64 `toml:"requests_per_second" expect:"requests a second per client, from 1 to 1000"`
	StreamsPerClient  int     `toml:"streams_per_client" expect:"open event streams per client, from 1 to 64"`

	// Host makes this kiosk a client of another kiosk's (or a small
	// server's) queue: numbers come from there, one numbering per service
	// across the site, and staff calls go there. Empty: this kiosk numbers
	// on its own (and hosts the queue when APIListen is set).
	Host string `toml:"host" expect:"the queue host's API URL, https://host:8407"`
	// HostTokenFile holds this kiosk's token at the host (a kiosk client
	// there); HostCA is the PEM bundle that signed the host's certificate
	// (empty: the system roots).
	HostTokenFile string `toml:"host_token_file" expect:"a file path holding this kiosk's token at the queue host"`
	HostCA        string `toml:"host_ca" expect:"a PEM CA bundle file path"`
	// OfflinePrefix starts the numbers this kiosk issues on its own while
	// the host is unreachable ("B-" gives B-A001); they are handed to the
	// host when it is back. Distinct per kiosk.
	OfflinePrefix string `toml:"offline_prefix" expect:"1-3 upper-case letters and an optional '-', distinct per kiosk, e.g. \"B-\""`

	// Tokens was the inline token = role table; tokens now live in files
	// (Clients). Kept only to explain the change when it is still written.
	Tokens map[string]string `toml:"tokens"`
}

// QueueClient is one [[queue.clients]] entry: a display board, a ticket
// kiosk or a counter terminal with its own token.
type QueueClient struct {
	Name string `toml:"name" expect:"1-64 letters, digits, '-', '_' or '.' naming the client in logs and metrics"`
	Role string `toml:"role" expect:"display, kiosk or staff"`
	// TokenFile holds the client's bearer token (at least 32 random
	// characters, e.g. openssl rand -hex 32); a relative path is read from
	// systemd's $CREDENTIALS_DIRECTORY, or else next to the config file.
	TokenFile string `toml:"token_file" expect:"a file path holding the client's token"`
	// Counters limits a staff client to these counters; empty: all.
	Counters []string `toml:"counters" expect:"counters of [[queue.services]]"`
	// Priorities a kiosk client may issue besides normal.
	Priorities []string `toml:"priorities" expect:"priority classes: emergency, child_under_6, pregnant, severe_disability, age_75, revolutionary_merit"`
	// Per-client issue limits; 0 keeps the [queue] value.
	IssuePerMinute float64 `toml:"issue_per_minute" expect:"tickets a minute, from 0.1 to 600"`
	IssueBurst     int     `toml:"issue_burst" expect:"tickets back to back, from 1 to 100"`
	IssueDailyCap  int     `toml:"issue_daily_cap" expect:"tickets per service per day, from 1 to 998"`
}

// Default API limits (queueapi's defaults).
const (
	defaultIssuePerMinute    = 6
	defaultIssueBurst        = 10
	defaultIssueDailyCap     = 200
	defaultRequestsPerSecond = 10
	defaultStreamsPerClient  = 4
)

// priorityClasses are the API names of the priority classes besides normal
// (queue.Priority).
var priorityClasses = []string{"emergency", "child_under_6", "pregnant", "severe_disability", "age_75", "revolutionary_merit"}

// ResetOffset is ResetAt as a time of day (validated).
func (q Queue) ResetOffset() time.Duration {
	t, err := time.Parse("15:04", q.ResetAt)
	if err != nil {
		return 0
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
}

// PlainHTTPAllowed reports whether the API may serve plain HTTP: on a
// loopback address (nothing crosses the network), or where the operator
// said so with [device] allow_insecure_http (insecure).
func (q Queue) PlainHTTPAllowed(insecure bool) bool {
	return insecure || q.APIOnLoopback()
}

// APIOnLoopback reports whether api_listen binds only a loopback address.
func (q Queue) APIOnLoopback() bool { return loopbackListen(q.APIListen) }

// loopbackListen reports whether addr (host:port) binds only a loopback
// address. An empty host binds every interface.
func loopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (q *Queue) validate(v *validator, insecure bool) {
	if len(q.Services) == 0 {
		q.Services = []QueueService{{Code: "A", Name: "Khám bệnh", Counters: []string{"1"}}}
	}
	if q.ResetAt == "" {
		q.ResetAt = "00:00"
	}
	if q.PriorityEvery == 0 {
		q.PriorityEvery = 3
	}
	_, err := time.Parse("15:04", q.ResetAt)
	v.check(err == nil, "queue.reset_at", q.ResetAt, "a local time such as \"00:00\"")
	v.check(q.PriorityEvery >= 1 && q.PriorityEvery <= 20, "queue.priority_every", q.PriorityEvery, "a number of calls from 1 to 20")
	seen := map[string]bool{}
	for i, s := range q.Services {
		key := "queue.services"
		v.check(QueueLetter(s.Code) && !seen[s.Code], key, s.Code, "a distinct upper-case letter per service (entry "+string(rune('1'+i))+")")
		v.check(strings.TrimSpace(s.Name) != "" && len(s.Counters) > 0, key, s.Name, "a name and at least one counter per service")
		seen[s.Code] = true
	}
	if len(q.Tokens) > 0 {
		// The inline table put live tokens in a file many people read and
		// the examples' literal tokens into production.
		v.notUsed("queue.tokens", "[[queue.clients]] entries with name, role and token_file (inline tokens are no longer accepted; make new random ones)")
	}
	q.validateAPI(v, insecure)
	q.validateHost(v, insecure)
}

// validateHost checks a client kiosk's link to the queue host.
func (q *Queue) validateHost(v *validator, insecure bool) {
	if q.Host == "" {
		v.check(q.HostTokenFile == "" && q.HostCA == "" && q.OfflinePrefix == "", "queue.host", q.Host,
			"a queue host URL with host_token_file, host_ca and offline_prefix")
		return
	}
	u, err := url.Parse(q.Host)
	v.check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.Path == "", "queue.host", q.Host, "the queue host's API URL, https://host:8407")
	if err == nil && u.Scheme == "http" {
		v.check(insecure || loopbackListen(u.Host), "queue.host", q.Host,
			"https:// (the token must not cross the network in clear), or [device] allow_insecure_http = true")
	}
	v.check(q.APIListen == "", "queue.api_listen", q.APIListen, "empty on a kiosk that uses a queue host (queue.host): one host per site")
	v.check(strings.TrimSpace(q.HostTokenFile) != "", "queue.host_token_file", q.HostTokenFile, "a file path holding this kiosk's token at the queue host")
	v.check(OfflinePrefix(q.OfflinePrefix), "queue.offline_prefix", q.OfflinePrefix, "1-3 upper-case letters and an optional '-', distinct per kiosk, e.g. \"B-\"")
}

// OfflinePrefix reports whether s may start a kiosk's offline numbers:
// 1-3 upper-case letters, then an optional '-'.
func OfflinePrefix(s string) bool {
	letters := strings.TrimSuffix(s, "-")
	if len(letters) < 1 || len(letters) > 3 {
		return false
	}
	for _, c := range letters {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// validateAPI checks the API's listener, TLS, limits and clients.
func (q *Queue) validateAPI(v *validator, insecure bool) {
	q.IssuePerMinute = cmp.Or(q.IssuePerMinute, defaultIssuePerMinute)
	q.IssueBurst = cmp.Or(q.IssueBurst, defaultIssueBurst)
	q.IssueDailyCap = cmp.Or(q.IssueDailyCap, defaultIssueDailyCap)
	q.RequestsPerSecond = cmp.Or(q.RequestsPerSecond, defaultRequestsPerSecond)
	q.StreamsPerClient = cmp.Or(q.StreamsPerClient, defaultStreamsPerClient)
	checkLimits(v, "queue", q.IssuePerMinute, q.IssueBurst, q.IssueDailyCap)
	v.check(q.RequestsPerSecond >= 1 && q.RequestsPerSecond <= 1000, "queue.requests_per_second", q.RequestsPerSecond, "requests a second per client, from 1 to 1000")
	v.check(q.StreamsPerClient >= 1 && q.StreamsPerClient <= 64, "queue.streams_per_client", q.StreamsPerClient, "open event streams per client, from 1 to 64")
	v.check((q.TLSCert == "") == (q.TLSKey == ""), "queue.tls_key", q.TLSKey, "tls_cert and tls_key together")
	v.check(q.ClientCA == "" || q.TLSCert != "", "queue.client_ca", q.ClientCA, "client_ca only with tls_cert and tls_key")
	if q.APIListen == "" {
		return
	}
	_, port, err := net.SplitHostPort(q.APIListen)
	n, perr := strconv.Atoi(port)
	v.check(err == nil && perr == nil && n >= 1 && n <= 65535, "queue.api_listen", q.APIListen, "a host:port such as 0.0.0.0:8407")
	v.check(q.TLSCert != "" || q.PlainHTTPAllowed(insecure), "queue.api_listen", q.APIListen,
		"tls_cert and tls_key for a non-loopback address (tokens must not cross the network in clear), or [device] allow_insecure_http = true")
	v.check(len(q.Clients) > 0, "queue.api_listen", q.APIListen, "at least one [[queue.clients]] entry with the API")
	counters := map[string]bool{}
	for _, s := range q.Services {
		for _, c := range s.Counters {
			counters[c] = true
		}
	}
	names := map[string]bool{}
	for i, c := range q.Clients {
		key := func(k string) string { return fmt.Sprintf("queue.clients.%d.%s", i, k) }
		v.check(clientName(c.Name) && !names[c.Name], key("name"), c.Name, "a distinct name of 1-64 letters, digits, '-', '_' or '.'")
		names[c.Name] = true
		v.check(oneOf(c.Role, "display", "kiosk", "staff"), key("role"), c.Role, "display, kiosk or staff")
		v.check(strings.TrimSpace(c.TokenFile) != "", key("token_file"), c.TokenFile, "a file path holding the client's token")
		v.check(len(c.Counters) == 0 || c.Role == "staff", key("counters"), c.Counters, "counters only for a staff client")
		for _, ctr := range c.Counters {
			v.check(counters[ctr], key("counters"), ctr, "counters of [[queue.services]]")
		}
		v.check(len(c.Priorities) == 0 || c.Role == "kiosk", key("priorities"), c.Priorities, "priorities only for a kiosk client (staff may issue every class)")
		for _, p := range c.Priorities {
			v.check(oneOf(p, priorityClasses...), key("priorities"), p, "one of "+strings.Join(priorityClasses, ", "))
		}
		checkLimits(v, fmt.Sprintf("queue.clients.%d", i), c.IssuePerMinute, c.IssueBurst, c.IssueDailyCap)
	}
}

// checkLimits checks issue limits; a zero value (the default, or the
// [queue] value for a client) is not checked here.
func checkLimits(v *validator, key string, perMinute float64, burst, cap int) {
	v.check(perMinute == 0 || perMinute >= 0.1 && perMinute <= 600, key+".issue_per_minute", perMinute, "tickets a minute, from 0.1 to 600")
	v.check(burst == 0 || burst >= 1 && burst <= 100, key+".issue_burst", burst, "tickets back to back, from 1 to 100")
	// At most 998 of the 999 numbers a service has a day: no client can
	// take them all.
	v.check(cap == 0 || cap >= 1 && cap <= 998, key+".issue_daily_cap", cap, "tickets per service per day, from 1 to 998")
}

// QueueLetter reports whether s is a queue service code: one upper-case
// letter (tickets are CODE + 3 digits).
func QueueLetter(s string) bool { return len(s) == 1 && s[0] >= 'A' && s[0] <= 'Z' }

func clientName(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
