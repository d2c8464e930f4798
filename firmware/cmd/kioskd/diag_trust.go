package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
)

// diagTrust groups the trust-folder tools.
func diagTrust(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "kioskd diag trust", "CSCA trust folder", []command{
		{"list", "list DIR [--at YYYY-MM-DD] [--anchors] [--json]: what the folder holds, per country, and what was left out and why", diagTrustList},
	}, args)
}

// trustAnchor is one anchor in `diag trust list --anchors`.
type trustAnchor struct {
	Country   string `json:"country"`
	Subject   string `json:"subject"`
	Serial    string `json:"serial"`
	NotBefore string `json:"not_before"`
	NotAfter  string `json:"not_after"`
	Expired   bool   `json:"expired"`
}

// trustCountry counts one country's anchors.
type trustCountry struct {
	Country string `json:"country"`
	Anchors int    `json:"anchors"`
	Expired int    `json:"expired"` // not valid at --at (kept: they give "expired" verdicts)
}

// trustListReport is what `diag trust list` prints.
type trustListReport struct {
	Dir       string          `json:"dir"`
	At        string          `json:"at"`
	Anchors   int             `json:"anchors"`
	Countries []trustCountry  `json:"countries"`
	Files     []pa.FileReport `json:"files"`
	Skipped   []pa.Skip       `json:"skipped"`
	List      []trustAnchor   `json:"anchor_list,omitempty"`
}

// diagTrustList prints what a trust folder holds, as the kiosk loads it.
func diagTrustList(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "diag trust list", "kioskd diag trust list DIR [--at YYYY-MM-DD] [--anchors] [--json]")
	at := fs.String("at", "", "count anchors expired at this date (YYYY-MM-DD or RFC 3339; default now)")
	anchors := fs.Bool("anchors", false, "also list every anchor")
	asJSON := fs.Bool("json", false, "print JSON instead of lines")
	// Accept DIR before or after the flags.
	var dir string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		dir, args = args[0], args[1:]
	}
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if dir == "" && fs.NArg() == 1 {
		dir = fs.Arg(0)
	} else if fs.NArg() != 0 || dir == "" {
		fs.Usage()
		return exitUsage
	}
	when, err := parseAt(*at)
	if err != nil {
		return failf(e, exitUsage, "diag trust list: --at: %v", err)
	}
	ts, err := pa.LoadTrustStore(dir)
	if err != nil {
		return failf(e, exitFailure, "diag trust list: %v", err)
	}
	rep := trustList(dir, ts, when, *anchors)
	if *asJSON {
		if err := json.NewEncoder(e.stdout).Encode(rep); err != nil {
			return failf(e, exitFailure, "diag trust list: %v", err)
		}
	} else {
		printTrustList(e.stdout, rep)
	}
	if rep.Anchors == 0 {
		return exitFailure // a kiosk with this folder can only say "unverified"
	}
	return exitOK
}

func trustList(dir string, ts *pa.TrustStore, at time.Time, withAnchors bool) trustListReport {
	rep := trustListReport{Dir: dir, At: at.UTC().Format(time.RFC3339), Anchors: ts.Len(), Files: ts.Files(), Skipped: ts.Skipped()}
	byCountry := map[string]*trustCountry{}
	for _, c := range ts.Certificates() {
		cc := byCountry[c.Country()]
		if cc == nil {
			cc = &trustCountry{Country: c.Country()}
			byCountry[c.Country()] = cc
		}
		cc.Anchors++
		expired := !c.ValidAt(at)
		if expired {
			cc.Expired++
		}
		if withAnchors {
			rep.List = append(rep.List, trustAnchor{Country: c.Country(), Subject: c.Subject, Serial: c.SerialNumber.String(),
				NotBefore: c.NotBefore.Format(time.DateOnly), NotAfter: c.NotAfter.Format(time.DateOnly), Expired: expired})
		}
	}
	for _, cc := range byCountry {
		rep.Countries = append(rep.Countries, *cc)
	}
	sort.Slice(rep.Countries, func(i, j int) bool { return rep.Countries[i].Country < rep.Countries[j].Country })
	sort.SliceStable(rep.List, func(i, j int) bool { return rep.List[i].Country < rep.List[j].Country })
	if rep.Files == nil {
		rep.Files = []pa.FileReport{}
	}
	if rep.Skipped == nil {
		rep.Skipped = []pa.Skip{}
	}
	return rep
}

func printTrustList(w io.Writer, r trustListReport) {
	fmt.Fprintf(w, "trust folder %s: %d anchors from %d files, %d left out (at %s)\n", r.Dir, r.Anchors, len(r.Files), len(r.Skipped), r.At)
	fmt.Fprintln(w, "files:")
	for _, f := range r.Files {
		fmt.Fprintf(w, "  %-32s %-12s", f.Name, f.Kind)
		if f.Error != "" {
			fmt.Fprintf(w, " LEFT OUT: %s\n", f.Error)
			continue
		}
		fmt.Fprintf(w, " added %d, already present %d, left out %d", f.Added, f.Duplicates, f.Skipped)
		if f.Signer != "" {
			chained := "signer does NOT chain to a CSCA in the list"
			if f.SignerChained {
				chained = "signer chains to a CSCA in the list"
			}
			fmt.Fprintf(w, "; signed by %s (%s)", f.Signer, chained)
		}
		fmt.Fprintln(w)
		for _, warn := range f.Warnings {
			fmt.Fprintf(w, "    warning: %s\n", warn)
		}
	}
	fmt.Fprintln(w, "anchors by country:")
	for _, c := range r.Countries {
		name := c.Country
		if name == "" {
			name = "??"
		}
		fmt.Fprintf(w, "  %-3s %4d", name, c.Anchors)
		if c.Expired > 0 {
			fmt.Fprintf(w, " (%d expired)", c.Expired)
		}
		fmt.Fprintln(w)
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintln(w, "left out:")
		for _, s := range r.Skipped {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	if len(r.List) > 0 {
		fmt.Fprintln(w, "anchors:")
	}
	for _, a := range r.List {
		exp := ""
		if a.Expired {
			exp = " EXPIRED"
		}
		fmt.Fprintf(w, "  %-3s %s, serial %s, valid %s to %s%s\n", a.Country, a.Subject, a.Serial, a.NotBefore, a.NotAfter, exp)
	}
}
