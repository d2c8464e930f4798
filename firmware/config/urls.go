package config

import (
	"errors"

	"github.com/kiosk06/kiosk/firmware/netclient"
)

// BackendURL is one backend URL key of the configuration and its value.
type BackendURL struct {
	Key string // dotted key, e.g. "payments.base_url" (in a Section's list: relative to its table)
	URL string
}

// BackendURLs lists every backend URL the file sets (empty ones left out),
// in a fixed order: the shared sections', then each profile section's
// (SectionURLs) by profile name. Every key a backend client is built from
// belongs here, so that validateURLs holds each one to the same rule.
func (c *Config) BackendURLs() []BackendURL {
	all := []BackendURL{
		{"uplink.base_url", c.Uplink.BaseURL},
		{"payments.base_url", c.Payments.BaseURL},
		{"bhyt.base_url", c.BHYT.BaseURL},
		{"his.base_url", c.HIS.BaseURL},
	}
	for _, n := range c.sectionNames() {
		if su, ok := c.sections[n].(SectionURLs); ok {
			for _, u := range su.BackendURLs() {
				all = append(all, BackendURL{join(n, u.Key), u.URL})
			}
		}
	}
	out := all[:0]
	for _, u := range all {
		if u.URL != "" {
			out = append(out, u)
		}
	}
	return out
}

// InsecureHTTPAllowed reports whether plain http:// (backend URLs, the
// queue API and payment push listeners off loopback) is allowed: under
// --sim, or by the operator's explicit [device] allow_insecure_http.
func (c *Config) InsecureHTTPAllowed() bool { return c.Sim || c.Device.AllowInsecureHTTP }

// InsecureURLs returns the keys whose URL is plain http:// (allowed only by
// --sim or allow_insecure_http), for the warning logged at start.
func (c *Config) InsecureURLs() []string {
	var keys []string
	for _, u := range c.BackendURLs() {
		if errors.Is(netclient.CheckURL(u.URL, false), netclient.ErrInsecureURL) {
			keys = append(keys, u.Key)
		}
	}
	return keys
}

// validateURLs holds every backend URL to netclient.CheckURL: https:// with
// a host, http:// only when insecureOK.
func (c *Config) validateURLs(v *validator) {
	for _, u := range c.BackendURLs() {
		err := netclient.CheckURL(u.URL, c.InsecureHTTPAllowed())
		switch {
		case err == nil:
		case errors.Is(err, netclient.ErrInsecureURL):
			v.errs = append(v.errs, FieldError{File: v.file, Line: v.line(u.Key), Key: u.Key, Value: show(u.URL), Problem: "insecure URL",
				Expected: "an https:// URL (plain http:// only under --sim or with [device] allow_insecure_http = true)"})
		default:
			v.check(false, u.Key, u.URL, "an https:// URL with a host")
		}
	}
}
