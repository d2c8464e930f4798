// Package i18n owns the kiosk's user-facing text: one flat JSON catalogue
// per language under locales/ (vi is the default and the reference, en the
// alternative), placeholder substitution, and locale-aware money and date
// formatting (Vietnamese: "150.000 ₫", "22/11/2026").
//
// Every string a screen shows comes from here; a missing key renders as
// "[key]" so it is visible in screenshots, and the tests check both
// catalogues carry the same keys and placeholders and that every key used
// in ui/ source exists. It imports only the standard library; it must NOT
// import Fyne, drivers or firmware packages.
package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Lang is a catalogue language, an ISO 639-1 code.
type Lang string

// The kiosk's languages.
const (
	Vietnamese Lang = "vi" // default
	English    Lang = "en"
)

// Languages lists the supported languages, default first.
func Languages() []Lang { return []Lang{Vietnamese, English} }

// ErrUnknownLang is returned by Load for a language without a catalogue.
var ErrUnknownLang = errors.New("i18n: unknown language")

//go:embed locales/*.json
var locales embed.FS

// Catalog is one language's strings. It is immutable and safe for
// concurrent use.
type Catalog struct {
	lang Lang
	msgs map[string]string
}

// Load parses the catalogue for lang.
func Load(lang Lang) (*Catalog, error) {
	raw, err := locales.ReadFile("locales/" + string(lang) + ".json")
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownLang, lang)
	}
	msgs := map[string]string{}
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return nil, fmt.Errorf("i18n: %s.json: %w", lang, err)
	}
	return &Catalog{lang: lang, msgs: msgs}, nil
}

// Lang is the catalogue's language.
func (c *Catalog) Lang() Lang { return c.lang }

// Has reports whether key exists.
func (c *Catalog) Has(key string) bool { _, ok := c.msgs[key]; return ok }

// Keys returns every key (unordered).
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.msgs))
	for k := range c.msgs {
		keys = append(keys, k)
	}
	return keys
}

// T returns the text for key with {name} placeholders replaced from args,
// given as name, value pairs: T("pay.amount", "amount", "150.000 ₫").
// A missing key returns "[key]".
func (c *Catalog) T(key string, args ...string) string {
	s, ok := c.msgs[key]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Placeholders returns the {name} placeholders in key's text, in order.
func (c *Catalog) Placeholders(key string) []string {
	var names []string
	s := c.msgs[key]
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return names
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return names
		}
		names = append(names, s[i+1:i+j])
		s = s[i+j+1:]
	}
}

// Money formats an amount of Vietnamese đồng: "150.000 ₫" in Vietnamese
// (dot thousands separator, TCVN), "150,000 VND" in English.
func (c *Catalog) Money(vnd int64) string {
	sep, unit := ".", " ₫"
	if c.lang == English {
		sep, unit = ",", " VND"
	}
	return groupDigits(vnd, sep) + unit
}

// Date formats a calendar date: dd/mm/yyyy in both languages (as printed on
// the CCCD and the BHYT card).
func (c *Catalog) Date(t time.Time) string { return t.Format("02/01/2006") }

// Clock formats a remaining duration as m:ss (negative durations as 0:00).
func (c *Catalog) Clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64((d + time.Second - 1) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func groupDigits(n int64, sep string) string {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	s := strconv.FormatUint(u, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}
