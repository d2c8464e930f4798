package pa

// Hooks for the external tests of unexported parsers.
var (
	NormalizeBER    = normalizeBER
	DERViolation    = derViolation
	NamesEquivalent = namesEquivalent
)
