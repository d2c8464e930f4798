package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// paragraph is one Files paragraph of a DEP-5 copyright file
// (copyright-format 1.0, "Files paragraph").
type paragraph struct {
	Files     string
	Copyright []string
	License   string // first line: the DEP-5 expression
	Text      string // the licence text (or a pointer to common-licenses)
	Comment   string
}

// commonLicenses are the licences Debian ships in /usr/share/common-licenses
// that the copyright file points to instead of repeating them (Debian
// Policy 12.5; lintian copyright-not-using-common-license-for-apache2).
var commonLicenses = map[string]bool{"Apache-2.0": true}

// isLicence tells a licence file from a notice (NOTICE, PATENTS, AUTHORS),
// which is passed on verbatim but names no licence.
func isLicence(name string) bool {
	m := noticeName.FindStringSubmatch(name)
	if m == nil {
		return false
	}
	switch strings.ToLower(m[1]) {
	case "notice", "patents", "authors":
		return false
	}
	return true
}

// paragraphs classifies every licence file of mods and returns the Files
// paragraphs, in order; every module must ship at least one licence file.
func paragraphs(ctx context.Context, mods []module, c *classifier) ([]paragraph, error) {
	var all []string
	for _, m := range mods {
		for _, f := range m.Files {
			all = append(all, filepath.Join(m.Dir, f))
		}
	}
	if err := c.prefetch(ctx, all); err != nil {
		return nil, err
	}
	var out []paragraph
	for _, m := range mods {
		var licences, notices []string
		for _, f := range m.Files {
			if isLicence(path.Base(f)) {
				licences = append(licences, f)
			} else {
				notices = append(notices, f)
			}
		}
		if len(licences) == 0 && !m.Main {
			return nil, fmt.Errorf("%w: module %s %s ships no licence file", errUnknownLicence, m.Path, m.Version)
		}
		// Copyright lines of the notices, for a licence file that has none
		// (the Apache licence text carries no copyright line; its NOTICE does).
		var noticeCopyright []string
		for _, n := range notices {
			_, cp, err := c.check(ctx, filepath.Join(m.Dir, n))
			if err != nil {
				return nil, err
			}
			noticeCopyright = append(noticeCopyright, splitCopyright(cp)...)
		}
		perDir := map[string]int{}
		for _, f := range licences {
			perDir[path.Dir(f)]++
		}
		var mine []paragraph
		for _, f := range licences {
			v, err := c.classify(ctx, filepath.Join(m.Dir, f))
			if err != nil {
				return nil, err
			}
			text, err := licenceText(filepath.Join(m.Dir, f), v.License)
			if err != nil {
				return nil, err
			}
			p := paragraph{
				Files:     filesPattern(m, f, perDir[path.Dir(f)] > 1),
				Copyright: splitCopyright(v.Copyright),
				License:   v.License,
				Text:      text,
				Comment:   fmt.Sprintf("%s: %s (named by %s).", moduleName(m), f, v.How),
			}
			if len(p.Copyright) == 0 {
				p.Copyright = noticeCopyright
			}
			if len(p.Copyright) == 0 {
				p.Copyright = []string{"the authors of " + m.Path + " (" + f + " names none)"}
				for _, n := range notices {
					if strings.EqualFold(path.Base(n), "AUTHORS") {
						p.Copyright = []string{"the authors of " + m.Path + ", listed in its " + n + " (below)"}
					}
				}
			}
			mine = append(mine, p)
		}
		// Notices go with the module's first (root) licence paragraph.
		for _, n := range notices {
			b, err := os.ReadFile(filepath.Join(m.Dir, n))
			if err != nil {
				return nil, fmt.Errorf("copyright: %w", err)
			}
			if !utf8.Valid(b) {
				return nil, fmt.Errorf("copyright: %s/%s is not UTF-8", m.Dir, n)
			}
			if len(mine) == 0 {
				return nil, fmt.Errorf("copyright: %s/%s: a notice without a licence", m.Path, n)
			}
			mine[0].Comment += "\n\n" + n + ":\n\n" + strings.TrimSpace(string(b))
		}
		// Last match wins (copyright-format 1.0): a folder's catch-all
		// pattern before the patterns that name some of its files.
		sort.SliceStable(mine, func(i, j int) bool {
			return strings.Count(mine[i].Files, "*") < strings.Count(mine[j].Files, "*")
		})
		out = append(out, mine...)
	}
	return out, nil
}

// moduleName says which module (and version) a paragraph is from.
func moduleName(m module) string {
	switch {
	case m.Path == "go":
		return "The Go distribution (runtime and standard library) " + m.Version
	case m.Main:
		return "Third-party files in this project"
	}
	return "Go module " + m.Path + " " + m.Version
}

// stemName is the part of LICENSE_Inter.txt / LICENSE-reader that names
// what the file covers.
var stemName = regexp.MustCompile(`(?i)^licen[cs]e[-_](.+?)(\.[a-z]+)?$`)

// filesPattern is the Files field for licence file f of module m: the
// module's path (none for the main module, whose tree is the header's "*")
// and f's folder; when that folder has several licence files, a file named
// LICENSE_<Name> covers the files whose names contain Name.
func filesPattern(m module, f string, shared bool) string {
	dir := path.Dir(f)
	base := m.Path
	if m.Main {
		base = ""
	}
	p := path.Join(base, dir)
	if p == "" || p == "." {
		p = ""
	} else {
		p += "/"
	}
	if shared {
		if s := stemName.FindStringSubmatch(path.Base(f)); s != nil {
			return p + "*" + strings.NewReplacer("-", "*", "_", "*").Replace(s[1]) + "*"
		}
	}
	return p + "*"
}

// splitCopyright turns licensecheck's "A / B" into one holder a line.
func splitCopyright(s string) []string {
	var out []string
	for _, c := range strings.Split(s, " / ") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// licenceText is the text of the License field: the file itself, or a
// pointer to /usr/share/common-licenses for a licence Debian ships there.
func licenceText(file, licence string) (string, error) {
	if commonLicenses[licence] {
		return "On Debian systems, the full text of the Apache License, Version 2.0\ncan be found in the file /usr/share/common-licenses/" + licence + ".", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("copyright: %w", err)
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("copyright: %s is not UTF-8", file)
	}
	return strings.TrimSpace(string(b)), nil
}

// formatParagraphs writes the paragraphs in deb822 syntax: continuation
// lines start with a space, an empty line is " ." (Debian Policy 5.1).
func formatParagraphs(ps []paragraph) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\nFiles: " + p.Files + "\n")
		b.WriteString("Copyright:" + continuation(strings.Join(p.Copyright, "\n"), true))
		b.WriteString("License: " + p.License + continuation(p.Text, false))
		if p.Comment != "" {
			b.WriteString("Comment:" + continuation(p.Comment, true))
		}
	}
	return b.String()
}

// continuation formats text as a field's continuation lines. With first,
// the text's first line goes on the field's own line.
func continuation(text string, first bool) string {
	var b strings.Builder
	if !first {
		b.WriteString("\n")
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, " \t")
		switch {
		case i == 0 && first:
			b.WriteString(" " + l + "\n")
		case l == "":
			b.WriteString(" .\n")
		case strings.TrimLeft(l, ".") == "":
			// A line of full stops would read as an empty line; keep it
			// visible.
			b.WriteString(" ." + l + "\n")
		default:
			b.WriteString(" " + l + "\n")
		}
	}
	return b.String()
}
