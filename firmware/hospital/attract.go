package hospital

import "time"

// The attract loop (issue 20): while the kiosk is idle on the welcome
// screen it shows, one step at a time, how to use it — where the card
// goes, where its QR code is, and what happens next — cycling every
// Config.AttractStep. The flow owns the loop (which step shows, and whether
// this round is said aloud) so the voice, which follows the flow's states,
// speaks it the same with or without a display. A round is said aloud at
// most once every Config.AttractVoiceEvery (0: never), so the staff around
// an idle kiosk are not told the same thing all day; otherwise the
// pictures cycle silently. A touch (IntentStart from the screen) or a card
// or QR ends the loop at once: the flow leaves the welcome screen. The
// steps' pictures are the screen's (ui/hospitalui), keyed by
// AttractStep.Picture.

// Attract is the welcome screen's loop of steps.
type Attract struct {
	// Steps are all the loop's steps, in order (the screen draws where
	// in the loop it is).
	Steps []AttractStep `json:"steps"`
	// Step is the index in Steps showing now.
	Step int `json:"step"`
	// Round counts the loops since the welcome screen appeared (0 first).
	Round int `json:"round"`
	// Voiced is set when this round is said aloud: each step's caption as
	// it shows.
	Voiced bool `json:"voiced,omitempty"`
}

// AttractStep is one step of the loop: a picture and one short line.
type AttractStep struct {
	// Picture names the picture the screen draws: one of the Picture*
	// constants.
	Picture string `json:"picture"`
	// Caption is the line under it (and what the voice says).
	Caption Text `json:"caption"`
}

// The attract loop's pictures.
const (
	PictureCard      = "card"      // the card laid on the reader under the screen
	PictureQR        = "qr"        // the QR code on the card's front, under the scanner
	PictureInsurance = "insurance" // the BHYT check, no paper card
	PictureClinic    = "clinic"    // a clinic chosen on the screen
	PictureTicket    = "ticket"    // the numbered ticket from the printer
	PicturePay       = "pay"       // a banking app scanning the VietQR code
)

// attractModel is the loop's state, owned by the Run goroutine.
type attractModel struct {
	step, round int
	voiced      bool
	// lastVoiced is when a round was last said aloud (zero: never).
	lastVoiced time.Time
}

// attractSteps are the loop's steps; paying by VietQR only with
// pre-payment.
func (f *Flow) attractSteps() []AttractStep {
	steps := []AttractStep{
		{PictureCard, msg("attract.card")},
		{PictureQR, msg("attract.qr")},
		{PictureInsurance, msg("attract.insurance")},
		{PictureClinic, msg("attract.clinic")},
		{PictureTicket, msg("attract.ticket")},
	}
	if f.cfg.Prepayment {
		steps = append(steps, AttractStep{PicturePay, msg("attract.pay")})
	}
	return steps
}

// startAttract begins the loop on the welcome screen (the first round).
func (f *Flow) startAttract() {
	f.m.attract.step, f.m.attract.round = 0, 0
	f.attractRound()
}

// attractRound starts a round: said aloud when AttractVoiceEvery has
// passed since the last one that was.
func (f *Flow) attractRound() {
	a := &f.m.attract
	every := f.cfg.AttractVoiceEvery
	now := f.now()
	a.voiced = every > 0 && (a.lastVoiced.IsZero() || now.Sub(a.lastVoiced) >= every)
	if a.voiced {
		a.lastVoiced = now
	}
	f.m.tickC = f.deps.Clock.After(f.cfg.AttractStep)
}

// attractTick shows the next step, or starts the next round.
func (f *Flow) attractTick() {
	a := &f.m.attract
	a.step++
	if a.step < len(f.attractSteps()) {
		f.m.tickC = f.deps.Clock.After(f.cfg.AttractStep)
		return
	}
	a.step = 0
	a.round++
	f.attractRound()
}

// renderAttract is the loop as the welcome screen shows it.
func (f *Flow) renderAttract() *Attract {
	a := f.m.attract
	steps := f.attractSteps()
	return &Attract{Steps: steps, Step: min(a.step, len(steps)-1), Round: a.round, Voiced: a.voiced}
}
