package stats_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/checkin/stats"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

var ict = time.FixedZone("ICT", 7*3600)

// memStore is a records.Store in memory.
type memStore struct {
	mu   sync.Mutex
	recs []store.Record
	base store.Seq // seqs before it were purged
}

func (m *memStore) Append(_ context.Context, r store.Record) (store.Seq, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.Seq = m.base + store.Seq(len(m.recs)+1)
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now()
	}
	m.recs = append(m.recs, r)
	return r.Seq, nil
}

func (m *memStore) Records(_ context.Context, kind string, since store.Seq, limit int) ([]store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Record
	for _, r := range m.recs {
		if r.Seq > since && (kind == "" || r.Kind == kind) {
			out = append(out, r)
			if len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

func add(t *testing.T, m *memStore, at time.Time, p interface {
	records.Payload
	SetStamp(string, time.Time)
}, personal records.Personal) {
	t.Helper()
	p.SetStamp("checkin-ks-01", at)
	if _, err := records.Append(context.Background(), m, at, p, personal); err != nil {
		t.Fatal(err)
	}
}

// week fills the week of Monday 16/11/2026 at a hotel and a gate: the
// numbers a test can count by hand.
func week(t *testing.T) (*memStore, map[string]int) {
	m := &memStore{}
	mon := time.Date(2026, 11, 16, 9, 0, 0, 0, ict)
	guest := records.Personal{records.PersonalName: "Nguyễn Thị Lan", records.PersonalIDNumber: "001185012345"}
	want := map[string]int{}
	for d := range 7 {
		day := mon.AddDate(0, 0, d)
		for i := range d + 1 { // d+1 guests a day
			at := day.Add(time.Duration(i) * time.Minute)
			verdict := "genuine"
			if i == 2 {
				verdict = "not_genuine"
			}
			add(t, m, at, &records.CheckinRead{Mode: "lodging", Verdict: verdict, Method: "chip+qr"}, nil)
			want["reads"]++
			if verdict == "genuine" {
				want["genuine"]++
				add(t, m, at.Add(time.Second), &records.CheckinLodging{Action: "check_in", Stay: "S", Room: "101", From: "x", To: "y"}, guest)
				want["check_ins"]++
			}
		}
	}
	// Outside the week: Sunday before, Monday after (23:30 local is still
	// Sunday 22/11 in ICT, though it is Monday in UTC+9).
	add(t, m, mon.AddDate(0, 0, -1), &records.CheckinRead{Mode: "lodging", Verdict: "genuine"}, nil)
	add(t, m, time.Date(2026, 11, 23, 0, 0, 1, 0, ict), &records.CheckinRead{Mode: "lodging", Verdict: "genuine"}, nil)
	add(t, m, time.Date(2026, 11, 22, 23, 30, 0, 0, ict), &records.CheckinLodging{Action: "check_out", Stay: "S", Room: "101"}, guest)
	want["check_outs"]++
	// A gate: 3 in, 1 out, one refused; peak 3.
	for i, dir := range []string{"entry", "entry", "exit", "entry"} {
		occ := []int{1, 2, 1, 2}[i]
		add(t, m, mon.Add(time.Duration(i)*time.Hour), &records.CheckinGate{Site: "ngo-mon", Direction: dir, Outcome: "ok", Occupancy: occ}, nil)
	}
	add(t, m, mon.Add(5*time.Hour), &records.CheckinGate{Site: "ngo-mon", Direction: "entry", Outcome: "refused", Reason: "full", Occupancy: 2}, nil)
	want["entries"], want["exits"], want["gate_refused"], want["peak_occupancy"] = 3, 1, 1, 2
	return m, want
}

// TestWeeklyReportMatchesRecords: the week's numbers are the records',
// counted by hand, day by day and in total; no aggregate carries the
// guest's data.
func TestWeeklyReportMatchesRecords(t *testing.T) {
	m, want := week(t)
	p := stats.LastWeek(time.Date(2026, 11, 23, 8, 0, 0, 0, ict), ict) // reported Monday 23/11
	if p.From.Format("02/01") != "16/11" || p.To.Format("02/01") != "22/11" || p.Days() != 7 {
		t.Fatalf("week %v – %v", p.From, p.To)
	}
	rep, err := stats.Compute(context.Background(), m, p)
	if err != nil {
		t.Fatal(err)
	}
	got := stats.Totals(rep, stats.Metrics("lodging", "gate"))
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	if rep.Days[0].Reads != 1 || rep.Days[6].Reads != 7 || rep.Days[6].CheckOuts != 1 || rep.Days[6].NotGenuine != 1 {
		t.Errorf("days %+v", rep.Days)
	}
	if !rep.Complete {
		t.Error("a complete store reported incomplete")
	}
	var csvBuf, xlsxBuf bytes.Buffer
	rows := stats.Table(rep, stats.Metrics("lodging", "gate"), "Khách sạn Sông Hương", time.Date(2026, 11, 23, 8, 0, 0, 0, ict))
	if err := stats.WriteCSV(&csvBuf, rows); err != nil {
		t.Fatal(err)
	}
	if err := stats.WriteXLSX(&xlsxBuf, "Tuần 16-22.11", rows, time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{csvBuf.Bytes(), sheetText(t, xlsxBuf.Bytes())} {
		for _, v := range []string{"Nguyễn Thị Lan", "001185012345"} {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("an aggregate carries %q", v)
			}
		}
	}
	if !bytes.HasPrefix(csvBuf.Bytes(), []byte("\uFEFF")) || !bytes.Contains(csvBuf.Bytes(), []byte("\r\n")) {
		t.Error("CSV without BOM or CRLF")
	}
	if !bytes.Contains(csvBuf.Bytes(), []byte("Tổng cộng,28,")) {
		t.Errorf("CSV total row: %s", csvBuf.Bytes())
	}
	printed := stats.Printed(rep, stats.Metrics("lodging"), "Lễ tân", time.Date(2026, 11, 23, 8, 0, 0, 0, ict))
	if printed.Title != "BÁO CÁO THỐNG KÊ TUẦN" || printed.Sections[0].Rows[1].Value != "23 (82,1 %)" {
		t.Errorf("printed %+v", printed.Sections[0])
	}
}

// sheetText is the worksheet XML of an XLSX, checked to be the parts a
// reader needs and well-formed XML.
func sheetText(t *testing.T, b []byte) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = body
		dec := xml.NewDecoder(bytes.NewReader(body))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
		}
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"} {
		if parts[name] == nil {
			t.Fatalf("XLSX has no %s", name)
		}
	}
	return parts["xl/worksheets/sheet1.xml"]
}

// TestXLSXOpensInOpenpyxl: an independent reader (openpyxl, Debian's
// python3-openpyxl) opens the workbook and reads back the cells.
func TestXLSXOpensInOpenpyxl(t *testing.T) {
	py, err := exec.LookPath("/usr/bin/python3")
	if err == nil {
		err = exec.Command(py, "-c", "import openpyxl").Run()
	}
	if err != nil {
		t.Skip("openpyxl not installed (apt-get install python3-openpyxl): the independent reader check cannot run here")
	}
	m, _ := week(t)
	rep, err := stats.Compute(context.Background(), m, stats.LastWeek(time.Date(2026, 11, 23, 8, 0, 0, 0, ict), ict))
	if err != nil {
		t.Fatal(err)
	}
	rows := stats.Table(rep, stats.Metrics("lodging"), "Khách sạn <Sông Hương> & Co", time.Date(2026, 11, 23, 8, 0, 0, 0, ict))
	path := filepath.Join(t.TempDir(), "bao-cao.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := stats.WriteXLSX(f, "Báo cáo tuần", rows, time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	script := `import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.active
print(ws.title)
for row in ws.iter_rows(values_only=True):
    print("|".join("" if v is None else str(v) for v in row))`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"Báo cáo tuần\n", "BÁO CÁO THỐNG KÊ TUẦN", "Khách sạn <Sông Hương> & Co", "Tổng cộng|28|23|5|0|0|0|23|1|82.1", "16/11/2026|1|1|0"} {
		if !strings.Contains(text, want) {
			t.Errorf("openpyxl read no %q in:\n%s", want, text)
		}
	}
}

// TestIncomplete: records purged before the period began are reported.
func TestIncomplete(t *testing.T) {
	m := &memStore{base: 500} // 500 records already purged
	at := time.Date(2026, 11, 19, 10, 0, 0, 0, ict)
	add(t, m, at, &records.CheckinRead{Mode: "gate", Verdict: "genuine"}, nil)
	rep, err := stats.Compute(context.Background(), m, stats.LastWeek(time.Date(2026, 11, 23, 8, 0, 0, 0, ict), ict))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Complete || rep.CoveredFrom.Format("02/01") != "19/11" || !strings.Contains(stats.Note(rep), "19/11/2026") {
		t.Fatalf("incomplete report %v %v %q", rep.Complete, rep.CoveredFrom, stats.Note(rep))
	}
}

func TestPeriods(t *testing.T) {
	d := func(y int, mo time.Month, day int) time.Time { return time.Date(y, mo, day, 10, 0, 0, 0, ict) }
	for _, tc := range []struct {
		name     string
		p        stats.Period
		from, to string
	}{
		{"week of a Wednesday", stats.Week(d(2026, 11, 18), ict), "2026-11-16", "2026-11-22"},
		{"week of a Sunday", stats.Week(d(2026, 11, 22), ict), "2026-11-16", "2026-11-22"},
		{"reported Monday", stats.LastWeek(d(2026, 11, 23), ict), "2026-11-16", "2026-11-22"},
		{"month on the 14th", stats.Month(d(2026, 11, 14), ict), "2026-10-15", "2026-11-14"},
		{"month on the 15th", stats.Month(d(2026, 11, 15), ict), "2026-11-15", "2026-12-14"},
		{"seed 002's month", stats.Month(d(2023, 11, 1), ict), "2023-10-15", "2023-11-14"},
		{"due before the 16th", stats.LastMonth(d(2026, 11, 15), ict), "2026-10-15", "2026-11-14"},
		{"February", stats.Month(d(2028, 2, 20), ict), "2028-02-15", "2028-03-14"},
		{"year end", stats.LastMonth(d(2027, 1, 10), ict), "2026-11-15", "2026-12-14"},
		{"calendar", stats.Calendar(d(2028, 2, 20), ict), "2028-02-01", "2028-02-29"},
	} {
		if f, to := tc.p.From.Format("2006-01-02"), tc.p.To.Format("2006-01-02"); f != tc.from || to != tc.to {
			t.Errorf("%s: %s – %s, want %s – %s", tc.name, f, to, tc.from, tc.to)
		}
	}
	if _, err := stats.Compute(context.Background(), &memStore{}, stats.Period{From: d(2026, 1, 2), To: d(2026, 1, 1)}); err == nil {
		t.Error("a period ending before it starts")
	}
}

func FuzzXLSXText(f *testing.F) {
	f.Add("Khách sạn <A> & \"B\"", 1.5)
	f.Add("\x00\x01\ufffe\U0001F600", -3.0)
	f.Fuzz(func(t *testing.T, s string, v float64) {
		var b bytes.Buffer
		if err := stats.WriteXLSX(&b, s, [][]stats.Cell{{stats.Text(s), stats.Num(v), stats.Bold(s)}}, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
		sheetText(t, b.Bytes())
	})
}

func BenchmarkComputeWeek(b *testing.B) {
	m := &memStore{}
	mon := time.Date(2026, 11, 16, 9, 0, 0, 0, ict)
	for i := range 20_000 {
		p := &records.CheckinRead{Mode: "gate", Verdict: "genuine"}
		at := mon.Add(time.Duration(i) * 30 * time.Second)
		p.SetStamp("x", at)
		_, _ = records.Append(context.Background(), m, at, p, nil)
	}
	period := stats.Week(mon, ict)
	for b.Loop() {
		if _, err := stats.Compute(context.Background(), m, period); err != nil {
			b.Fatal(err)
		}
	}
}
