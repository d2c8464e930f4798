package emrtd_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/nfc"
)

// script is a card that answers a fixed command/response list in order.
type script struct {
	t     *testing.T
	steps []struct{ cmd, resp string }
	i     int
}

func (s *script) Transmit(_ context.Context, apdu []byte) ([]byte, error) {
	if s.i >= len(s.steps) {
		s.t.Fatalf("unexpected APDU %X", apdu)
	}
	st := s.steps[s.i]
	s.i++
	if !bytes.Equal(apdu, h(s.t, st.cmd)) {
		s.t.Errorf("APDU %d = %X, want %s", s.i, apdu, st.cmd)
	}
	if st.resp == "" {
		return nil, nfc.ErrCardRemoved
	}
	return h(s.t, st.resp), nil
}

func (s *script) Info() nfc.CardInfo                { return nfc.CardInfo{} }
func (s *script) Release(ctx context.Context) error { return nil }

var errStatus = errors.New("status 6B00")

// The exact READ BINARY sequence for Le adaptation (ISO/IEC 7816-4
// §5.6: 6Cxx gives the right Le, 6700 means wrong length) and 6282.
func TestReadFileAPDUs(t *testing.T) {
	file := "6006 5F0102 303132" // 8 bytes
	for _, tc := range []struct {
		name  string
		maxLe int
		steps []struct{ cmd, resp string }
		want  string
		err   error
	}{
		{"one chunk, end of file", 223, []struct{ cmd, resp string }{
			{"00A4020C02011E", "9000"},
			{"00B00000DF", file + "6282"},
		}, file, nil},
		{"6Cxx", 223, []struct{ cmd, resp string }{
			{"00A4020C02011E", "9000"},
			{"00B00000DF", "6C08"},
			{"00B0000008", file + "9000"},
		}, file, nil},
		{"6700 halves Le", 16, []struct{ cmd, resp string }{
			{"00A4020C02011E", "9000"},
			{"00B0000010", "6700"},
			{"00B0000008", file + "9000"},
		}, file, nil},
		{"chunks", 3, []struct{ cmd, resp string }{
			{"00A4020C02011E", "9000"},
			{"00B0000003", "60065F9000"},
			{"00B0000303", "0102309000"},
			{"00B0000602", "31329000"},
		}, file, nil},
		{"not found", 223, []struct{ cmd, resp string }{{"00A4020C02011E", "6A82"}}, "", emrtd.ErrFileNotFound},
		{"removed", 223, []struct{ cmd, resp string }{{"00A4020C02011E", "9000"}, {"00B00000DF", ""}}, "", nfc.ErrCardRemoved},
		{"file shorter than its header says", 223, []struct{ cmd, resp string }{
			{"00A4020C02011E", "9000"},
			{"00B00000DF", "60209000"},
			{"00B0000220", "6B00"},
		}, "", errStatus},
		{"bad length form", 223, []struct{ cmd, resp string }{{"00A4020C02011E", "9000"}, {"00B00000DF", "6085000000000000009000"}}, "", emrtd.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			card := &script{t: t, steps: tc.steps}
			s := emrtd.NewPlainSessionForTest(card, tc.maxLe)
			got, err := s.ReadFile(context.Background(), emrtd.FileCOM, nil)
			var se *emrtd.StatusError
			if tc.err == errStatus && errors.As(err, &se) && se.SW == 0x6B00 {
				err = errStatus
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if tc.err == nil && hx(got) != hx(h(t, tc.want)) {
				t.Errorf("file = %X, want %s", got, tc.want)
			}
			if card.i != len(tc.steps) {
				t.Errorf("%d of %d APDUs sent", card.i, len(tc.steps))
			}
		})
	}
}
