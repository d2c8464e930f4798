package stats

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// WriteCSV writes rows as CSV (RFC 4180: CRLF line ends, quotes where
// needed) in UTF-8 with a byte-order mark, which Excel needs to read
// Vietnamese text as UTF-8 instead of the ANSI code page.
func WriteCSV(w io.Writer, rows [][]Cell) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("stats: csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	for _, row := range rows {
		rec := make([]string, len(row))
		for i, c := range row {
			if c.IsNumber {
				rec[i] = strconv.FormatFloat(c.Number, 'f', -1, 64)
			} else {
				rec[i] = c.Text
			}
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("stats: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("stats: csv: %w", err)
	}
	return nil
}
