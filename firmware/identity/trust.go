package identity

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
)

// LoadTrust loads the CSCA trust folder dir (pa.LoadTrustStore) and logs
// what it holds: one warning per certificate or file left out, with the
// reason, and a summary of the anchors per country. Certificate subjects
// name state authorities, not people, so they may be logged. The error is
// only for a folder that cannot be listed; a folder whose every file is
// bad gives an empty store, and the kiosk then says "unverified".
func LoadTrust(dir string, log *slog.Logger) (*pa.TrustStore, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ts, err := pa.LoadTrustStore(dir)
	if err != nil {
		return nil, fmt.Errorf("identity: trust folder: %w", err)
	}
	for _, s := range ts.Skipped() {
		log.Warn("trust anchor skipped", "file", s.File, "index", s.Index, "subject", s.Subject,
			"reason", string(s.Reason), "detail", s.Detail)
	}
	for _, f := range ts.Files() {
		for _, w := range f.Warnings {
			log.Warn("trust file accepted with a warning", "file", f.Name, "warning", w)
		}
		if f.Kind == "master list" && f.Error == "" && !f.SignerChained {
			log.Warn("master list signer does not chain to a CSCA in the list", "file", f.Name, "signer", f.Signer)
		}
	}
	log.Info("trust anchors loaded", "dir", dir, "anchors", ts.Len(), "skipped", len(ts.Skipped()),
		"files", len(ts.Files()), "countries", countrySummary(ts.ByCountry()))
	return ts, nil
}

// countrySummary renders {"VN": 2, "DE": 1} as "DE:1 VN:2".
func countrySummary(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		name := k
		if name == "" {
			name = "?"
		}
		parts = append(parts, fmt.Sprintf("%s:%d", name, m[k]))
	}
	return strings.Join(parts, " ")
}
