package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFromSPDX(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"MIT", "Expat", true},
		{"Unlicense OR BSD-3-Clause", "Unlicense or BSD-3-clause", true},
		{"Apache-2.0 AND MIT", "Apache-2.0 and Expat", true},
		{"GPL-3.0-only", "", false},
		{"MIT OR", "", false},
		{"MIT WITH Classpath-exception-2.0", "", false},
		{"(MIT OR Apache-2.0)", "", false},
		{"", "", false},
	} {
		got, ok := fromSPDX(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("fromSPDX(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzFromSPDX(f *testing.F) {
	for _, s := range []string{"MIT", "Unlicense OR BSD-3-Clause", "A AND B OR C", "  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := fromSPDX(s)
		if !ok {
			return
		}
		for _, n := range licenceNames(got) {
			if n == "" {
				t.Fatalf("fromSPDX(%q) = %q: an empty licence name", s, got)
			}
		}
	})
}

// TestAcceptable checks the rule for licence choices: one wholly accepted
// alternative lets a file ship; a required ("and") part that is not
// accepted, or no accepted alternative, refuses it.
func TestAcceptable(t *testing.T) {
	for expr, want := range map[string]bool{
		"Expat":                    true,
		"EPL-2.0":                  false,
		"EPL-2.0 or BSD-3-clause":  true,
		"BSD-3-clause or EPL-2.0":  true,
		"Expat and EPL-2.0":        false,
		"Expat and EPL-2.0 or ISC": true,
		"GPL-2.0 or EPL-2.0":       false,
		"":                         false,
	} {
		if got := acceptable(expr); got != want {
			t.Errorf("acceptable(%q) = %v, want %v", expr, got, want)
		}
	}
}

func TestUndoubleUTF8(t *testing.T) {
	for in, want := range map[string]string{
		"2013 BjÃ¶rn Rabenstein": "2013 Björn Rabenstein",
		"2006 Camilla LÃ¶wy":     "2006 Camilla Löwy",
		"2009 The Go Authors.":   "2009 The Go Authors.",
		"Björn":                  "Björn", // Latin-1 range, not valid UTF-8 as bytes: kept
		"Nguyễn":                 "Nguyễn",
	} {
		if got := undoubleUTF8(in); got != want {
			t.Errorf("undoubleUTF8(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFilesPattern(t *testing.T) {
	dep := module{Path: "fyne.io/fyne/v2"}
	main := module{Path: "github.com/kiosk06/kiosk", Main: true}
	for _, tc := range []struct {
		m      module
		f      string
		shared bool
		want   string
	}{
		{dep, "LICENSE", false, "fyne.io/fyne/v2/*"},
		{dep, "theme/font/LICENSE.txt", true, "fyne.io/fyne/v2/theme/font/*"},
		{dep, "theme/font/LICENSE_Inter.txt", true, "fyne.io/fyne/v2/theme/font/*Inter*"},
		{dep, "theme/font/LICENSE_DejaVu-Powerline.txt", true, "fyne.io/fyne/v2/theme/font/*DejaVu*Powerline*"},
		{dep, "ico/LICENSE-reader", true, "fyne.io/fyne/v2/ico/*reader*"},
		{dep, "ico/LICENSE-reader", false, "fyne.io/fyne/v2/ico/*"},
		{main, "drivers/escpos/fonts/OFL.txt", false, "drivers/escpos/fonts/*"},
		{module{Path: "go"}, "LICENSE", false, "go/*"},
	} {
		if got := filesPattern(tc.m, tc.f, tc.shared); got != tc.want {
			t.Errorf("filesPattern(%s, %s, %v) = %q, want %q", tc.m.Path, tc.f, tc.shared, got, tc.want)
		}
	}
}

func TestFormatParagraphs(t *testing.T) {
	got := formatParagraphs([]paragraph{{
		Files:     "example.org/m/*",
		Copyright: []string{"2020 A", "2021 B"},
		License:   "Expat",
		Text:      "Permission is granted.\n\n.\nEnd.  ",
		Comment:   "Go module example.org/m v1.0.0",
	}})
	want := "\nFiles: example.org/m/*\nCopyright: 2020 A\n 2021 B\nLicense: Expat\n Permission is granted.\n .\n ..\n End.\nComment: Go module example.org/m v1.0.0\n"
	if got != want {
		t.Errorf("formatParagraphs:\n%q\nwant\n%q", got, want)
	}
}

func TestNoticeFiles(t *testing.T) {
	mod := t.TempDir()
	for _, f := range []string{
		"LICENSE", "go.mod", "sub/pkg/x.go", "sub/NOTICE",
		"theme/font/LICENSE_Inter.txt", "theme/font/Inter.ttf", "theme/x.go",
		"cgo/c.go", "cgo/vendor/lib/LICENSE.md", "cgo/testdata/LICENSE",
		"cmd/tool/COPYING", "cmd/tool/main.go",
	} {
		p := filepath.Join(mod, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		p    pkg
		want string
	}{
		{"package folders up to the root", pkg{Dir: filepath.Join(mod, "sub", "pkg")}, "LICENSE sub/NOTICE"},
		{"embedded files' folders", pkg{Dir: filepath.Join(mod, "theme"), EmbedFiles: []string{"font/Inter.ttf"}}, "LICENSE theme/font/LICENSE_Inter.txt"},
		{"below a cgo package, not testdata", pkg{Dir: filepath.Join(mod, "cgo"), CgoFiles: []string{"c.go"}}, "LICENSE cgo/vendor/lib/LICENSE.md"},
		{"an unlinked command's licence stays out", pkg{Dir: mod}, "LICENSE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := noticeFiles(mod, tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(uniqueSorted(files), " "); got != tc.want {
				t.Errorf("noticeFiles = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLoadReviewed(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.tsv")
	sum := strings.Repeat("ab", 32)
	if err := os.WriteFile(good, []byte("# comment\n\n"+sum+"\tOFL-1.1\t2022 X\tread it\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := loadReviewed(good)
	if err != nil || m[sum].License != "OFL-1.1" || m[sum].Copyright != "2022 X" {
		t.Fatalf("loadReviewed = %v, %v", m, err)
	}
	for _, bad := range []string{
		sum + "\tOFL-1.1\t2022 X\n",                     // no reason
		"abc\tOFL-1.1\t2022 X\tr\n",                     // not a SHA-256
		strings.Repeat("zz", 32) + "\tOFL\tX\treason\n", // not hex
	} {
		p := filepath.Join(dir, "bad.tsv")
		if err := os.WriteFile(p, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := loadReviewed(p); err == nil {
			t.Errorf("loadReviewed accepted %q", bad)
		}
	}
}

func FuzzLoadReviewed(f *testing.F) {
	f.Add("# c\n" + strings.Repeat("ab", 32) + "\tOFL-1.1\t2022 X\tread\n")
	f.Add("\t\t\t\n")
	f.Fuzz(func(t *testing.T, s string) {
		p := filepath.Join(t.TempDir(), "r.tsv")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := loadReviewed(p)
		if err != nil {
			return
		}
		for k, v := range m {
			if len(k) != 64 || v.License == "" || v.Copyright == "" {
				t.Fatalf("loadReviewed accepted %q → %q %+v", s, k, v)
			}
		}
	})
}

// moduleDir is where the go command keeps a module of this build.
func moduleDir(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path).Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Skipf("module %s not in the module cache: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}

// TestClassifyRealLicences names licence files as the modules ship them,
// with licensecheck: what the generated copyright file says of them.
func TestClassifyRealLicences(t *testing.T) {
	if _, err := exec.LookPath("licensecheck"); err != nil {
		t.Skip("licensecheck not installed: run `make deps-cross`")
	}
	reviewed, err := loadReviewed("reviewed.tsv")
	if err != nil {
		t.Fatal(err)
	}
	c := &classifier{reviewed: reviewed, licensecheck: "licensecheck"}
	for _, tc := range []struct {
		module, file, licence, how, copyright string
	}{
		{"github.com/mattn/go-sqlite3", "LICENSE", "Expat", "licensecheck", "2014 Yasuhiro Matsumoto"},
		{"golang.org/x/sys", "LICENSE", "BSD-3-clause", "licensecheck", "The Go Authors"},
		{"github.com/ebfe/scard", "LICENSE", "BSD-2-clause", "licensecheck", "Michael Gehring"},
		{"periph.io/x/conn/v3", "LICENSE", "Apache-2.0", "licensecheck", ""},
		{"github.com/go-text/typesetting", "LICENSE", "Unlicense or BSD-3-clause", "spdx", "go-text authors"},
		{"fyne.io/fyne/v2", "theme/font/LICENSE_DejaVu-Powerline.txt", "Bitstream-Vera", "reviewed", "Bitstream"},
		{"fyne.io/fyne/v2", "theme/font/LICENSE.txt", "OFL-1.1", "reviewed", "Noto Project"},
		{"github.com/eclipse/paho.mqtt.golang", "LICENSE", "EPL-2.0 or BSD-3-clause", "reviewed", "Eclipse Foundation"},
		{"github.com/eclipse/paho.mqtt.golang", "edl-v10", "BSD-3-clause", "licensecheck", "Eclipse Foundation"},
	} {
		t.Run(tc.module+"/"+tc.file, func(t *testing.T) {
			v, err := c.classify(context.Background(), filepath.Join(moduleDir(t, tc.module), tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if v.License != tc.licence || v.How != tc.how || !strings.Contains(v.Copyright, tc.copyright) {
				t.Errorf("classify = %+v, want %s by %s, copyright containing %q", v, tc.licence, tc.how, tc.copyright)
			}
		})
	}
}

// TestClassifyRefuses checks that an unnamed licence and one that is not on
// the accepted list fail.
func TestClassifyRefuses(t *testing.T) {
	if _, err := exec.LookPath("licensecheck"); err != nil {
		t.Skip("licensecheck not installed: run `make deps-cross`")
	}
	c := &classifier{reviewed: map[string]reviewedEntry{}, licensecheck: "licensecheck"}
	dir := t.TempDir()
	unknown := filepath.Join(dir, "LICENSE")
	if err := os.WriteFile(unknown, []byte("Copyright 2026 Someone.\nYou may use this on Tuesdays only.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.classify(context.Background(), unknown); !errors.Is(err, errUnknownLicence) {
		t.Errorf("an unnamed licence: %v, want errUnknownLicence", err)
	}
	gpl := filepath.Join(dir, "COPYING")
	if err := os.WriteFile(gpl, []byte("SPDX-License-Identifier: MIT AND GPL-2.0-only\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.classify(context.Background(), gpl); !errors.Is(err, errUnknownLicence) && !errors.Is(err, errRefusedLicence) {
		t.Errorf("a GPL expression: %v, want a refusal", err)
	}
	if common, err := os.ReadFile("/usr/share/common-licenses/GPL-2"); err == nil {
		if err := os.WriteFile(gpl, common, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := c.classify(context.Background(), gpl); !errors.Is(err, errRefusedLicence) {
			t.Errorf("the GPL-2 text: %v, want errRefusedLicence", err)
		}
	}
}
