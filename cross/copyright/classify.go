package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"
)

// errUnknownLicence is returned for a licence file that neither its SPDX
// line, nor licensecheck, nor reviewed.tsv names.
var errUnknownLicence = errors.New("copyright: unknown licence")

// errRefusedLicence is returned for a licence that is named but not on the
// accepted list.
var errRefusedLicence = errors.New("copyright: licence not accepted")

// accepted are the licences (DEP-5 short names) a proprietary firmware may
// link and ship: permissive ones whose only condition is to pass the notice
// on, which the copyright file does. Adding one is a decision for a person.
var accepted = map[string]bool{
	"Apache-2.0":     true,
	"BSD-2-clause":   true,
	"BSD-3-clause":   true,
	"Bitstream-Vera": true,
	"Expat":          true,
	"ISC":            true,
	"OFL-1.1":        true,
	"Unlicense":      true,
	"Zlib":           true,
	"public-domain":  true,
}

// spdxToDEP5 maps SPDX identifiers to DEP-5 short names (copyright-format
// 1.0, "License specification": Expat for MIT, lower-case "clause").
var spdxToDEP5 = map[string]string{
	"MIT":          "Expat",
	"BSD-2-Clause": "BSD-2-clause",
	"BSD-3-Clause": "BSD-3-clause",
	"Apache-2.0":   "Apache-2.0",
	"ISC":          "ISC",
	"Zlib":         "Zlib",
	"OFL-1.1":      "OFL-1.1",
	"Unlicense":    "Unlicense",
}

// verdict is what a licence file says.
type verdict struct {
	License   string // DEP-5 licence expression, e.g. "Expat", "Unlicense or BSD-3-clause"
	Copyright string // the copyright lines found, "" if none
	How       string // spdx | licensecheck | reviewed
}

// reviewedEntry is one line of reviewed.tsv.
type reviewedEntry struct {
	License   string
	Copyright string
}

// classifier names licence files.
type classifier struct {
	reviewed     map[string]reviewedEntry // SHA-256 (hex) → what a person read
	licensecheck string                   // the licensecheck(1) command
	found        map[string][2]string     // path → licence, copyright (prefetch)
}

// prefetch runs licensecheck once over every file (it takes seconds to
// start: one run per file made packaging take minutes).
func (c *classifier) prefetch(ctx context.Context, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	cmd := exec.CommandContext(ctx, c.licensecheck, append([]string{"--machine", "--copyright", "--lines", "0",
		"--shortname-scheme", "debian,spdx", "--"}, paths...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("copyright: licensecheck: %w\n%s", err, stderr.Bytes())
	}
	if c.found == nil {
		c.found = map[string][2]string{}
	}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		f := strings.SplitN(line, "\t", 3)
		if len(f) < 2 {
			return fmt.Errorf("copyright: licensecheck: unexpected line %q", line)
		}
		cp := ""
		if len(f) == 3 {
			cp = f[2]
		}
		c.found[f[0]] = [2]string{f[1], cp}
	}
	return nil
}

// reviewedPath is reviewed.tsv beside this command, from the repository root.
func reviewedPath() string { return filepath.Join("cross", "copyright", "reviewed.tsv") }

// loadReviewed reads reviewed.tsv: SHA-256, DEP-5 licence, copyright, and
// the file and the reason, tab-separated; # starts a comment.
func loadReviewed(path string) (map[string]reviewedEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("copyright: %w", err)
	}
	defer f.Close()
	m := map[string]reviewedEntry{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 || len(f[0]) != 64 || f[1] == "" || f[2] == "" || f[3] == "" {
			return nil, fmt.Errorf("copyright: %s:%d: want SHA-256, licence, copyright and the reason, tab-separated", path, n)
		}
		if _, err := hex.DecodeString(f[0]); err != nil {
			return nil, fmt.Errorf("copyright: %s:%d: %w", path, n, err)
		}
		m[f[0]] = reviewedEntry{License: f[1], Copyright: f[2]}
	}
	return m, sc.Err()
}

// spdxLine finds an SPDX-License-Identifier line.
var spdxLine = regexp.MustCompile(`(?m)SPDX-License-Identifier:\s*(.+?)\s*$`)

// fromSPDX turns a flat SPDX expression ("A", "A OR B", "A AND B") into
// DEP-5 ("A", "A or B", "A and B"); ok is false for anything else.
func fromSPDX(expr string) (string, bool) {
	words := strings.Fields(expr)
	if len(words)%2 == 0 {
		return "", false
	}
	out := make([]string, len(words))
	for i, w := range words {
		if i%2 == 1 {
			switch w {
			case "OR", "AND":
				out[i] = strings.ToLower(w)
				continue
			}
			return "", false
		}
		name, ok := spdxToDEP5[w]
		if !ok {
			return "", false
		}
		out[i] = name
	}
	return strings.Join(out, " "), true
}

// classify names the licence of the file at path.
func (c *classifier) classify(ctx context.Context, path string) (verdict, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return verdict{}, fmt.Errorf("copyright: %w", err)
	}
	name, copyright, err := c.check(ctx, path)
	if err != nil {
		return verdict{}, err
	}
	v := verdict{Copyright: copyright}
	sum := sha256.Sum256(data)
	if r, ok := c.reviewed[hex.EncodeToString(sum[:])]; ok {
		// A person read the file: their holders replace licensecheck's
		// guess (which takes "rights in its Contribution" from EPL text).
		v.License, v.Copyright, v.How = r.License, r.Copyright, "reviewed"
	} else if m := spdxLine.FindSubmatch(data); m != nil {
		expr, ok := fromSPDX(string(m[1]))
		if !ok {
			return verdict{}, fmt.Errorf("%w: %s: SPDX expression %q", errUnknownLicence, path, m[1])
		}
		v.License, v.How = expr, "spdx"
	} else if name != "" && name != "UNKNOWN" && !strings.Contains(name, "/") {
		v.License, v.How = name, "licensecheck"
	} else {
		return verdict{}, fmt.Errorf("%w: %s (licensecheck: %s, SHA-256 %x): read it, and if it may ship add it to %s", errUnknownLicence, path, name, sum, reviewedPath())
	}
	if !acceptable(v.License) {
		return verdict{}, fmt.Errorf("%w: %s is %s", errRefusedLicence, path, v.License)
	}
	return v, nil
}

// acceptable reports whether a DEP-5 expression may ship: for "A or B" (a
// choice the licensor offers, e.g. EPL-2.0 or the Eclipse Distribution
// Licence) one alternative whose every "and" part is accepted suffices;
// the firmware then ships under that alternative.
func acceptable(expr string) bool {
	for _, alt := range strings.Split(expr, " or ") {
		ok := true
		for _, part := range licenceNames(alt) {
			if !accepted[part] {
				ok = false
			}
		}
		if ok && len(licenceNames(alt)) > 0 {
			return true
		}
	}
	return false
}

// licenceNames splits a DEP-5 expression into its licence names.
func licenceNames(expr string) []string {
	var names []string
	for _, w := range strings.Fields(expr) {
		if w != "or" && w != "and" {
			names = append(names, strings.TrimSuffix(w, ","))
		}
	}
	return names
}

// check runs licensecheck on one file: the licence it names in Debian's
// short names and the copyright lines it found ("" for none).
func (c *classifier) check(ctx context.Context, path string) (name, copyright string, err error) {
	if f, ok := c.found[path]; ok {
		return tidyFinding(f[0], f[1])
	}
	cmd := exec.CommandContext(ctx, c.licensecheck, "--machine", "--copyright", "--lines", "0",
		"--shortname-scheme", "debian,spdx", "--", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("copyright: licensecheck %s: %w\n%s", path, err, stderr.Bytes())
	}
	// path TAB licence TAB copyright
	f := strings.SplitN(strings.TrimRight(string(out), "\n"), "\t", 3)
	if len(f) < 2 {
		return "", "", fmt.Errorf("copyright: licensecheck %s: unexpected output %q", path, out)
	}
	if len(f) == 3 {
		copyright = f[2]
	}
	return tidyFinding(f[1], copyright)
}

// tidyFinding cleans one licensecheck finding.
func tidyFinding(name, copyright string) (string, string, error) {
	name, copyright = strings.TrimSpace(name), strings.TrimSpace(copyright)
	if copyright == "*No copyright*" {
		copyright = ""
	}
	return name, undoubleUTF8(copyright), nil
}

// undoubleUTF8 repairs text that was UTF-8, read as Latin-1 and encoded as
// UTF-8 again, as licensecheck 3.3 prints copyright holders ("BjÃ¶rn" for
// "Björn"): when every character fits a byte and those bytes are valid
// UTF-8, they are the original. Other text is returned as it is.
func undoubleUTF8(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			return s
		}
		b = append(b, byte(r))
	}
	if !utf8.Valid(b) {
		return s
	}
	return string(b)
}
