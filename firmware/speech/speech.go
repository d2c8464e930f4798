// Package speech owns what the kiosk says aloud: reading numbers, money,
// dates, times, ticket codes and room names the Vietnamese (or English)
// way (Normalize, Number, Money, Code …); the voice templates checked
// against the screen text they were made from (Book); prompts with typed
// parameters (Prompt, Render); the Speaker contract and its Engine, which
// schedules utterances on one loudspeaker (a new screen's guidance
// interrupts the previous one, number calls never overlap and are never
// cut, a recall repeats a call), caches synthesized audio and applies the
// night mute; and the Announcer that calls numbers with a chime.
//
// Synthesis and playback are interfaces (Synthesizer, Output): the
// espeak-ng synthesizer lives in speech/espeak, the loudspeaker in
// drivers/audio, wired by firmware/cmd/kioskd. This package imports only
// the standard library and golang.org/x/text/unicode/norm; it must NOT
// import Fyne, ui, drivers or any flow.
//
// Privacy (Decree 13/2023): nothing here may speak a person's name, ID
// number or birth date; calls name the ticket and the room only. Spoken
// text is never logged, only prompt keys.
package speech

// Lang is a spoken language, an ISO 639-1 code as in ui/i18n.
type Lang string

// The languages the kiosk speaks.
const (
	Vietnamese Lang = "vi" // default
	English    Lang = "en"
)

// ParseLang maps an ISO 639-1 code to a Lang; anything but "en" is
// Vietnamese, the kiosk's default.
func ParseLang(code string) Lang {
	if code == string(English) {
		return English
	}
	return Vietnamese
}
