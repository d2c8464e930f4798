// Package catalog owns the one-stop kiosk's offline catalogue of
// administrative procedures (thủ tục hành chính, TTHC): the procedures a
// citizen can register for at this office, each with its topic (lĩnh
// vực), agency (cơ quan thực hiện), counter, fees, processing time, the
// fields of its form and how often it was used; search over them with and
// without diacritics ("dang ky thuong tru" finds "Đăng ký thường trú"), by
// topic and by agency, most used first; and the cache file that keeps the
// last catalogue synced from the one-stop system so the kiosk searches
// offline.
//
// A Catalogue is immutable once built (New checks it and builds the search
// index); a sync replaces it whole.
//
// It imports only the standard library: no flow, no store, no network (the
// one-stop system's client is firmware/onestop/backend).
package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds on a catalogue (hostile or broken input from the sync).
const (
	MaxProcedures = 5000
	MaxFields     = 60
	MaxOptions    = 100
	maxText       = 512
	maxCode       = 64
)

// ErrInvalid is returned for a catalogue that breaks the rules of New.
var ErrInvalid = errors.New("catalog: invalid catalogue")

// Source says where a form field's value comes from.
type Source string

// Field sources.
const (
	// SourceCitizen: typed (or chosen) by the citizen on the kiosk.
	SourceCitizen Source = ""
	// SourceCard: read from the CCCD (or the population database through
	// the provincial app): filled in, shown as such, never asked for
	// (seed 002 MH3: "không yêu cầu khai báo lại các thông tin đã có trong
	// CSDLQG về DC").
	SourceCard Source = "card"
)

// CardField names a value the card gives; a field with SourceCard names
// one in Field.Card.
type CardField string

// The card's values (DG13 of the CCCD chip; the population database's
// answer for a provincial-app sign-in).
const (
	CardName        CardField = "name"
	CardID          CardField = "id_number"
	CardOldID       CardField = "old_id"
	CardDOB         CardField = "dob"
	CardSex         CardField = "sex"
	CardNationality CardField = "nationality"
	CardEthnicity   CardField = "ethnicity"
	CardReligion    CardField = "religion"
	CardHometown    CardField = "hometown"
	CardResidence   CardField = "residence"
	CardIssueDate   CardField = "issue_date"
	CardFather      CardField = "father"
	CardMother      CardField = "mother"
	CardSpouse      CardField = "spouse"
)

// CardFields lists every CardField.
var CardFields = []CardField{CardName, CardID, CardOldID, CardDOB, CardSex, CardNationality, CardEthnicity,
	CardReligion, CardHometown, CardResidence, CardIssueDate, CardFather, CardMother, CardSpouse}

// FieldKind is how a field is typed.
type FieldKind string

// Field kinds.
const (
	KindText   FieldKind = "text"   // the Vietnamese keyboard (Telex/VNI)
	KindNumber FieldKind = "number" // digits only (numeric keypad)
	KindPhone  FieldKind = "phone"  // a Vietnamese phone number
	KindDate   FieldKind = "date"   // DD/MM/YYYY
	KindChoice FieldKind = "choice" // one of Options
)

// Field is one field of a procedure's form (tờ khai).
type Field struct {
	Key      string    `json:"key"`   // stable key the one-stop system knows ("ly_do")
	Label    string    `json:"label"` // Vietnamese label
	Kind     FieldKind `json:"kind"`
	Required bool      `json:"required,omitempty"`
	Source   Source    `json:"source,omitempty"`
	Card     CardField `json:"card,omitempty"`    // SourceCard: which value
	Options  []string  `json:"options,omitempty"` // KindChoice
	Max      int       `json:"max,omitempty"`     // characters (0: 200)
}

// MaxLen is the field's length bound.
func (f Field) MaxLen() int {
	if f.Max > 0 {
		return f.Max
	}
	return 200
}

// Procedure is one administrative procedure offered at the office.
type Procedure struct {
	Code   string `json:"code"`   // the one-stop system's code
	Name   string `json:"name"`   // "Đăng ký thường trú"
	Topic  string `json:"topic"`  // lĩnh vực: "Đăng ký, quản lý cư trú"
	Agency string `json:"agency"` // cơ quan thực hiện: "Công an tỉnh"
	// Counter is the queue service (one letter) whose counters take this
	// procedure's dossiers.
	Counter string `json:"counter"`
	Fee     int64  `json:"fee"`                // lệ phí / phí, whole đồng (0: free)
	FeeNote string `json:"fee_note,omitempty"` // "Miễn lệ phí với …"
	// Days is the processing time in working days (thời hạn giải quyết):
	// the appointment date is this many working days after receipt.
	Days int `json:"days"`
	// Uses is how many dossiers of this procedure the office received in
	// the last period (the ranking of search results).
	Uses   int     `json:"uses"`
	Fields []Field `json:"fields"`
}

// Catalogue is a checked, indexed set of procedures. Immutable.
type Catalogue struct {
	version  string
	syncedAt time.Time
	procs    []Procedure // by Uses, then name
	index    []entry     // parallel to procs
	byCode   map[string]int
}

type entry struct {
	folded string // Fold(name + " " + code)
	exact  string // lowerWords(name)
	topic  string // Fold(topic)
	agency string // Fold(agency)
}

// New checks ps and builds a Catalogue of version (the one-stop system's
// catalogue version), synced at syncedAt.
func New(version string, syncedAt time.Time, ps []Procedure) (*Catalogue, error) {
	if len(ps) > MaxProcedures {
		return nil, fmt.Errorf("%w: %d procedures (at most %d)", ErrInvalid, len(ps), MaxProcedures)
	}
	if !okText(version, maxCode) {
		return nil, fmt.Errorf("%w: version %q", ErrInvalid, version)
	}
	c := &Catalogue{version: version, syncedAt: syncedAt, byCode: make(map[string]int, len(ps))}
	procs := make([]Procedure, len(ps))
	for i, p := range ps {
		if err := checkProcedure(p); err != nil {
			return nil, fmt.Errorf("%w: procedure %d (%q): %w", ErrInvalid, i, p.Code, err)
		}
		procs[i] = clone(p)
	}
	slices.SortStableFunc(procs, func(a, b Procedure) int {
		if a.Uses != b.Uses {
			return b.Uses - a.Uses
		}
		return strings.Compare(Fold(a.Name), Fold(b.Name))
	})
	for i, p := range procs {
		if _, dup := c.byCode[p.Code]; dup {
			return nil, fmt.Errorf("%w: procedure code %q twice", ErrInvalid, p.Code)
		}
		c.byCode[p.Code] = i
		c.index = append(c.index, entry{folded: Fold(p.Name + " " + p.Code), exact: lowerWords(p.Name), topic: Fold(p.Topic), agency: Fold(p.Agency)})
	}
	c.procs = procs
	return c, nil
}

func clone(p Procedure) Procedure {
	p.Fields = slices.Clone(p.Fields)
	for i := range p.Fields {
		p.Fields[i].Options = slices.Clone(p.Fields[i].Options)
	}
	return p
}

func okText(s string, n int) bool {
	return s != "" && len(s) <= n && utf8.ValidString(s) && !strings.ContainsAny(s, "\x00\n\r")
}

func checkProcedure(p Procedure) error {
	switch {
	case !okText(p.Code, maxCode):
		return errors.New("code missing or malformed")
	case !okText(p.Name, maxText) || !okText(p.Topic, maxText) || !okText(p.Agency, maxText):
		return errors.New("name, topic and agency are required")
	case len(p.Counter) != 1 || p.Counter[0] < 'A' || p.Counter[0] > 'Z':
		return errors.New("counter must be one queue service letter A–Z")
	case p.Fee < 0 || p.Fee > 1_000_000_000 || len(p.FeeNote) > maxText:
		return errors.New("fee out of range")
	case p.Days < 0 || p.Days > 365 || p.Uses < 0:
		return errors.New("days or uses out of range")
	case len(p.Fields) > MaxFields:
		return fmt.Errorf("%d fields (at most %d)", len(p.Fields), MaxFields)
	}
	keys := map[string]bool{}
	for _, f := range p.Fields {
		if err := checkField(f); err != nil {
			return fmt.Errorf("field %q: %w", f.Key, err)
		}
		if keys[f.Key] {
			return fmt.Errorf("field %q twice", f.Key)
		}
		keys[f.Key] = true
	}
	return nil
}

func checkField(f Field) error {
	switch {
	case !okText(f.Key, maxCode) || !okText(f.Label, maxText):
		return errors.New("key and label are required")
	case f.Max < 0 || f.Max > 2000:
		return errors.New("max out of range")
	case f.Source != SourceCitizen && f.Source != SourceCard:
		return fmt.Errorf("unknown source %q", f.Source)
	case f.Source == SourceCard && !slices.Contains(CardFields, f.Card):
		return fmt.Errorf("unknown card value %q", f.Card)
	case f.Source != SourceCard && f.Card != "":
		return errors.New("card value on a field the citizen types")
	case len(f.Options) > MaxOptions:
		return errors.New("too many options")
	}
	switch f.Kind {
	case KindText, KindNumber, KindPhone, KindDate:
	case KindChoice:
		if len(f.Options) == 0 {
			return errors.New("a choice without options")
		}
		for _, o := range f.Options {
			if !okText(o, maxText) {
				return errors.New("an empty or malformed option")
			}
		}
	default:
		return fmt.Errorf("unknown kind %q", f.Kind)
	}
	return nil
}

// Version is the one-stop system's version of this catalogue.
func (c *Catalogue) Version() string { return c.version }

// SyncedAt is when it was fetched.
func (c *Catalogue) SyncedAt() time.Time { return c.syncedAt }

// Len is the number of procedures.
func (c *Catalogue) Len() int { return len(c.procs) }

// Procedures returns every procedure, most used first (copies).
func (c *Catalogue) Procedures() []Procedure {
	out := make([]Procedure, len(c.procs))
	for i, p := range c.procs {
		out[i] = clone(p)
	}
	return out
}

// Get returns the procedure with code.
func (c *Catalogue) Get(code string) (Procedure, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return Procedure{}, false
	}
	return clone(c.procs[i]), true
}

// Topics lists the topics, most used first (summed Uses).
func (c *Catalogue) Topics() []string { return c.group(func(p Procedure) string { return p.Topic }) }

// Agencies lists the agencies, most used first (summed Uses).
func (c *Catalogue) Agencies() []string { return c.group(func(p Procedure) string { return p.Agency }) }

func (c *Catalogue) group(key func(Procedure) string) []string {
	uses := map[string]int{}
	var names []string
	for _, p := range c.procs {
		k := key(p)
		if _, ok := uses[k]; !ok {
			names = append(names, k)
		}
		uses[k] += p.Uses
	}
	slices.SortStableFunc(names, func(a, b string) int { return uses[b] - uses[a] })
	return names
}

// Query is a search.
type Query struct {
	// Text is what the citizen typed, with or without diacritics; empty
	// lists everything (within Topic and Agency).
	Text string
	// Topic and Agency restrict the results to one topic or agency
	// (compared without diacritics); empty: any.
	Topic, Agency string
	// Limit bounds the results (0: 50).
	Limit int
}

// Match is how well a procedure matched.
type Match int

// Matches, best first.
const (
	MatchExact  Match = iota // the text, as spelled with its diacritics, is in the name
	MatchFolded              // the text is in the name without diacritics
	MatchWords               // every word of the text begins a word of the name (or the code)
	MatchAll                 // no text: everything in the topic/agency
)

// Hit is one search result.
type Hit struct {
	Procedure Procedure
	Match     Match
}

// maxQuery bounds the text searched (the keyboard bounds it too).
const maxQuery = 200

// Search returns the procedures matching q: best match first, then the
// most used, then by name. Every word typed must begin a word of the name
// (or be in the code); diacritics typed count for the ranking only, so
// "dang ky thuong tru", "đăng ký thường trú" and "dk thuong" all search.
func (c *Catalogue) Search(q Query) []Hit {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	text := q.Text
	if len(text) > maxQuery {
		text = text[:maxQuery]
	}
	folded, exact := Fold(text), lowerWords(text)
	words := strings.Fields(folded)
	topic, agency := Fold(q.Topic), Fold(q.Agency)
	var hits []Hit
	for i, e := range c.index {
		if topic != "" && e.topic != topic || agency != "" && e.agency != agency {
			continue
		}
		m, ok := match(e, folded, exact, words)
		if ok {
			hits = append(hits, Hit{Procedure: c.procs[i], Match: m})
		}
	}
	// procs are already by Uses then name: a stable sort by Match keeps that.
	slices.SortStableFunc(hits, func(a, b Hit) int { return int(a.Match) - int(b.Match) })
	if len(hits) > limit {
		hits = hits[:limit]
	}
	for i := range hits {
		hits[i].Procedure = clone(hits[i].Procedure)
	}
	return hits
}

func match(e entry, folded, exact string, words []string) (Match, bool) {
	if len(words) == 0 {
		return MatchAll, true
	}
	switch {
	case exact != "" && containsWords(e.exact, exact):
		return MatchExact, true
	case containsWords(e.folded, folded):
		return MatchFolded, true
	}
	name := strings.Fields(e.folded)
	for _, w := range words {
		if !slices.ContainsFunc(name, func(n string) bool { return strings.HasPrefix(n, w) }) {
			return 0, false
		}
	}
	return MatchWords, true
}

// containsWords reports whether phrase occurs in s starting at a word
// boundary (both are space-separated words).
func containsWords(s, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], phrase)
		if j < 0 {
			return false
		}
		if i+j == 0 || s[i+j-1] == ' ' {
			return true
		}
		i += j + 1
	}
}
