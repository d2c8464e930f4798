package transit

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/uplink"
	"github.com/kiosk06/kiosk/tests/collector"
)

// TestEndToEnd runs the profile in-process: signed lists synced from a
// back-end, taps decided against a real store, and the records uploaded to the
// reference collector with one uplink drain.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	_, priv := signKey(t)
	tk := tokenizer(t)
	srv := &listServer{priv: priv, versions: map[string][]Document{
		ListDeny: {{Name: ListDeny, Version: 1, Add: hexes(tk.ID("001090000002"))}},
		ListPass: {{Name: ListPass, Version: 1}},
	}}
	lists := httptest.NewServer(srv)
	defer lists.Close()
	col := collector.New(collector.Options{Token: "t0k"})
	backend := httptest.NewServer(col.Handler())
	defer backend.Close()

	st := openStore(t)
	p := newPins()
	v, c := newTestValidator(t, st, p.feedback(t, nil), nil)
	ls, _ := newListStore(t, t.TempDir(), st)
	ls.Load(ctx)
	sy := &Syncer{BaseURL: lists.URL, Client: lists.Client(), Store: ls}
	if _, err := sy.Sync(ctx, v); err != nil {
		t.Fatal(err)
	}
	taps := []struct {
		qr   string
		want Reason
	}{
		{testQR, ReasonFare},
		{qrBorn("001090000002", "01011990"), ReasonDenyList},
		{qrBorn("001060000003", "01011950"), ReasonConcession},
		{"https://vneid.gov.vn/q/abc", ReasonNeedsOnline},
	}
	for _, tp := range taps {
		r, _ := v.HandleQR(ctx, tp.qr)
		if r.Reason != tp.want {
			t.Fatalf("tap: %s, want %s", r.Reason, tp.want)
		}
		c.Add(1)
	}

	up, err := uplink.New(st, uplink.Options{BaseURL: backend.URL, Token: "t0k", HTTPClient: backend.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	if _, err := up.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	recs := col.Records(st.DeviceID())
	if len(recs) != len(taps) {
		t.Fatalf("collector holds %d records, want %d", len(recs), len(taps))
	}
	for i, r := range recs {
		var p records.TransitTap
		if r.Kind != RecordKind || json.Unmarshal(r.Payload, &p) != nil || Reason(p.Reason) != taps[i].want || p.DenyVersion != 1 {
			t.Errorf("record %d: kind %q payload %s", i, r.Kind, r.Payload)
		}
	}
}
