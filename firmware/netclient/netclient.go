// Package netclient builds the HTTP clients kioskd uses to reach its
// backends (uplink collector, payment confirmation, BHYT, HIS, list
// server): TLS 1.2 or newer, the configured CA bundle instead of the system
// roots when one is given, and a client certificate for mutual TLS.
//
// It owns nothing else: no retries, no tokens. It imports only the standard
// library and no project package.
package netclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// TLS names the PEM files of one backend's TLS settings. Empty fields fall
// back to the system roots and no client certificate.
type TLS struct {
	CAFile     string // PEM CA bundle that must have issued the server's certificate
	ClientCert string // PEM client certificate (mutual TLS)
	ClientKey  string // PEM key of ClientCert
}

// ErrInsecureURL is returned by CheckURL for a plain http:// URL where
// insecure HTTP was not allowed.
var ErrInsecureURL = errors.New("netclient: plain http:// is not allowed")

// Config returns the tls.Config for t.
func (t TLS) Config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("netclient: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("netclient: CA file %s: no PEM certificates", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.ClientCert != "" || t.ClientKey != "" {
		cert, err := tls.LoadX509KeyPair(t.ClientCert, t.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("netclient: client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// New returns an HTTP client that speaks TLS as t says and gives up on a
// request after timeout (0: no overall limit; callers then bound requests
// with their context).
func New(t TLS, timeout time.Duration) (*http.Client, error) {
	cfg, err := t.Config()
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

// CheckURL accepts an https:// URL with a host, and an http:// one only
// when allowInsecure is set (the simulator, or an operator's explicit
// allow_insecure_http).
func CheckURL(raw string, allowInsecure bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("netclient: %q: %w", raw, err)
	}
	if u.Host == "" {
		return fmt.Errorf("netclient: %q: no host", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if allowInsecure {
			return nil
		}
		return fmt.Errorf("%w: %s", ErrInsecureURL, raw)
	}
	return fmt.Errorf("netclient: %q: want an https:// URL", raw)
}

// SameOrigin reports whether a and b have the same scheme, host and port,
// so that a credential meant for one is never sent to the other.
func SameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil || ua.Host == "" {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(hostPort(ua), hostPort(ub))
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u.Hostname() + ":443"
	case "http":
		return u.Hostname() + ":80"
	}
	return u.Host
}
