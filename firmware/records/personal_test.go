package records_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

// personalNames are every sealed field name, the store's conventional ones
// included.
var personalNames = []string{records.PersonalName, records.PersonalIDNumber, records.PersonalDateOfBirth, records.PersonalAddress,
	records.PersonalFingerprint, records.PersonalBHYTCard, records.PersonalAgentIDNumber, records.PersonalPlate, store.FieldPhone,
	records.PersonalSex, records.PersonalNationality, records.PersonalAgentName, records.PersonalCandidate, records.PersonalPassengers}

// jsonNames returns the JSON member names t encodes, embedded structs'
// included, with the Go path of each.
func jsonNames(t reflect.Type, path string, out map[string]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.PkgPath() == "time" {
		return
	}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			jsonNames(f.Type, path+"."+f.Name, out)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = path + "." + f.Name
		jsonNames(f.Type, path+"."+f.Name, out)
	}
}

// TestPayloadTypesHaveNoPersonalMembers: no payload type can carry a
// sealed field's name, nor the members Marshal and the uploader add.
func TestPayloadTypesHaveNoPersonalMembers(t *testing.T) {
	for _, k := range records.Kinds() {
		names := map[string]string{}
		jsonNames(reflect.TypeOf(k.New()), k.Name, names)
		for _, n := range append(slices.Clone(personalNames), records.VersionKey, store.ReservedPersonalKey) {
			if path, ok := names[n]; ok {
				t.Errorf("%s: member %q (%s) is a sealed field's or a reserved name", k.Name, n, path)
			}
		}
	}
}

// TestSamplePayloadsCarryNoPersonalData: per kind, a record about the
// sample citizen keeps every personal value in its sealed fields (which
// the kind's registry entry allows) and none in the payload.
func TestSamplePayloadsCarryNoPersonalData(t *testing.T) {
	values := []string{citizen.Name, citizen.ID, citizen.DOB, citizen.Address, citizen.BHYTCard, citizen.AgentID, citizen.Plate, citizen.Binding,
		citizen.Phone, citizen.AgentName, citizen.Candidate}
	for _, k := range records.Kinds() {
		for _, s := range samples()[k.Name] {
			a := &memAppender{}
			if _, err := records.Append(context.Background(), a, at, s.payload, s.personal); err != nil {
				t.Fatalf("%s %s: %v", k.Name, s.variant, err)
			}
			r := a.recs[0]
			for _, v := range append(slices.Clone(values), mapValues(s.personal)...) {
				if bytes.Contains(r.Payload, []byte(v)) {
					t.Errorf("%s %s: payload carries %q: %s", k.Name, s.variant, v, r.Payload)
				}
			}
			var members map[string]any
			if err := json.Unmarshal(r.Payload, &members); err != nil {
				t.Fatal(err)
			}
			for _, n := range personalNames {
				if hasMember(members, n) {
					t.Errorf("%s %s: payload has the member %q", k.Name, s.variant, n)
				}
			}
			if len(r.Personal) != len(s.personal) {
				t.Errorf("%s %s: sealed %v, want %v", k.Name, s.variant, r.Personal, s.personal)
			}
		}
	}
}

func mapValues(m records.Personal) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// hasMember reports whether name is a member of v or of anything in it.
func hasMember(v any, name string) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == name || hasMember(e, name) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasMember(e, name) {
				return true
			}
		}
	}
	return false
}
