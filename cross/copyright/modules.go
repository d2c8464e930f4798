package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// module is one linked module and the notice files that belong to the
// binary. The Go distribution (runtime and standard library) is one too,
// with Path "go".
type module struct {
	Path    string // module path, "go" for the Go distribution
	Version string // e.g. v1.14.53, go1.27.3; "" for the main module
	Dir     string // where its files are (module cache, GOROOT, the tree)
	Main    bool   // the module the binary was built from
	Files   []string
}

// pkg is the part of `go list -json` this command reads.
type pkg struct {
	ImportPath string
	Dir        string
	Standard   bool
	CgoFiles   []string
	EmbedFiles []string
	Module     *struct {
		Path    string
		Version string
		Dir     string
		Main    bool
		Replace *struct {
			Path    string
			Version string
			Dir     string
		}
	}
}

// lister finds a binary's modules and their notice files.
type lister struct {
	goCmd string
}

// errMismatch is returned when the binary links other modules than the tree
// would (built from another commit, or another go.mod).
var errMismatch = errors.New("copyright: the binary and this tree disagree on the linked modules")

// linked returns the Go distribution, the main module and every dependency
// module that binary links, each with its notice files, sorted by path.
func (l *lister) linked(ctx context.Context, binary string) ([]module, error) {
	bi, err := buildinfo.ReadFile(binary)
	if err != nil {
		return nil, fmt.Errorf("copyright: build info of %s: %w", binary, err)
	}
	env := os.Environ()
	var tags string
	for _, s := range bi.Settings {
		switch s.Key {
		case "GOOS", "GOARCH", "GOARM", "GOARM64", "GOAMD64", "CGO_ENABLED":
			env = append(env, s.Key+"="+s.Value)
		case "-tags":
			tags = s.Value
		}
	}
	args := []string{"list", "-deps", "-json", "-tags", tags, bi.Path}
	cmd := exec.CommandContext(ctx, l.goCmd, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("copyright: go %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	pkgs, err := decodePackages(out)
	if err != nil {
		return nil, err
	}

	// The modules as the binary records them are the truth; go list must
	// agree, or the file would describe another build.
	want := map[string]string{}
	for _, d := range bi.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		want[d.Path] = m.Version
	}
	mods := map[string]*module{}
	var std []pkg
	var main *module
	for _, p := range pkgs {
		if p.Standard {
			std = append(std, p)
			continue
		}
		if p.Module == nil {
			return nil, fmt.Errorf("copyright: %s has no module", p.ImportPath)
		}
		m := mods[p.Module.Path]
		if m == nil {
			dir, version := p.Module.Dir, p.Module.Version
			if r := p.Module.Replace; r != nil {
				dir, version = r.Dir, r.Version
			}
			m = &module{Path: p.Module.Path, Version: version, Dir: dir, Main: p.Module.Main}
			mods[p.Module.Path] = m
			if m.Main {
				main = m
			}
		}
	}
	for path, m := range mods {
		if m.Main {
			continue
		}
		v, ok := want[path]
		if !ok {
			return nil, fmt.Errorf("%w: go list links %s@%s, the binary does not", errMismatch, path, m.Version)
		}
		if v != m.Version {
			return nil, fmt.Errorf("%w: %s is %s in the binary, %s in this tree", errMismatch, path, v, m.Version)
		}
		delete(want, path)
	}
	for path, v := range want {
		return nil, fmt.Errorf("%w: the binary links %s@%s, go list does not", errMismatch, path, v)
	}
	if main == nil || main.Path != bi.Main.Path {
		return nil, fmt.Errorf("%w: main module %s is not this tree's", errMismatch, bi.Main.Path)
	}

	for _, p := range pkgs {
		if p.Standard {
			continue
		}
		m := mods[p.Module.Path]
		files, err := noticeFiles(m.Dir, p)
		if err != nil {
			return nil, err
		}
		m.Files = append(m.Files, files...)
	}
	goroot, err := l.goroot(ctx)
	if err != nil {
		return nil, err
	}
	goMod := &module{Path: "go", Version: bi.GoVersion, Dir: goroot}
	for _, name := range []string{"LICENSE", "PATENTS"} {
		if _, err := os.Stat(filepath.Join(goroot, name)); err == nil {
			goMod.Files = append(goMod.Files, name)
		}
	}
	if len(std) == 0 || len(goMod.Files) == 0 {
		return nil, fmt.Errorf("copyright: no Go distribution licence in %s", goroot)
	}

	list := []module{*goMod}
	for _, m := range mods {
		m.Files = uniqueSorted(m.Files)
		list = append(list, *m)
	}
	sort.Slice(list, func(i, j int) bool {
		// The Go distribution, then the main module, then the rest by path.
		rank := func(m module) int {
			switch {
			case m.Path == "go":
				return 0
			case m.Main:
				return 1
			}
			return 2
		}
		if rank(list[i]) != rank(list[j]) {
			return rank(list[i]) < rank(list[j])
		}
		return list[i].Path < list[j].Path
	})
	return list, nil
}

// goroot is the Go distribution the build used.
func (l *lister) goroot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, l.goCmd, "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("copyright: go env GOROOT: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// decodePackages reads the stream of JSON objects `go list -json` prints.
func decodePackages(b []byte) ([]pkg, error) {
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var p pkg
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("copyright: go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}

// noticeName matches the names of licence and notice files.
var noticeName = regexp.MustCompile(`(?i)^(licen[cs]e|copying|copyright|notice|patents|unlicense|ofl|edl|authors)([-_.].*)?$`)

// noticeFiles returns the notice files (relative to modDir, slash-separated)
// that belong to package p of the module in modDir: in the module root and
// every folder from there down to p's folder, in the folders of the files p
// embeds, and, for a cgo package, anywhere below p's folder.
func noticeFiles(modDir string, p pkg) ([]string, error) {
	rel, err := filepath.Rel(modDir, p.Dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("copyright: %s is outside its module %s", p.Dir, modDir)
	}
	dirs := map[string]bool{}
	// The folders from the root down to the package.
	for d := rel; ; d = filepath.Dir(d) {
		dirs[d] = true
		if d == "." {
			break
		}
	}
	for _, e := range p.EmbedFiles {
		for d := filepath.Dir(filepath.Join(rel, e)); d != rel && d != "."; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	var files []string
	for d := range dirs {
		f, err := noticesIn(modDir, d)
		if err != nil {
			return nil, err
		}
		files = append(files, f...)
	}
	if len(p.CgoFiles) > 0 {
		err := filepath.WalkDir(p.Dir, func(path string, e os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() && (e.Name() == "testdata" || strings.HasPrefix(e.Name(), ".")) && path != p.Dir {
				return filepath.SkipDir
			}
			if !e.IsDir() && path != p.Dir && filepath.Dir(path) != p.Dir && noticeName.MatchString(e.Name()) {
				r, _ := filepath.Rel(modDir, path)
				files = append(files, filepath.ToSlash(r))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("copyright: %s: %w", p.Dir, err)
		}
	}
	return files, nil
}

// noticesIn lists the notice files directly in modDir/dir.
func noticesIn(modDir, dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(modDir, dir))
	if err != nil {
		return nil, fmt.Errorf("copyright: %w", err)
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && noticeName.MatchString(e.Name()) {
			files = append(files, filepath.ToSlash(filepath.Join(dir, e.Name())))
		}
	}
	return files, nil
}

func uniqueSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
