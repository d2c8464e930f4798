package tests

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/queue"
)

// queueCrashServices are the service codes the queue crash test draws from.
const queueCrashServices = "ABCDEFGH"

// queueRotateAt starts a fresh database once a service's number reaches it,
// so a long soak never hits the 999-a-day limit (queue.ErrFull).
const queueRotateAt = 800

// ticketID is what diag queue-gen prints after "issued ".
var ticketID = regexp.MustCompile(`^[A-Z][0-9]{3}$`)

// TestQueueCrash is issue 7's acceptance test for queue persistence: kioskd
// diag queue-gen (the queue engine journaled in firmware/store) is SIGKILLed
// at random moments, including during open and journal replay (≥5 cycles,
// ≥100 with KIOSK_SOAK=1). After every kill the journal must hold every
// ticket printed as issued exactly once, each service's numbers must run
// from 001 with no gap and no duplicate, a fresh engine must replay the day
// and PRAGMA integrity_check must say ok. KIOSK_SEED reproduces a run.
func TestQueueCrash(t *testing.T) {
	cycles := 20
	if os.Getenv("KIOSK_SOAK") == "1" {
		cycles = 120
	}
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("KIOSK_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (KIOSK_SEED=%[1]d reproduces), %d kill cycles", seed, cycles)
	rng := rand.New(rand.NewPCG(seed, 7))
	dir := t.TempDir()
	start := time.Now()

	gen, total, printedTotal := 0, 0, 0
	db := filepath.Join(dir, "queue-0.db")
	printed := map[string]bool{}
	for c := range cycles {
		for _, id := range queueCrashCycle(t, rng, db, c, c == cycles-1 && printedTotal+len(printed) == 0) {
			if printed[id] {
				t.Fatalf("cycle %d: %s printed as issued twice", c, id)
			}
			printed[id] = true
		}
		n, top := checkQueueDB(t, db, printed, false) // after every kill, before the next start
		if top >= queueRotateAt {
			checkQueueDB(t, db, printed, true)
			total, printedTotal = total+n, printedTotal+len(printed)
			gen++
			db = filepath.Join(dir, fmt.Sprintf("queue-%d.db", gen))
			printed = map[string]bool{}
		}
	}
	n, _ := checkQueueDB(t, db, printed, true)
	total, printedTotal = total+n, printedTotal+len(printed)
	if printedTotal == 0 {
		t.Fatal("no cycle printed an issued ticket: the crash test tested nothing")
	}
	t.Logf("%d kill cycles in %v over %d database(s): %d tickets journaled, %d printed as issued before a kill",
		cycles, time.Since(start), gen+1, total, printedTotal)
}

// queueCrashCycle runs one queue-gen child over db with a random mix of
// services and priorities and kills it with SIGKILL at a random moment:
// sometimes while it opens the store and replays the journal, mostly
// mid-stream (always mid-stream when late). It returns the ticket IDs the child printed as issued.
func queueCrashCycle(t *testing.T, rng *rand.Rand, db string, cycle int, late bool) []string {
	t.Helper()
	args := []string{"diag", "queue-gen", "--db", db, "--count", "100000000",
		"--priority-every", []string{"0", "2", "3", "5"}[rng.IntN(4)]}
	codes := []byte(queueCrashServices)
	rng.Shuffle(len(codes), func(i, j int) { codes[i], codes[j] = codes[j], codes[i] })
	if k := 1 + rng.IntN(4); k == 1 {
		args = append(args, "--service", string(codes[0]))
	} else {
		args = append(args, "--services", strings.Join(strings.Split(string(codes[:k]), ""), ","))
	}
	cmd, lines, stderr := startKioskd(t, "", nil, args...)
	var ids []string
	record := func(line string) {
		id, ok := strings.CutPrefix(line, "issued ")
		if !ok || !ticketID.MatchString(id) {
			t.Fatalf("cycle %d: unexpected queue-gen line %q (stderr %s)", cycle, line, stderr.String())
		}
		ids = append(ids, id)
	}
	killAtRandom(t, rng, cycle, cmd, lines, stderr, killPlan{EarlyOneIn: 4, EarlyMax: 40_000 * time.Microsecond, LateMax: 60_000 * time.Microsecond, Late: late}, record)
	return ids
}

// checkQueueDB checks the database at path after a kill: integrity, then
// the journal day by day (event seqs 1…n, per service numbers 001…k with
// no gap or duplicate, every printed ticket present), then a fresh engine
// replaying each day and knowing every ticket. With final set it also
// issues one more ticket per service on today's engine, which must take
// the next number. It returns the tickets journaled and the highest number.
func checkQueueDB(t *testing.T, path string, printed map[string]bool, final bool) (tickets, top int) {
	t.Helper()
	if _, err := os.Stat(path); err != nil && len(printed) == 0 {
		return 0, 0 // killed before the database was created
	}
	if res := queueIntegrity(t, path); res != "ok" {
		t.Fatalf("integrity_check = %q", res)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: path, KeyFile: path + ".key", DeviceID: crashDevice,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("reopen store: %v", err)
	}
	defer st.Close()
	days := queueJournal(t, st)
	found := map[string]int{}
	for name, evs := range days {
		issued := checkQueueDay(t, name, evs)
		for id, n := range issued {
			found[id]++
			top = max(top, n)
		}
		tickets += len(issued)
		replayQueueDay(t, st, name, issued)
	}
	for id := range printed {
		if found[id] == 0 {
			t.Fatalf("ticket %s was printed as issued but is not in the journal", id)
		}
	}
	if final {
		issueNextCheck(t, st, days)
	}
	return tickets, top
}

func queueIntegrity(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	return res
}

// queueJournal reads every queue.event record, grouped by service day in
// journal order.
func queueJournal(t *testing.T, st *store.Store) map[string][]queue.Event {
	t.Helper()
	days := map[string][]queue.Event{}
	var since store.Seq
	for {
		page, err := st.Records(context.Background(), records.KindQueueEvent, since, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			var e queue.Event
			if err := json.Unmarshal(r.Payload, &e); err != nil {
				t.Fatalf("queue.event seq %d: %v", r.Seq, err)
			}
			days[e.Day] = append(days[e.Day], e)
			since = r.Seq
		}
		if len(page) < 1000 {
			return days
		}
	}
}

// checkQueueDay checks one day's events: seqs 1…n in order, and per service
// issued numbers 001…k in order with matching IDs. It returns ID → number.
func checkQueueDay(t *testing.T, name string, evs []queue.Event) map[string]int {
	t.Helper()
	issued := map[string]int{}
	last := map[string]int{}
	for i, e := range evs {
		if e.Seq != int64(i+1) {
			t.Fatalf("day %s: event %d has seq %d (duplicate or gap)", name, i+1, e.Seq)
		}
		if e.Kind != queue.EvIssued {
			continue
		}
		want := last[e.Service] + 1
		if e.Number != want || e.Ticket != fmt.Sprintf("%s%03d", e.Service, want) {
			t.Fatalf("day %s: issued %s (number %d) after %s%03d: gap or duplicate", name, e.Ticket, e.Number, e.Service, want-1)
		}
		if _, dup := issued[e.Ticket]; dup {
			t.Fatalf("day %s: %s issued twice", name, e.Ticket)
		}
		last[e.Service], issued[e.Ticket] = want, want
	}
	return issued
}

// queueCrashConfig is the engine configuration the checks replay with; now
// pins the service day.
func queueCrashConfig(now func() time.Time) queue.Config {
	cfg := queue.Config{Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, c := range queueCrashServices {
		cfg.Services = append(cfg.Services, queue.Service{Code: string(c), Name: "Dịch vụ " + string(c), Counters: []string{string(c) + "1"}})
	}
	return cfg
}

// replayQueueDay opens a fresh engine on day name (noon local, well inside
// the service day with the default midnight reset) and checks it knows
// every issued ticket under its number.
func replayQueueDay(t *testing.T, st *store.Store, name string, issued map[string]int) {
	t.Helper()
	loc := time.FixedZone("Asia/Ho_Chi_Minh", 7*3600)
	noon, err := time.ParseInLocation(time.DateOnly, name, loc)
	if err != nil {
		t.Fatalf("event day %q: %v", name, err)
	}
	noon = noon.Add(12 * time.Hour)
	ctx := context.Background()
	eng, err := queue.Open(ctx, queueCrashConfig(func() time.Time { return noon }), records.NewQueueJournal(st))
	if err != nil {
		t.Fatalf("day %s: fresh engine replay: %v", name, err)
	}
	for id, n := range issued {
		tk, err := eng.Get(ctx, id)
		if err != nil || tk.Number != n || tk.Issuer != id[:1] {
			t.Fatalf("day %s: replayed engine has %s as %+v, %v", name, id, tk, err)
		}
	}
}

// issueNextCheck issues one ticket per service on a fresh engine for the
// current service day: each must take the number after the journal's last.
func issueNextCheck(t *testing.T, st *store.Store, days map[string][]queue.Event) {
	t.Helper()
	ctx := context.Background()
	eng, err := queue.Open(ctx, queueCrashConfig(time.Now), records.NewQueueJournal(st))
	if err != nil {
		t.Fatalf("fresh engine: %v", err)
	}
	b, err := eng.Board(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]int{}
	for _, e := range days[b.Day] {
		if e.Kind == queue.EvIssued {
			last[e.Service] = e.Number
		}
	}
	for _, c := range queueCrashServices {
		tk, err := eng.Issue(ctx, string(c), queue.Normal)
		if want := fmt.Sprintf("%c%03d", c, last[string(c)]+1); err != nil || tk.ID != want {
			t.Fatalf("after the kills the next %c ticket is %q, %v; want %s", c, tk.ID, err, want)
		}
	}
}
