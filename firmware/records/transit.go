package records

// KindTransitTap is the record kind of the bus validator's decisions.
const KindTransitTap = "transit.tap"

// TransitTap is the payload of transit.tap: no personal data, the rider
// appears only as the keyed citizen token.
type TransitTap struct {
	Token     string `json:"token,omitempty"`      // the keyed citizen token (hex); none when unusable
	TokenKind string `json:"token_kind,omitempty"` // how it was presented: cccd_qr, cccd_chip, uid, vneid
	Verdict   string `json:"verdict"`              // accept or deny
	// accept: fare, pass, ticket, concession, repeat; deny: deny_list,
	// ticket_used, risk_taps, risk_value, needs_online, unusable,
	// tariff_error
	Reason      string `json:"reason"`
	Fare        int64  `json:"fare"`              // VND charged (0 for a pass, a repeat or a denial)
	Line        string `json:"line,omitempty"`    // the tariff line, "bus.concession.elderly60"
	Route       string `json:"route"`             // the bus route
	Vehicle     string `json:"vehicle,omitempty"` // the vehicle's id ([transit] vehicle)
	Day         string `json:"day"`               // the local service day, 2006-01-02; forward-only: a clock stepped back keeps the latest day
	DenyVersion uint64 `json:"deny_version"`      // the deny list's version the decision used
	PassVersion uint64 `json:"pass_version"`      // the pass list's version the decision used
	// Ticket is the single-ride ticket this tap used (reason ticket), or
	// the used one it was refused for (ticket_used).
	Ticket string `json:"ticket,omitempty"`
}

// RecordKind implements Payload.
func (TransitTap) RecordKind() string { return KindTransitTap }
