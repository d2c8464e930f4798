package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"time"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// FieldError is one problem in a configuration file, located by key and line.
type FieldError struct {
	File     string // file name, or "" for an in-memory document
	Line     int    // 1-based; 0 when the key is absent (a missing required key)
	Key      string // dotted key, e.g. devices.nfc.baud
	Value    string // the offending value as written, "" when absent
	Problem  string // what is wrong: "unknown key", "wrong type", "invalid value", "missing"
	Expected string // what would be accepted
}

// Error implements the error interface.
func (e FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d: ", e.Line)
	} else if e.File != "" {
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "%s: %s", e.Key, e.Problem)
	if e.Value != "" {
		fmt.Fprintf(&b, " %s", e.Value)
	}
	if e.Expected != "" {
		fmt.Fprintf(&b, "; expected %s", e.Expected)
	}
	return b.String()
}

// Errors is every problem found in one document, in line order.
type Errors []FieldError

// Error implements the error interface.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// keyLines maps each dotted key of a TOML document to the line it is written
// on, using go-toml's position-aware parser.
func keyLines(doc []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(doc)
	var prefix []string
	arrayIdx := map[string]int{}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			parts, first := keyParts(e.Key())
			prefix = parts
			key := strings.Join(parts, ".")
			if e.Kind == unstable.ArrayTable {
				prefix = append(append([]string{}, parts...), fmt.Sprint(arrayIdx[key]))
				arrayIdx[key]++
			}
			if first != nil {
				record(lines, &p, strings.Join(prefix, "."), first)
			}
		case unstable.KeyValue:
			walkKeyValue(lines, &p, prefix, e)
		}
	}
	return lines
}

func walkKeyValue(lines map[string]int, p *unstable.Parser, prefix []string, kv *unstable.Node) {
	parts, first := keyParts(kv.Key())
	full := append(append([]string{}, prefix...), parts...)
	// Record every intermediate table of a dotted key too.
	for i := len(prefix) + 1; i <= len(full); i++ {
		record(lines, p, strings.Join(full[:i], "."), first)
	}
	if v := kv.Value(); v.Kind == unstable.InlineTable {
		it := v.Children()
		for it.Next() {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				walkKeyValue(lines, p, full, c)
			}
		}
	}
}

func keyParts(it unstable.Iterator) ([]string, *unstable.Node) {
	var parts []string
	var first *unstable.Node
	for it.Next() {
		n := it.Node()
		if first == nil {
			first = n
		}
		parts = append(parts, string(n.Data))
	}
	return parts, first
}

func record(lines map[string]int, p *unstable.Parser, key string, n *unstable.Node) {
	if _, ok := lines[key]; ok || n == nil {
		return
	}
	lines[key] = p.Shape(n.Raw).Start.Line
}

// decoder fills a struct from a generic TOML tree, collecting every error.
type decoder struct {
	file  string
	lines map[string]int
	errs  Errors
}

func (d *decoder) fail(key string, value any, problem, expected string) {
	d.errs = append(d.errs, FieldError{
		File: d.file, Line: d.line(key), Key: key, Value: show(value), Problem: problem, Expected: expected,
	})
}

func (d *decoder) line(key string) int {
	for k := key; k != ""; {
		if l, ok := d.lines[k]; ok {
			return l
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

func show(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return fmt.Sprintf("%q", v)
	case map[string]any:
		return "(a table)"
	default:
		return fmt.Sprintf("%v", v)
	}
}

var durationType = reflect.TypeOf(Duration(0))

// decodeStruct fills the struct rv from tree m; key is the dotted path of m.
// extra are further tables m may hold (the profiles' sections at the root),
// decoded into their own structs.
func (d *decoder) decodeStruct(key string, m map[string]any, rv reflect.Value, extra ...map[string]Section) {
	rt := rv.Type()
	fields := map[string]int{}
	for i := 0; i < rt.NumField(); i++ {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("toml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	sections := map[string]Section{}
	for _, ex := range extra {
		for n, s := range ex {
			if _, taken := fields[n]; !taken {
				sections[n] = s
				fields[n] = -1
			}
		}
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		sub := join(key, k)
		i, ok := fields[k]
		if !ok {
			d.fail(sub, m[k], "unknown key", "one of "+strings.Join(sortedKeys(fields), ", "))
			continue
		}
		if i < 0 {
			t, isTable := m[k].(map[string]any)
			if !isTable {
				d.fail(sub, m[k], fmt.Sprintf("wrong type (%s)", tomlType(m[k])), "a table")
				continue
			}
			d.decodeStruct(sub, t, reflect.ValueOf(sections[k]).Elem())
			continue
		}
		f := rt.Field(i)
		d.decodeValue(sub, m[k], rv.Field(i), f.Tag.Get("expect"))
	}
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

func (d *decoder) decodeValue(key string, v any, fv reflect.Value, expect string) {
	wrongType := func(want string) {
		if expect == "" {
			expect = want
		}
		d.fail(key, v, fmt.Sprintf("wrong type (%s)", tomlType(v)), expect)
	}
	if fv.Type() == durationType {
		s, ok := v.(string)
		if !ok {
			wrongType(`a duration string such as "30s" or "5m"`)
			return
		}
		dur, err := time.ParseDuration(s)
		if err != nil || dur < 0 {
			d.fail(key, v, "invalid value", `a non-negative duration such as "30s", "5m" or "168h"`)
			return
		}
		fv.SetInt(int64(dur))
		return
	}
	switch fv.Kind() {
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			wrongType("a string")
			return
		}
		fv.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			wrongType("true or false")
			return
		}
		fv.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := v.(int64)
		if !ok {
			wrongType("an integer")
			return
		}
		if fv.OverflowInt(n) {
			d.fail(key, v, "invalid value", "an integer in range")
			return
		}
		fv.SetInt(n)
	case reflect.Float64:
		switch n := v.(type) {
		case float64:
			fv.SetFloat(n)
		case int64:
			fv.SetFloat(float64(n))
		default:
			wrongType("a number")
		}
		if math.IsNaN(fv.Float()) || math.IsInf(fv.Float(), 0) {
			d.fail(key, v, "invalid value", "a finite number")
		}
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			wrongType("an array")
			return
		}
		out := reflect.MakeSlice(fv.Type(), len(arr), len(arr))
		for i, e := range arr {
			d.decodeValue(fmt.Sprintf("%s[%d]", key, i), e, out.Index(i), expect)
		}
		fv.Set(out)
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			wrongType("a table")
			return
		}
		d.decodeStruct(key, m, fv)
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			wrongType("a table")
			return
		}
		if fv.IsNil() {
			fv.Set(reflect.MakeMap(fv.Type()))
		}
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			ev := reflect.New(fv.Type().Elem()).Elem()
			d.decodeValue(join(key, k), m[k], ev, expect)
			fv.SetMapIndex(reflect.ValueOf(k), ev)
		}
	default:
		d.fail(key, v, "unsupported field type", "")
	}
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time, toml.LocalDate, toml.LocalDateTime, toml.LocalTime:
		return "a date/time"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// decodeDoc parses doc into c and the profiles' sections, returning Errors.
func decodeDoc(file string, doc []byte, c *Config) (map[string]int, error) {
	var tree map[string]any
	if err := toml.Unmarshal(doc, &tree); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			return nil, Errors{{File: file, Line: row, Key: strings.Join(de.Key(), "."), Problem: "syntax error: " + de.Error(), Expected: "valid TOML"}}
		}
		return nil, Errors{{File: file, Problem: "syntax error: " + err.Error(), Expected: "valid TOML"}}
	}
	d := &decoder{file: file, lines: keyLines(doc)}
	d.decodeStruct("", tree, reflect.ValueOf(c).Elem(), c.sections)
	if len(d.errs) > 0 {
		return d.lines, d.errs
	}
	return d.lines, nil
}
