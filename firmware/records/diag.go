package records

// KindDiagTxgen is the record kind kioskd diag txgen writes by default.
const KindDiagTxgen = "diag.txgen"

// DiagTxgen is the payload of diag.txgen: a synthetic record of a
// realistic size for store and upload benchmarks and the crash soak.
type DiagTxgen struct {
	N         int    `json:"n"`          // the generator's counter
	AmountVND int64  `json:"amount_vnd"` // a made-up amount
	At        string `json:"at"`         // the generator's clock, RFC 3339
}

// RecordKind implements Payload.
func (DiagTxgen) RecordKind() string { return KindDiagTxgen }
