package speech

import (
	"strings"
	"testing"
)

func TestBookCheck(t *testing.T) {
	src := map[string]string{
		"ok":      "Thẻ hợp lệ",
		"money":   "Phí: {amount}",
		"changed": "Vui lòng chờ",
		"missing": "Mới thêm",
		"weird":   "Giá $5",
		"edited":  "Số/No. ở mặt trước",
		"drift":   "Có 12 số",
	}
	b := &Book{Lang: Vietnamese, Entries: map[string]Entry{
		"ok":      {Src: Hash("Thẻ hợp lệ"), Say: "Thẻ hợp lệ"},
		"money":   {Src: Hash("Phí: {amount}"), Say: "Phí:"},
		"changed": {Src: Hash("Vui lòng đợi"), Say: "Vui lòng đợi"},
		"edited":  {Src: Hash("Số/No. ở mặt trước"), Say: "Số ở mặt trước", Edited: true},
		"drift":   {Src: Hash("Có 12 số"), Say: "Có 12 số"},
		"gone":    {Src: Hash("x"), Say: "x"},
	}}
	got := map[string]string{}
	for _, p := range b.Check(src) {
		got[p.Key] += p.What + "; "
	}
	want := map[string]string{
		"money":   "placeholders",
		"changed": "stale",
		"missing": "no voice",
		"weird":   "no voice",
		"drift":   "not Normalize's",
		"gone":    "no longer",
	}
	for k, w := range want {
		if !strings.Contains(got[k], w) {
			t.Errorf("%s: problem %q, want one about %q", k, got[k], w)
		}
	}
	for _, k := range []string{"ok", "edited"} {
		if got[k] != "" {
			t.Errorf("%s: unexpected problem %q", k, got[k])
		}
	}

	todo := b.Update(src)
	if strings.Join(todo, ",") != "weird" {
		t.Errorf("Update left %v for a person, want [weird]", todo)
	}
	rest := b.Check(src)
	if len(rest) != 1 || rest[0].Key != "weird" {
		t.Errorf("after Update: %v", rest)
	}
	// A stale edited entry is not silently refreshed.
	src["edited"] = "Số định danh ở mặt trước"
	if todo := b.Update(src); !strings.Contains(strings.Join(todo, ","), "edited") {
		t.Errorf("Update refreshed an edited voice: %v", todo)
	}
	again, err := ParseBook(Vietnamese, b.Marshal())
	if err != nil || len(again.Entries) != len(b.Entries) || again.Entries["edited"] != b.Entries["edited"] {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := ParseBook(Vietnamese, []byte(`{"k": {"src": "x", "say": "y", "extra": 1}}`)); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestBookSpeak(t *testing.T) {
	tmpl := "Số vừa nhập không khớp (còn %d lần thử)."
	b := &Book{Lang: Vietnamese, Entries: map[string]Entry{
		"derived": {Src: Hash("Vui lòng nhận phiếu và đến %s."), Say: "Vui lòng nhận phiếu và đến %s."},
		"edited":  {Src: Hash(tmpl), Say: "Số vừa nhập chưa đúng, còn %d lần thử.", Edited: true},
	}}
	got, err := b.Speak("derived", "Vui lòng nhận phiếu và đến %s.", "Vui lòng nhận phiếu và đến Phòng 101.")
	if want := "Vui lòng nhận phiếu và đến Phòng một trăm linh một."; err != nil || got != want {
		t.Errorf("derived: %q, %v", got, err)
	}
	got, err = b.Speak("edited", tmpl, "Số vừa nhập không khớp (còn 2 lần thử).")
	if want := "Số vừa nhập chưa đúng, còn hai lần thử."; err != nil || got != want {
		t.Errorf("edited: %q, %v; want %q", got, err, want)
	}
	if _, err := b.Speak("edited", tmpl, "something else"); err == nil {
		t.Error("a shown text that does not match its template was spoken")
	}
	if _, err := b.Speak("nope", "", "x"); err == nil {
		t.Error("unknown key spoken")
	}
}

func FuzzParseBook(f *testing.F) {
	f.Add([]byte(`{"a": {"src": "0123456789ab", "say": "Thẻ hợp lệ"}, "b": {"src": "x", "say": "{n} lần", "edited": true}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBook(Vietnamese, data)
		if err != nil {
			return
		}
		again, err := ParseBook(Vietnamese, b.Marshal())
		if err != nil || len(again.Entries) != len(b.Entries) {
			t.Fatalf("Marshal of a parsed book does not parse back: %v", err)
		}
		for k, e := range b.Entries {
			if again.Entries[k] != e {
				t.Fatalf("%q changed: %+v → %+v", k, e, again.Entries[k])
			}
		}
		b.Check(map[string]string{"a": "Thẻ hợp lệ"})
	})
}
