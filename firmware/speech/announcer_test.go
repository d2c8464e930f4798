package speech

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

type mapVoices map[Lang]map[string]string

func (m mapVoices) Voice(l Lang, k string) (string, bool) { s, ok := m[l][k]; return s, ok }

var testVoices = mapVoices{
	Vietnamese: {KeyCallRoom: "Mời số {number} đến phòng {room}", KeyCallPlace: "Mời số {number} đến {place}"},
	English:    {KeyCallRoom: "Number {number}, please go to room {room}", KeyCallPlace: "Number {number}, please go to {place}"},
}

// TestCallWords: the exact words of a call, as the issue writes it
// ("Mời số A 012 đến phòng 101").
func TestCallWords(t *testing.T) {
	tests := []struct {
		opts *AnnouncerOptions
		call Call
		want string
	}{
		{nil, Call{"A012", "101"}, "Mời số a, không, một, hai đến phòng một trăm linh một. Mời số a, không, một, hai đến phòng một trăm linh một."},
		{&AnnouncerOptions{Times: 1}, Call{"B105", "Quầy 3"}, "Mời số bê, một, không, năm đến Quầy ba."},
		{&AnnouncerOptions{Times: 1}, Call{"C007", "B2"}, "Mời số xê, không, không, bảy đến phòng bê, hai."},
		{&AnnouncerOptions{Times: 1, Langs: []Lang{Vietnamese, English}}, Call{"A012", "101"},
			"Mời số a, không, một, hai đến phòng một trăm linh một. Number ay, zero, one, two, please go to room one hundred and one."},
	}
	for _, tc := range tests {
		a := NewAnnouncer(nil, testVoices, tc.opts)
		u, err := a.Utterance(tc.call)
		if err != nil {
			t.Fatal(err)
		}
		if u.Text != tc.want || u.Kind != Announcement || !u.Chime {
			t.Errorf("%v:\n got %q (%v, chime %v)\nwant %q", tc.call, u.Text, u.Kind, u.Chime, tc.want)
		}
	}
	if _, err := NewAnnouncer(nil, mapVoices{}, nil).Utterance(Call{"A1", "1"}); !errors.Is(err, ErrNoTemplate) {
		t.Errorf("no template: %v", err)
	}
	if _, err := NewAnnouncer(nil, testVoices, nil).Utterance(Call{"A#1", "1"}); !errors.Is(err, ErrUnspeakable) {
		t.Errorf("bad ticket: %v", err)
	}
}

// TestRecall: a recall is said again in full after the call; a second
// recall while one already waits is not queued.
func TestRecall(t *testing.T) {
	synth := &fakeSynth{}
	out := &fakeOut{}
	e := NewEngine(synth, out, nil)
	defer e.Close()
	a := NewAnnouncer(e, testVoices, &AnnouncerOptions{Times: 1})
	u, _ := a.Utterance(Call{"A012", "101"})
	synth.ms = map[string]int{u.Text: 300}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, f := range []func(context.Context, Call) error{a.Call, a.Recall, a.Recall} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f(ctx, Call{"A012", "101"}) }()
		time.Sleep(30 * time.Millisecond)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if k := out.keys(); strings.Join(k, ",") != "call,call" {
		t.Errorf("played %v, want the call and one recall", k)
	}
	if out.overl {
		t.Error("calls overlapped")
	}
}

func TestRender(t *testing.T) {
	got, err := Render(Vietnamese, "Số {number} · Phòng {room}", Ticket("number", "A023"), RoomName("room", "105"))
	if want := "Số a, không, hai, ba, Phòng một trăm linh năm"; err != nil || got != want {
		t.Errorf("Render = %q, %v; want %q", got, err, want)
	}
	got, err = Render(Vietnamese, "Phí cần thanh toán: {amount}.", Amount("amount", 50000))
	if want := "Phí cần thanh toán: năm mươi nghìn đồng."; err != nil || got != want {
		t.Errorf("Render = %q, %v; want %q", got, err, want)
	}
	got, err = Render(Vietnamese, "Còn {time} để thanh toán", Span("time", 4*time.Minute+59*time.Second))
	if want := "Còn bốn phút năm mươi chín giây để thanh toán"; err != nil || got != want {
		t.Errorf("Render = %q, %v; want %q", got, err, want)
	}
	got, err = Render(Vietnamese, "Khám {date} lúc {at}, {n} tuổi",
		Day("date", time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)), TimeOfDay("at", time.Date(2026, 12, 4, 7, 5, 0, 0, time.UTC)), Num("n", 75))
	if want := "Khám ngày bốn tháng mười hai năm hai nghìn không trăm hai mươi sáu lúc bảy giờ năm phút, bảy mươi lăm tuổi"; err != nil || got != want {
		t.Errorf("Render = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []struct {
		tmpl string
		args []Arg
	}{
		{"Số {number}", nil},
		{"Số", []Arg{Num("n", 1)}},
		{"Số {number}", []Arg{Ticket("number", "")}},
	} {
		if _, err := Render(Vietnamese, bad.tmpl, bad.args...); err == nil {
			t.Errorf("Render(%q, %v) succeeded", bad.tmpl, bad.args)
		}
	}
}
