package escpossim

import (
	"fmt"

	"github.com/kiosk06/kiosk/drivers/escpos"
)

// code128Patterns are the bar/space widths of symbol values 0..106
// (ISO/IEC 15417 table 1); 103..105 are Start A/B/C, 106 is Stop.
var code128Patterns = [107]string{
	"212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
	"221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
	"221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
	"231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
	"231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
	"112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
	"111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
	"114131", "311141", "411131", "211412", "211214", "211232", "2331112",
}

// barcode handles GS k m: format A (m 0..6, NUL-terminated) is skipped,
// format B (m 65..79, length byte) is read; CODE128 (m 73) is drawn.
func (in *interp) barcode() error {
	m, err := in.next()
	if err != nil {
		return err
	}
	if m <= 6 {
		for i := 0; i < 256; i++ {
			c, err := in.next()
			if err != nil || c == 0 {
				return err
			}
		}
		return fmt.Errorf("escpossim: GS k %d data not terminated", m)
	}
	n, err := in.next()
	if err != nil {
		return err
	}
	data, err := in.read(int(n))
	if err != nil {
		return err
	}
	if m != 73 {
		return fmt.Errorf("escpossim: GS k %d unsupported", m)
	}
	values, err := code128Values(data)
	if err != nil {
		return err
	}
	in.printLine(false)
	in.place(in.drawBars(values))
	return nil
}

// code128Values turns GS k 73 data ("{B…", with {A {B {C code set changes,
// {S shift, {1..{4 FNC codes, {{ a literal brace) into symbol values with
// start, check and stop symbols.
func code128Values(d []byte) ([]int, error) {
	if len(d) < 2 || d[0] != '{' || d[1] < 'A' || d[1] > 'C' {
		return nil, fmt.Errorf("escpossim: CODE128 data must start with {A, {B or {C")
	}
	set := d[1]
	vals := []int{103 + int(set-'A')}
	for i := 2; i < len(d); i++ {
		c := d[i]
		if c == '{' {
			if i+1 >= len(d) {
				return nil, fmt.Errorf("escpossim: CODE128 data ends after '{'")
			}
			i++
			v, next, err := code128Escape(set, d[i])
			if err != nil {
				return nil, err
			}
			if v >= 0 {
				vals = append(vals, v)
			}
			set = next
			continue
		}
		v, err := code128Char(set, c)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	sum := vals[0]
	for i, v := range vals[1:] {
		sum += v * (i + 1)
	}
	return append(vals, sum%103, 106), nil
}

func code128Escape(set, c byte) (v int, next byte, err error) {
	switch c {
	case 'A', 'B', 'C':
		code := map[byte]int{'A': 101, 'B': 100, 'C': 99}[c]
		if set == 'A' && c == 'B' {
			code = 100
		}
		if set == 'B' && c == 'A' {
			code = 101
		}
		return code, c, nil
	case 'S':
		return 98, set, nil
	case '1':
		return 102, set, nil
	case '2':
		return 97, set, nil
	case '3':
		return 96, set, nil
	case '4':
		return map[byte]int{'A': 101, 'B': 100}[set], set, nil
	case '{':
		v, err := code128Char(set, '{')
		return v, set, err
	}
	return 0, set, fmt.Errorf("escpossim: CODE128 escape {%c unknown", c)
}

func code128Char(set, c byte) (int, error) {
	switch {
	case set == 'C' && c <= 99:
		return int(c), nil
	case set == 'B' && c >= 0x20 && c <= 0x7F:
		return int(c) - 32, nil
	case set == 'A' && c < 0x20:
		return int(c) + 64, nil
	case set == 'A' && c >= 0x20 && c <= 0x5F:
		return int(c) - 32, nil
	}
	return 0, fmt.Errorf("escpossim: CODE128 byte %#02x invalid in code set %c", c, set)
}

// drawBars renders symbols at the GS w module width and GS h height.
func (in *interp) drawBars(values []int) *escpos.Bitmap {
	mod, h := in.modes.barModule, in.modes.barHeight
	modules := 0
	for _, v := range values {
		for _, w := range code128Patterns[v] {
			modules += int(w - '0')
		}
	}
	for modules*mod > in.width && mod > 1 {
		mod--
	}
	bm := escpos.NewBitmap(min(modules*mod, in.width), h)
	x := 0
	for _, v := range values {
		for i, w := range code128Patterns[v] {
			n := int(w-'0') * mod
			if i%2 == 0 {
				fillRect(bm, x, 0, n, h)
			}
			x += n
		}
	}
	return bm
}
