package config

import (
	"reflect"
	"strings"
)

// Validator is what a profile's Section checks itself with. Keys are
// relative to the section's table ("route" in [transit] is reported as
// "transit.route"), each error carries the key's line, and every problem
// is collected: Validate does not stop at the first.
type Validator struct {
	v          *validator
	prefix     string
	insecureOK bool
}

// key is the dotted key of k in the table.
func (v *Validator) key(k string) string { return join(v.prefix, k) }

// Check records an invalid value at key unless ok; expected says what
// would be accepted.
func (v *Validator) Check(ok bool, key string, value any, expected string) {
	if d, isDur := value.(Duration); isDur {
		value = d.D().String()
	}
	v.v.check(ok, v.key(key), value, expected)
}

// Written reports whether key was written in the file (a zero value
// written on purpose, e.g. clock_skew = "0s", is told from an absent one).
func (v *Validator) Written(key string) bool {
	_, ok := v.v.lines[v.key(key)]
	return ok
}

// InsecureHTTPAllowed reports whether plain http:// is allowed: under
// --sim or with [device] allow_insecure_http.
func (v *Validator) InsecureHTTPAllowed() bool { return v.insecureOK }

// OneOf reports whether s is one of opts.
func OneOf(s string, opts ...string) bool { return oneOf(s, opts...) }

// Digits reports whether s is exactly n ASCII digits.
func Digits(s string, n int) bool { return digits(s, n) }

// sharedTable reports whether name is a table of Config itself (a
// profile's table may not take it).
func sharedTable(name string) bool {
	rt := reflect.TypeOf(Config{})
	for i := 0; i < rt.NumField(); i++ {
		if n, _, _ := strings.Cut(rt.Field(i).Tag.Get("toml"), ","); n == name {
			return true
		}
	}
	return false
}

// isStructPtr reports whether s is a non-nil pointer to a struct, the
// shape a Section must have to be decoded.
func isStructPtr(s Section) bool {
	rv := reflect.ValueOf(s)
	return rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Struct
}
