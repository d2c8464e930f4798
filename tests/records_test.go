package tests

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/simrig"
	"github.com/kiosk06/kiosk/tests/collector"
)

// uploaded is one record as the backend received it.
type uploaded struct {
	Kind    string
	Payload json.RawMessage
}

func fromCollector(rs []collector.Record) []uploaded {
	out := make([]uploaded, len(rs))
	for i, r := range rs {
		out[i] = uploaded{r.Kind, r.Payload}
	}
	return out
}

func fromControl(rs []simrig.ControlRecord) []uploaded {
	out := make([]uploaded, len(rs))
	for i, r := range rs {
		out[i] = uploaded{r.Kind, r.Payload}
	}
	return out
}

// checkUploaded: every record a real kioskd uploaded is a registered kind
// whose payload the firmware's own types read strictly (records.Check: a
// known version, no member the type lacks, none missing its JSON type),
// and whose sealed "personal" member holds only fields its kind lists —
// the wire format docs/RECORDS.md describes is what the backend gets.
func checkUploaded(t *testing.T, recs []uploaded) {
	t.Helper()
	if len(recs) == 0 {
		t.Fatal("no records uploaded")
	}
	for _, r := range recs {
		if err := records.Check(r.Kind, r.Payload); err != nil {
			t.Errorf("uploaded %s: %v: %s", r.Kind, err, r.Payload)
			continue
		}
		k, _ := records.Lookup(r.Kind)
		var p struct {
			Personal map[string]string `json:"personal"`
		}
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Errorf("uploaded %s: %v", r.Kind, err)
		}
		for name := range p.Personal {
			if !slices.Contains(k.Personal, name) {
				t.Errorf("uploaded %s carries the sealed field %q its kind does not list", r.Kind, name)
			}
		}
	}
}
