package tariff

// FeeLine is one service line of a hospital bill as the HIS reports it
// (MoH XML-style fields: service code, name, quantity, unit price, what
// health insurance pays and what the patient pays). The HIS is the
// authority on prices; the kiosk only checks and totals.
type FeeLine struct {
	Code          string
	Name          string
	Quantity      int64
	UnitPrice     VND
	InsurancePays VND
	PatientPays   VND
}

// maxLineAmount bounds a line (10^12 đồng) so totals cannot overflow.
const maxLineAmount = 1_000_000_000_000

// HospitalBill passes the HIS fee lines through and totals what the patient
// pays. A line whose parts do not add up (quantity × unit price =
// insurance + patient) is refused rather than silently re-priced.
func HospitalBill(lines []FeeLine) (Charge, error) {
	var c Charge
	for i, l := range lines {
		if l.Quantity <= 0 || l.UnitPrice < 0 || l.InsurancePays < 0 || l.PatientPays < 0 ||
			l.UnitPrice > maxLineAmount || l.Quantity > maxLineAmount/max(1, int64(l.UnitPrice)) && l.UnitPrice > 0 {
			return Charge{}, fmtErr(ErrBadFeeLine, "line %d (%s): quantity or amount out of range", i, l.Code)
		}
		if VND(l.Quantity)*l.UnitPrice != l.InsurancePays+l.PatientPays {
			return Charge{}, fmtErr(ErrBadFeeLine, "line %d (%s): %d × %d ≠ %d + %d", i, l.Code, l.Quantity, l.UnitPrice, l.InsurancePays, l.PatientPays)
		}
		c.add("hospital."+l.Code, l.Name, l.PatientPays)
	}
	return c, nil
}

// CoPay splits a fee between health insurance, which pays percent of it
// (rounded down to the đồng), and the patient, who pays the rest. percent
// outside 0..100 is clamped.
func CoPay(fee VND, percent int) (insurance, patient VND) {
	percent = min(max(percent, 0), 100)
	if fee <= 0 {
		return 0, max(fee, 0)
	}
	insurance = fee / 100 * VND(percent)
	insurance += fee % 100 * VND(percent) / 100
	return insurance, fee - insurance
}
