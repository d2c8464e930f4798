package bhyt

import (
	"errors"
	"testing"
	"time"
)

func TestParseToken(t *testing.T) {
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	c := &Client{cfg: Config{Now: func() time.Time { return now }}}
	for _, tc := range []struct {
		body string
		exp  time.Time
		err  error
	}{
		{`{"maKetQua":"200","APIKey":{"access_token":"a","id_token":"i","expires_in":"2026-11-22T09:00:00+07:00"}}`, time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC), nil},
		{`{"maKetQua":"200","APIKey":{"access_token":"a","expires_in":"1800"}}`, now.Add(30 * time.Minute), nil},
		{`{"maKetQua":"200","APIKey":{"access_token":"a","expires_in":"soon"}}`, now.Add(5 * time.Minute), nil},
		{`{"maKetQua":"401"}`, time.Time{}, ErrAuth},
		{`{"maKetQua":"200","APIKey":{}}`, time.Time{}, ErrUnavailable},
		{`nope`, time.Time{}, ErrUnavailable},
	} {
		tok, err := c.parseToken([]byte(tc.body))
		if !errors.Is(err, tc.err) || (err == nil && !tok.expires.Equal(tc.exp)) {
			t.Errorf("%s: %+v %v", tc.body, tok, err)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add([]byte(`{"maKetQua":"200","APIKey":{"access_token":"a","id_token":"i","expires_in":"2026-11-22T09:00:00+07:00"}}`))
	c := &Client{cfg: Config{Now: time.Now}}
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = c.parseToken(b) })
}
