package crosstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestVersionSorts walks a made-up history through every case cross/version
// names (untagged commits, uncommitted changes, a release tag, commits after
// it, a merge, a pre-release tag, the release) and checks with dpkg itself
// that each version is greater than the one before: what decides whether
// apt offers a package as an upgrade.
func TestVersionSorts(t *testing.T) {
	for _, tool := range []string{"git", "dpkg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	script := filepath.Join(RepoRoot(t), "cross", "version")
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org", "GIT_CONFIG_GLOBAL=/dev/null")
		return strings.TrimSpace(MustRun(t, "git "+strings.Join(args, " "), time.Minute, cmd))
	}
	n := 0
	commit := func() {
		t.Helper()
		n++
		name := fmt.Sprintf("f%d", n)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		git("add", name)
		git("commit", "-q", "-m", "c")
	}
	version := func() string {
		t.Helper()
		return strings.TrimSpace(MustRun(t, "cross/version", time.Minute, exec.Command(script, dir)))
	}
	git("init", "-q", "-b", "main")

	var seen []string
	step := func(what, wantPattern string) {
		t.Helper()
		v := version()
		if !regexp.MustCompile("^" + wantPattern + "$").MatchString(v) {
			t.Fatalf("%s: version %q, want %s", what, v, wantPattern)
		}
		if len(seen) > 0 {
			prev := seen[len(seen)-1]
			if err := exec.Command("dpkg", "--compare-versions", v, "gt", prev).Run(); err != nil {
				t.Errorf("%s: dpkg says %s is not greater than the version before, %s", what, v, prev)
			}
		}
		seen = append(seen, v)
	}
	hash := `g[0-9a-f]{12}`

	commit()
	step("root commit", `0\.0\.0\+1\.`+hash)
	for i := 2; i <= 11; i++ { // 9 → 10 → 11: numbers compare as numbers
		commit()
		step("untagged commit", `0\.0\.0\+`+regexp.QuoteMeta(strings.TrimSpace(git("rev-list", "--count", "HEAD")))+`\.`+hash)
	}
	if err := os.WriteFile(filepath.Join(dir, "f1"), []byte("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	step("uncommitted change", `0\.0\.0\+11\.`+hash+`\.dirty`)
	git("checkout", "-q", "--", "f1")
	commit()
	git("tag", "v0.1.0")
	step("release tag", `0\.1\.0`)
	commit()
	step("after the tag", `0\.1\.0\+1\.`+hash)

	// A branch merged back: the merge counts the branch's commits too.
	git("checkout", "-q", "-b", "feature")
	commit()
	commit()
	git("checkout", "-q", "main")
	commit()
	step("main after the branch point", `0\.1\.0\+2\.`+hash)
	git("merge", "-q", "--no-ff", "-m", "merge", "feature")
	step("merge", `0\.1\.0\+5\.`+hash)

	git("tag", "v0.2.0-rc1")
	step("pre-release tag", `0\.2\.0~rc1`)
	commit()
	step("after the pre-release", `0\.2\.0~rc1\+1\.`+hash)
	git("tag", "v0.2.0")
	step("release", `0\.2\.0`)
	commit()
	step("after the release", `0\.2\.0\+1\.`+hash)

	// A shallow clone cannot count commits: no version rather than a wrong one.
	shallow := filepath.Join(t.TempDir(), "shallow")
	MustRun(t, "git clone --depth 1", time.Minute, exec.Command("git", "clone", "-q", "--depth", "1", "file://"+dir, shallow))
	if r := Run(t, "cross/version on a shallow clone", time.Minute, exec.Command(script, shallow)); r.Code == 0 || !strings.Contains(r.Stderr, "shallow") {
		t.Errorf("cross/version in a shallow clone: exit %d, %q%q; want a failure naming the shallow clone", r.Code, r.Stdout, r.Stderr)
	}
}

// TestVersionOfThisTree checks the version of the repository itself is one
// cross/deb accepts.
func TestVersionOfThisTree(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("not a git work tree")
	}
	r := Run(t, "cross/version", time.Minute, exec.Command(filepath.Join(root, "cross", "version")))
	if r.Code != 0 && strings.Contains(r.Stderr, "shallow") {
		t.Skip("a shallow clone: " + r.Stderr)
	}
	if v := strings.TrimSpace(r.Stdout); r.Code != 0 || !regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*$`).MatchString(v) {
		t.Errorf("cross/version: exit %d, %q %q", r.Code, v, r.Stderr)
	}
}
