package records_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

var update = flag.Bool("update", false, "rewrite the golden payloads in testdata/ and docs/RECORDS.md")

// goldenName is the golden file of a sample of k.
func goldenName(k records.Kind, variant string) string {
	return filepath.Join("testdata", fmt.Sprintf("%s.v%d.%s.json", k.Name, k.Version, variant))
}

// TestGoldenPayloads: every registered kind has samples, and each encodes
// byte for byte as its golden file — the wire format the backend parses.
// A changed shape fails here until the kind's version is bumped (a new
// golden name) and the goldens are regenerated with -update.
func TestGoldenPayloads(t *testing.T) {
	all := samples()
	want := map[string]bool{}
	for _, k := range records.Kinds() {
		ss := all[k.Name]
		if len(ss) == 0 {
			t.Errorf("%s has no sample and so no golden payload: add one to samples_test.go", k.Name)
		}
		for _, s := range ss {
			name := goldenName(k, s.variant)
			want[filepath.Base(name)] = true
			got, err := records.Marshal(s.payload)
			if err != nil {
				t.Fatalf("%s %s: %v", k.Name, s.variant, err)
			}
			got = append(got, '\n')
			if *update {
				if err := os.WriteFile(name, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			golden, err := os.ReadFile(name)
			if err != nil {
				t.Errorf("%s %s: no golden payload (go test -update): %v", k.Name, s.variant, err)
				continue
			}
			if !bytes.Equal(got, golden) {
				t.Errorf("%s %s: payload changed; bump the kind's version if its shape did\n got: %s\nwant: %s", k.Name, s.variant, got, golden)
			}
		}
	}
	for kind := range all {
		if _, ok := records.Lookup(kind); !ok {
			t.Errorf("sample of unregistered kind %s", kind)
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, f := range files {
		if !want[filepath.Base(f)] {
			if *update {
				_ = os.Remove(f)
				continue
			}
			t.Errorf("stale golden %s: no sample of a registered kind and version writes it", f)
		}
	}
}

// TestGoldenRoundTrip: each golden decodes into its kind's payload as the
// sample it came from, strictly (no member the type does not define), also
// without "v" (a record stored before versions existed), and with the
// uploader's sealed "personal" member beside it.
func TestGoldenRoundTrip(t *testing.T) {
	for _, k := range records.Kinds() {
		for _, s := range samples()[k.Name] {
			golden, err := os.ReadFile(goldenName(k, s.variant))
			if err != nil {
				t.Fatal(err)
			}
			golden = bytes.TrimSpace(golden)
			got := k.New()
			if err := records.Decode(store.Record{Kind: k.Name, Payload: golden}, got); err != nil {
				t.Fatalf("%s %s: %v", k.Name, s.variant, err)
			}
			if !samePayload(got, s.payload) {
				t.Errorf("%s %s: decoded %+v, want %+v", k.Name, s.variant, got, s.payload)
			}
			if err := records.Check(k.Name, golden); err != nil {
				t.Errorf("%s %s: Check: %v", k.Name, s.variant, err)
			}
			legacy := dropMember(t, golden, records.VersionKey)
			if v, err := records.Version(legacy); err != nil || v != 1 {
				t.Errorf("%s: a payload without \"v\" is version %d, %v", k.Name, v, err)
			}
			if k.Version == 1 {
				old := k.New()
				if err := records.Decode(store.Record{Kind: k.Name, Payload: legacy}, old); err != nil || !samePayload(old, s.payload) {
					t.Errorf("%s %s: pre-version payload decodes as %+v, %v", k.Name, s.variant, old, err)
				}
			}
			uploaded := addMember(t, golden, store.ReservedPersonalKey, map[string]string{"name": "x"})
			if err := records.Check(k.Name, uploaded); err != nil {
				t.Errorf("%s %s: Check of the uploaded form: %v", k.Name, s.variant, err)
			}
		}
	}
}

// samePayload compares two payloads by value, times by instant.
func samePayload(a, b records.Payload) bool {
	ja, erra := json.Marshal(a)
	jb, errb := json.Marshal(b)
	return erra == nil && errb == nil && bytes.Equal(ja, jb) && reflect.TypeOf(a) == reflect.TypeOf(b)
}

func dropMember(t *testing.T, raw []byte, key string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, key)
	b, _ := json.Marshal(m)
	return b
}

func addMember(t *testing.T, raw []byte, key string, v any) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m[key], _ = json.Marshal(v)
	b, _ := json.Marshal(m)
	return b
}

// TestCheckRefuses: what a backend must not accept as a kind's payload.
func TestCheckRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, kind, payload string
		want                error
	}{
		{"unregistered kind", "hospital.selfie", `{"v":1}`, records.ErrUnknownKind},
		{"newer version", records.KindTransitTap, `{"v":2,"verdict":"accept","reason":"fare","fare":7000,"route":"32","day":"2026-11-22","deny_version":1,"pass_version":1}`, records.ErrVersion},
		{"version 0", records.KindTransitTap, `{"v":0,"verdict":"accept"}`, records.ErrVersion},
		{"unknown member", records.KindTransitTap, `{"v":1,"verdict":"accept","id_number":"001185012345"}`, nil},
		{"wrong type", records.KindTransitTap, `{"v":1,"fare":"7000"}`, nil},
		{"not an object", records.KindTransitTap, `[1]`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := records.Check(tc.kind, []byte(tc.payload))
			if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Check: %v, want %v", err, tc.want)
			}
		})
	}
}

// memAppender keeps what Append wrote.
type memAppender struct{ recs []store.Record }

func (m *memAppender) Append(_ context.Context, r store.Record) (store.Seq, error) {
	r.Seq = store.Seq(len(m.recs) + 1)
	m.recs = append(m.recs, r)
	return r.Seq, nil
}

// TestAppend: Append writes the kind, the wire payload, the record's time
// and only the sealed fields the kind may carry; it refuses a field the
// kind does not list and an unregistered kind before writing anything.
func TestAppend(t *testing.T) {
	ctx := context.Background()
	a := &memAppender{}
	p := &records.HospitalHolder{Stamp: stamp, Outcome: "matched"}
	if _, err := records.Append(ctx, a, at, p, records.Personal{records.PersonalIDNumber: citizen.ID, records.PersonalName: ""}); err != nil {
		t.Fatal(err)
	}
	r := a.recs[0]
	wire, _ := records.Marshal(p)
	if r.Kind != records.KindHospitalHolder || !bytes.Equal(r.Payload, wire) || !r.CreatedAt.Equal(at) ||
		!reflect.DeepEqual(r.Personal, map[string]string{records.PersonalIDNumber: citizen.ID}) {
		t.Fatalf("appended %+v", r)
	}
	if _, err := records.Append(ctx, a, at, p, records.Personal{records.PersonalBHYTCard: citizen.BHYTCard}); !errors.Is(err, records.ErrPersonalField) {
		t.Fatalf("a BHYT card on a holder record: %v", err)
	}
	if _, err := records.Append(ctx, a, at, unregistered{}, nil); !errors.Is(err, records.ErrUnknownKind) {
		t.Fatalf("unregistered kind: %v", err)
	}
	if len(a.recs) != 1 {
		t.Fatalf("refused records were written: %d", len(a.recs))
	}
	if _, err := records.Append(ctx, a, time.Time{}, &records.HospitalCAN{Stamp: stamp, Outcome: "mismatch"}, records.Personal{}); err != nil || a.recs[1].Personal != nil {
		t.Fatalf("no personal fields: %+v, %v", a.recs[1], err)
	}
}

type unregistered struct{}

func (unregistered) RecordKind() string { return "hospital.selfie" }

// TestRegistry: names are unique and well formed, versions positive, New
// gives the kind's own payload, and a kind's personal fields are known names.
func TestRegistry(t *testing.T) {
	known := []string{records.PersonalName, records.PersonalIDNumber, records.PersonalDateOfBirth, records.PersonalAddress,
		records.PersonalFingerprint, records.PersonalBHYTCard, records.PersonalAgentIDNumber, records.PersonalPlate,
		records.PersonalPhone, records.PersonalSex, records.PersonalNationality, records.PersonalAgentName, records.PersonalCandidate, records.PersonalPassengers}
	seen := map[string]bool{}
	for _, k := range records.Kinds() {
		if seen[k.Name] || k.Name == "" || strings.ContainsAny(k.Name, " \n") || !strings.Contains(k.Name, ".") || len(k.Name) > 64 {
			t.Errorf("kind name %q: duplicate or malformed", k.Name)
		}
		seen[k.Name] = true
		if k.Version < 1 || k.Writer == "" || k.Doc == "" {
			t.Errorf("%s: version %d, writer %q, doc %q", k.Name, k.Version, k.Writer, k.Doc)
		}
		p := k.New()
		if p == nil || p.RecordKind() != k.Name || reflect.TypeOf(p).Kind() != reflect.Pointer {
			t.Errorf("%s: New() = %T (kind %q)", k.Name, p, p.RecordKind())
		}
		for _, f := range k.Personal {
			if !slices.Contains(known, f) {
				t.Errorf("%s: personal field %q is not a records.Personal* name", k.Name, f)
			}
		}
	}
	// Kinds hands out copies.
	ks := records.Kinds()
	ks[0].Personal[0] = "changed"
	if k, _ := records.Lookup(ks[0].Name); k.Personal[0] == "changed" {
		t.Fatal("Kinds exposes the registry's slices")
	}
}

// TestEveryKindHasALabel: the staff report names every kind in Vietnamese,
// and no label is left for a kind that is gone.
func TestEveryKindHasALabel(t *testing.T) {
	n := 0
	for _, k := range records.Kinds() {
		if l := records.Label(k.Name); l == k.Name || l == "" {
			t.Errorf("%s has no Vietnamese label (firmware/records/labels.go)", k.Name)
		}
		n++
	}
	if records.Label("no.such") != "no.such" {
		t.Error("an unknown kind is not shown as itself")
	}
	if got := records.LabelCount(); got != n {
		t.Errorf("%d labels for %d kinds", got, n)
	}
}
