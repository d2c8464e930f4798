package stats

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The spreadsheet is written by hand rather than with a library: one sheet
// of text and numbers is a handful of XML parts (ECMA-376 Part 1,
// SpreadsheetML), while github.com/xuri/excelize/v2 would bring a dozen
// modules (and their updates) into the firmware for it. The package is
// the minimal one Excel, LibreOffice and openpyxl open: [Content_Types].xml,
// the package relationships, the workbook and its relationships, a style
// sheet (bold headers) and the worksheet with inline strings (§18.3.1.53
// <is>; no shared-string table needed). The tests read it back with
// archive/zip and encoding/xml, and with openpyxl where it is installed.

// Cell is one spreadsheet cell: a number (when IsNumber) or text.
type Cell struct {
	Text     string
	Number   float64
	IsNumber bool
	Bold     bool
}

// Text is a text cell.
func Text(s string) Cell { return Cell{Text: s} }

// Num is a number cell.
func Num(v float64) Cell { return Cell{Number: v, IsNumber: true} }

// Bold is a bold text cell.
func Bold(s string) Cell { return Cell{Text: s, Bold: true} }

const (
	maxRows = 1_048_576 // Excel's limit (§18.3.1.73 r)
	maxCols = 16_384
)

// WriteXLSX writes rows as the one sheet of an XLSX workbook named sheet
// (at most 31 characters, no []:*?/\ as Excel requires).
func WriteXLSX(w io.Writer, sheet string, rows [][]Cell, created time.Time) error {
	if len(rows) > maxRows {
		return fmt.Errorf("stats: xlsx: %d rows (at most %d)", len(rows), maxRows)
	}
	sheet = sheetName(sheet)
	z := zip.NewWriter(w)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"docProps/core.xml", fmt.Sprintf(coreProps, created.UTC().Format(time.RFC3339))},
		{"xl/workbook.xml", fmt.Sprintf(workbook, escape(sheet))},
		{"xl/_rels/workbook.xml.rels", workbookRels},
		{"xl/styles.xml", styles},
	}
	for _, p := range parts {
		if err := writePart(z, p.name, p.body, created); err != nil {
			return err
		}
	}
	ws, err := sheetXML(rows)
	if err != nil {
		return err
	}
	if err := writePart(z, "xl/worksheets/sheet1.xml", ws, created); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("stats: xlsx: %w", err)
	}
	return nil
}

func writePart(z *zip.Writer, name, body string, mod time.Time) error {
	f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mod})
	if err != nil {
		return fmt.Errorf("stats: xlsx: %s: %w", name, err)
	}
	if _, err := io.WriteString(f, body); err != nil {
		return fmt.Errorf("stats: xlsx: %s: %w", name, err)
	}
	return nil
}

func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}

// column is the A1 letters of a 0-based column.
func column(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append([]byte{byte('A' + (i-1)%26)}, b...)
	}
	return string(b)
}

func sheetXML(rows [][]Cell) (string, error) {
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for i, row := range rows {
		if len(row) > maxCols {
			return "", fmt.Errorf("stats: xlsx: row %d has %d cells (at most %d)", i+1, len(row), maxCols)
		}
		fmt.Fprintf(&b, `<row r="%d">`, i+1)
		for j, c := range row {
			ref := column(j) + strconv.Itoa(i+1)
			style := ""
			if c.Bold {
				style = ` s="1"`
			}
			if c.IsNumber {
				fmt.Fprintf(&b, `<c r="%s"%s><v>%s</v></c>`, ref, style, strconv.FormatFloat(c.Number, 'f', -1, 64))
				continue
			}
			fmt.Fprintf(&b, `<c r="%s" t="inlineStr"%s><is><t xml:space="preserve">%s</t></is></c>`, ref, style, escape(c.Text))
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.String(), nil
}

// escape makes s XML character data, dropping the characters XML 1.0
// cannot carry (§2.2).
func escape(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
			return r
		}
		return -1
	}, s)
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

const contentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
	`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
	`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const rootRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

const coreProps = xml.Header + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
	`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
	`<dc:creator>kiosk06</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created></cp:coreProperties>`

const workbook = xml.Header + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
	`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
	`<sheets><sheet name="%s" sheetId="1" r:id="rId1"/></sheets></workbook>`

const workbookRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`</Relationships>`

// styles: cellXfs 0 normal, 1 bold (fontId 1).
const styles = xml.Header + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`</styleSheet>`
