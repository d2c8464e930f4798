package records

// LabelCount is how many kinds have a label (for the external tests).
func LabelCount() int { return len(labels) }
