// Command vulnindex turns the OSV reports of the golang.org/x/vulndb module
// (data/osv/*.json) into a v1 vulnerability database that
// `govulncheck -db file://DIR` reads: index/db.json, index/modules.json,
// index/vulns.json and ID/<id>.json.
//
// The vulndb module ships its own indexer (cmd/indexdb), but it drags in
// cloud client libraries that take minutes to build on a cold 2-core CI
// machine; the v1 layout is small enough to write here. The modules index
// lists every report for every module it names and leaves "fixed" out, so
// govulncheck never skips a report on the index's word: it always reads the
// report itself and decides from its ranges.
//
// Usage: go run ./.ci/vulnindex -osv VULNDB/data/osv -out DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type report struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

type vulnRef struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
}

type module struct {
	Path  string    `json:"path"`
	Vulns []vulnRef `json:"vulns"`
}

type vulnEntry struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
}

func main() {
	osvDir := flag.String("osv", "", "folder of OSV JSON reports (vulndb's data/osv)")
	out := flag.String("out", "", "database folder to write")
	flag.Parse()
	if *osvDir == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: vulnindex -osv DIR -out DIR")
		os.Exit(2)
	}
	if err := build(*osvDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "vulnindex:", err)
		os.Exit(1)
	}
}

func build(osvDir, out string) error {
	files, err := filepath.Glob(filepath.Join(osvDir, "GO-*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no GO-*.json reports in %s", osvDir)
	}
	tmp := out + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	for _, d := range []string{"index", "ID"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			return err
		}
	}
	mods := map[string][]vulnRef{}
	var vulns []vulnEntry
	var newest time.Time
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var r report
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if r.ID == "" || strings.ContainsAny(r.ID, `/\`) {
			return fmt.Errorf("%s: bad id %q", f, r.ID)
		}
		if err := os.WriteFile(filepath.Join(tmp, "ID", r.ID+".json"), raw, 0o644); err != nil {
			return err
		}
		vulns = append(vulns, vulnEntry{r.ID, r.Modified, r.Aliases})
		if r.Modified.After(newest) {
			newest = r.Modified
		}
		seen := map[string]bool{}
		for _, a := range r.Affected {
			if p := a.Package.Name; p != "" && !seen[p] {
				seen[p] = true
				mods[p] = append(mods[p], vulnRef{r.ID, r.Modified})
			}
		}
	}
	var modList []module
	for p, v := range mods {
		modList = append(modList, module{p, v})
	}
	sort.Slice(modList, func(i, j int) bool { return modList[i].Path < modList[j].Path })
	sort.Slice(vulns, func(i, j int) bool { return vulns[i].ID < vulns[j].ID })
	for name, v := range map[string]any{"db.json": map[string]time.Time{"modified": newest}, "modules.json": modList, "vulns.json": vulns} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, "index", name), b, 0o644); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}
