package crosstest

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// udevToken is one KEY[{attr}] OP "value" of a rule (udev(7) "Rules files").
var udevToken = regexp.MustCompile(`^\s*([A-Z_]+)(\{[A-Za-z0-9_]+\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)`)

// udevRule is one parsed rule line.
type udevRule struct {
	line int
	keys map[string]string // KEY or KEY{attr} → value (last wins)
}

// parseRules parses a rules file strictly: every non-comment line must be a
// comma-separated list of well-formed tokens.
func parseRules(t *testing.T, text string) []udevRule {
	t.Helper()
	var rules []udevRule
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := udevRule{line: i + 1, keys: map[string]string{}}
		for rest := line; rest != ""; {
			m := udevToken.FindStringSubmatchIndex(rest)
			if m == nil {
				t.Fatalf("70-kiosk06.rules:%d: cannot parse %q", i+1, rest)
			}
			g := func(n int) string {
				if m[2*n] < 0 {
					return ""
				}
				return rest[m[2*n]:m[2*n+1]]
			}
			r.keys[g(1)+g(2)+g(3)] = g(4)
			rest = strings.TrimSpace(rest[m[1]:])
		}
		rules = append(rules, r)
	}
	return rules
}

// TestUdevRules checks the stable names: each name is given, each common
// USB-UART bridge (CH340, CP210x, FTDI, PL2303) is matched, every named node
// is kiosk06's with mode 0660 and hidden from ModemManager, and every GOTO
// has its LABEL. `udevadm verify` (systemd ≥ 253) runs when available.
func TestUdevRules(t *testing.T) {
	path := filepath.Join(RepoRoot(t), "cross", "udev", "70-kiosk06.rules")
	text := ReadFile(t, path)
	rules := parseRules(t, text)

	names := map[string]bool{}
	chips := map[string]bool{}
	labels, gotos := map[string]bool{}, map[string]bool{}
	for _, r := range rules {
		if v, ok := r.keys["LABEL="]; ok {
			labels[v] = true
		}
		if v, ok := r.keys["GOTO="]; ok {
			gotos[v] = true
		}
		link, ok := r.keys["SYMLINK+="]
		if !ok {
			continue
		}
		names[link] = true
		if r.keys["GROUP="] != "kiosk06" || r.keys["MODE="] != "0660" || r.keys["ENV{ID_MM_DEVICE_IGNORE}="] != "1" {
			t.Errorf("line %d (%s): want GROUP=\"kiosk06\", MODE=\"0660\", ENV{ID_MM_DEVICE_IGNORE}=\"1\"", r.line, link)
		}
		vid := r.keys["ATTRS{idVendor}=="]
		if !regexp.MustCompile(`^[0-9a-f]{4}$`).MatchString(vid) {
			t.Errorf("line %d: idVendor %q, want 4 lower-case hex digits", r.line, vid)
		}
		if pid, ok := r.keys["ATTRS{idProduct}=="]; ok {
			chips[vid+":"+pid] = true
		}
	}
	for _, want := range []string{"kiosk-nfc", "kiosk-printer", "kiosk-fingerprint", "kiosk-scanner"} {
		if !names[want] {
			t.Errorf("no rule gives /dev/%s", want)
		}
	}
	for chip, want := range map[string]string{
		"1a86:7523": "CH340", "10c4:ea60": "CP210x", "0403:6001": "FTDI FT232R", "067b:2303": "PL2303",
	} {
		if !chips[chip] {
			t.Errorf("no rule matches %s (%s)", want, chip)
		}
	}
	for g := range gotos {
		if !labels[g] {
			t.Errorf("GOTO=%q has no LABEL", g)
		}
	}

	udevadm, err := exec.LookPath("udevadm")
	if err != nil {
		t.Log("udevadm not installed: skipping `udevadm verify`")
		return
	}
	if b, _ := exec.Command(udevadm, "--help").CombinedOutput(); !strings.Contains(string(b), "verify") {
		t.Log("this udevadm has no `verify` (systemd < 253): the parse above is the check")
		return
	}
	if b, err := exec.Command(udevadm, "verify", path).CombinedOutput(); err != nil {
		t.Errorf("udevadm verify: %v\n%s", err, b)
	}
}
