package transit

import "github.com/kiosk06/kiosk/firmware/store"

// The real store satisfies the validator's Store; GPIOFeedback is a Feedback.
var (
	_ Store    = (*store.Store)(nil)
	_ Feedback = (*GPIOFeedback)(nil)
)
