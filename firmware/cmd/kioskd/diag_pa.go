package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/firmware/identity"
)

// diagPA groups the Passive Authentication tools.
func diagPA(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "kioskd diag pa", "Passive Authentication from files", []command{
		{"verify", "verify --sod FILE [--trust DIR] [--dg N=FILE …] [--at YYYY-MM-DD] [--json]: check an EF.SOD and data groups step by step", diagPAVerify},
	}, args)
}

// paCheck is one step of `diag pa verify`.
type paCheck struct {
	Step   string `json:"step"`   // "sod", "signature", "DG1"…, "chain", "validity"
	Result string `json:"result"` // "ok", "failed", "skipped"
	Detail string `json:"detail,omitempty"`
}

// paReport is what `diag pa verify` prints.
type paReport struct {
	SOD      string    `json:"sod"`
	At       string    `json:"at"`
	Checks   []paCheck `json:"checks"`
	Warnings []string  `json:"warnings,omitempty"`
	// Verdict and Reason are identity.PassiveVerdict of pa.Verify on the
	// same inputs: what the kiosk would conclude before chip authentication.
	Verdict identity.Verdict `json:"verdict"`
	Reason  identity.Reason  `json:"reason,omitempty"`
	Detail  string           `json:"detail,omitempty"`
}

// dgFlag collects --dg N=FILE.
type dgFlag map[int]string

func (d dgFlag) String() string { return fmt.Sprint(map[int]string(d)) }

func (d dgFlag) Set(v string) error {
	n, file, ok := strings.Cut(v, "=")
	num, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(n), "DG"))
	if !ok || err != nil || num < 1 || num > 16 || file == "" {
		return fmt.Errorf("want N=FILE with N from 1 to 16, got %q", v)
	}
	if _, dup := d[num]; dup {
		return fmt.Errorf("DG%d given twice", num)
	}
	d[num] = file
	return nil
}

// diagPAVerify checks an EF.SOD (and data groups) read from files: each
// step on its own, so a technician sees every reason, then the verdict
// pa.Verify gives — the kiosk's own.
func diagPAVerify(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "diag pa verify", "kioskd diag pa verify --sod FILE [--trust DIR] [--dg N=FILE …] [--at YYYY-MM-DD] [--json]")
	sodFile := fs.String("sod", "", "EF.SOD as read from the chip (tag 77), binary or hex")
	trustDir := fs.String("trust", "", "trust folder: CSCA certificates (PEM/DER) and master lists (.ml)")
	at := fs.String("at", "", "check validity at this date (YYYY-MM-DD or RFC 3339; default now)")
	asJSON := fs.Bool("json", false, "print JSON instead of lines")
	dgs := dgFlag{}
	fs.Var(dgs, "dg", "data group file as read from the chip, N=FILE (repeatable)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *sodFile == "" || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	when, err := parseAt(*at)
	if err != nil {
		return failf(e, exitUsage, "diag pa verify: --at: %v", err)
	}
	sod, err := readDataFile(*sodFile)
	if err != nil {
		return failf(e, exitUsage, "diag pa verify: %v", err)
	}
	files := map[int][]byte{}
	for n, f := range dgs {
		if files[n], err = readDataFile(f); err != nil {
			return failf(e, exitUsage, "diag pa verify: DG%d: %v", n, err)
		}
	}
	trust := pa.NewTrustStore()
	if *trustDir != "" {
		if trust, err = pa.LoadTrustStore(*trustDir); err != nil {
			return failf(e, exitUsage, "diag pa verify: %v", err)
		}
	}
	rep := paVerify(sod, files, trust, when)
	rep.SOD = *sodFile
	if *trustDir != "" {
		rep.Checks = append([]paCheck{trustCheck(*trustDir, trust)}, rep.Checks...)
	}
	if *asJSON {
		if err := json.NewEncoder(e.stdout).Encode(rep); err != nil {
			return failf(e, exitFailure, "diag pa verify: %v", err)
		}
	} else {
		printPAReport(e.stdout, rep)
	}
	if rep.Verdict != identity.Genuine {
		return exitFailure
	}
	return exitOK
}

// parseAt reads --at; "" is now.
func parseAt(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// maxDataFile bounds a file given to diag pa verify (DG2/DG3 reach ~100 KB).
const maxDataFile = 4 << 20

// readDataFile reads a binary file, or a hex dump of one (as test suites
// and reader logs print them; spaces and newlines ignored).
func readDataFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxDataFile {
		return nil, fmt.Errorf("%s: %d bytes is more than %d", path, fi.Size(), maxDataFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	text := strings.Join(strings.Fields(string(b)), "")
	if len(text) > 0 && len(text)%2 == 0 {
		if h, err := hex.DecodeString(text); err == nil {
			return h, nil
		}
	}
	return b, nil
}

// trustCheck summarises the trust folder as the first line.
func trustCheck(dir string, t *pa.TrustStore) paCheck {
	c := paCheck{Step: "trust", Result: "ok", Detail: fmt.Sprintf("%d anchors from %s", t.Len(), dir)}
	if n := len(t.Skipped()); n > 0 {
		c.Detail += fmt.Sprintf(", %d left out (kioskd diag trust list %s)", n, dir)
	}
	if t.Len() == 0 {
		c.Result = "failed"
	}
	return c
}

// paVerify runs each Passive Authentication step on its own, then pa.Verify.
func paVerify(sod []byte, dgs map[int][]byte, trust *pa.TrustStore, at time.Time) paReport {
	rep := paReport{At: at.UTC().Format(time.RFC3339)}
	add := func(step, result, format string, args ...any) {
		rep.Checks = append(rep.Checks, paCheck{Step: step, Result: result, Detail: fmt.Sprintf(format, args...)})
	}
	_, verr := pa.Verify(sod, dgs, trust, at)
	rep.Verdict, rep.Reason = identity.PassiveVerdict(verr)
	if verr != nil {
		rep.Detail = verr.Error()
	}
	s, err := pa.ParseSOD(sod)
	if err != nil {
		add("sod", "failed", "%v", err)
		return rep
	}
	rep.Warnings = s.Warnings
	add("sod", "ok", "%d bytes, LDSSecurityObject V%d, %s, lists %s", len(sod), s.Version, s.HashName, dgList(s.DataGroups()))
	add("signer", "ok", "%s, serial %s, %s", s.DS.Subject, s.DS.SerialNumber, matchText(s.SignerMatch))
	if err := s.SignedData.VerifySigner(s.Signer, s.DS); err != nil {
		add("signature", "failed", "%v", err)
	} else {
		add("signature", "ok", "%s over the signed attributes", pa.SignatureAlgorithmName(s.Signer.SignatureAlgorithm))
	}
	checkDataGroups(s, dgs, add)
	csca, err := trust.Chain(s.DS)
	if err != nil {
		add("chain", "failed", "%v", err)
	} else {
		add("chain", "ok", "issued and signed by %s (%s)", csca.Subject, pa.SignatureAlgorithmName(s.DS.SignatureAlgorithm))
	}
	validity := func(what string, c *pa.Certificate) {
		span := fmt.Sprintf("%s %s valid %s to %s", what, c.Subject, c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly))
		if c.ValidAt(at) {
			add("validity", "ok", "%s", span)
		} else {
			add("validity", "failed", "%s: not at %s", span, at.Format(time.DateOnly))
		}
	}
	validity("DS", s.DS)
	if csca != nil {
		validity("CSCA", csca)
	}
	return rep
}

// checkDataGroups compares each given data group with the SOD, and names
// the listed ones not given.
func checkDataGroups(s *pa.SOD, dgs map[int][]byte, add func(step, result, format string, args ...any)) {
	nums := make([]int, 0, len(dgs))
	for n := range dgs {
		nums = append(nums, n)
	}
	for _, n := range s.DataGroups() {
		if _, ok := dgs[n]; !ok {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	for _, n := range nums {
		step := fmt.Sprintf("DG%d", n)
		b, given := dgs[n]
		if !given {
			add(step, "skipped", "listed in the SOD, file not given")
			continue
		}
		_, err := s.CheckDataGroups(map[int][]byte{n: b})
		var hm *pa.HashMismatchError
		switch {
		case err == nil:
			add(step, "ok", "%s %X", s.HashName, s.DataGroupHashes[n])
		case errors.As(err, &hm) && hm.Unlisted:
			add(step, "failed", "not listed in the SOD")
		default:
			h := s.HashAlgorithm.New()
			h.Write(b)
			add(step, "failed", "file %s %X, SOD lists %X", s.HashName, h.Sum(nil), s.DataGroupHashes[n])
		}
	}
}

func dgList(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprintf("DG%d", n)
	}
	return strings.Join(parts, " ")
}

func matchText(m pa.SignerMatch) string {
	switch m {
	case pa.MatchNormalizedIssuer:
		return "found by its issuer name normalised (RDN order differs)"
	case pa.MatchOnlyCertificate:
		return "the only embedded certificate (the SignerInfo names another)"
	}
	return "named exactly by the SignerInfo"
}

func printPAReport(w io.Writer, r paReport) {
	fmt.Fprintf(w, "EF.SOD %s, checked at %s\n", r.SOD, r.At)
	for _, c := range r.Checks {
		fmt.Fprintf(w, "  %-10s %-8s %s\n", c.Step, c.Result, c.Detail)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning    %s\n", warn)
	}
	switch r.Verdict {
	case identity.Genuine:
		fmt.Fprintln(w, "passive authentication: PASSED (the card is genuine once Chip or Active Authentication also passes)")
	default:
		fmt.Fprintf(w, "passive authentication: %s (%s): %s\n", strings.ToUpper(string(r.Verdict)), r.Reason, r.Detail)
	}
}
