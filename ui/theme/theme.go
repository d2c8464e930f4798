// Package theme owns the kiosk's look: colours, text sizes and the minimum
// touch-target size for a public touch screen read at arm's length, in a
// normal palette and a high-contrast one (white on black, yellow actions),
// each with an optional large-text scale — and one person's preferences
// over a session (Session: reset for each person, large text on by itself
// at ElderAge), which every kiosk window shares.
//
// It wraps Fyne's default theme, so the bundled Noto Sans (which carries
// every Vietnamese diacritic) stays the font. It imports only Fyne; it must
// NOT import drivers, firmware flows or other ui packages.
//
// Sizes are Fyne units. Fyne maps one unit to one pixel at scale 1.0 on a
// ~120 dpi panel; a 21.5" 1080×1920 kiosk panel is ~102 dpi, so TouchTarget
// (120 units) is ~30 mm there and still ≥ 15 mm on panels up to ~200 dpi
// (ISO 9241-9 / WCAG 2.5.5 ask for ≥ 9 mm; kiosks use ≥ 15 mm for gloved and
// elderly hands).
package theme

import (
	"image/color"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
)

// TouchTarget is the minimum width and height of anything a user taps, in
// Fyne units (≥ 15 mm on panels up to ~200 dpi at scale 1.0).
const TouchTarget float32 = 120

// Kiosk-specific size and colour names, read through fyne.Theme like Fyne's own.
const (
	// SizeNameHeadline is the screen title size.
	SizeNameHeadline fyne.ThemeSizeName = "kioskHeadline"
	// SizeNameButtonText is the label size on touch buttons.
	SizeNameButtonText fyne.ThemeSizeName = "kioskButtonText"
	// SizeNameDisplay is the size of big figures: keypad entry, ticket number, amount.
	SizeNameDisplay fyne.ThemeSizeName = "kioskDisplay"
	// SizeNameCornerRadius is the corner radius of buttons and panels.
	SizeNameCornerRadius fyne.ThemeSizeName = "kioskCornerRadius"

	// ColorNameOnPrimary is text drawn on a primary-coloured surface.
	ColorNameOnPrimary fyne.ThemeColorName = "kioskOnPrimary"
	// ColorNamePanel is the background of cards and panels on the screen background.
	ColorNamePanel fyne.ThemeColorName = "kioskPanel"
	// ColorNameHelp is the call-staff button colour.
	ColorNameHelp fyne.ThemeColorName = "kioskHelp"
	// ColorNameOnHelp is text on the call-staff button.
	ColorNameOnHelp fyne.ThemeColorName = "kioskOnHelp"
	// ColorNameBorder is the outline of buttons and panels (visible in high contrast).
	ColorNameBorder fyne.ThemeColorName = "kioskBorder"
)

// Options selects the palette and text scale.
type Options struct {
	HighContrast bool // white on black with yellow actions (WCAG AAA contrast)
	LargeText    bool // every text size × LargeTextScale
}

// LargeTextScale multiplies every text size when Options.LargeText is set.
const LargeTextScale = 1.3

// Kiosk is the kiosk theme; build it with New.
type Kiosk struct {
	opts    Options
	palette map[fyne.ThemeColorName]color.Color
}

// New returns the theme for opts.
func New(opts Options) *Kiosk {
	p := normalPalette
	if opts.HighContrast {
		p = highContrastPalette
	}
	return &Kiosk{opts: opts, palette: p}
}

// Options reports what the theme was built with.
func (k *Kiosk) Options() Options { return k.opts }

func rgb(v uint32) color.NRGBA {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// normalPalette: hospital blue on a light background; every text/background
// pair is ≥ 7:1 (WCAG AAA) except disabled text.
var normalPalette = map[fyne.ThemeColorName]color.Color{
	fynetheme.ColorNameBackground:        rgb(0xF3F6FA),
	fynetheme.ColorNameForeground:        rgb(0x0F2437),
	fynetheme.ColorNamePrimary:           rgb(0x0A4F96),
	fynetheme.ColorNameButton:            rgb(0xDCE5EF),
	fynetheme.ColorNameDisabledButton:    rgb(0xE6EBF0),
	fynetheme.ColorNameDisabled:          rgb(0x7B8794),
	fynetheme.ColorNameError:             rgb(0xB3261E),
	fynetheme.ColorNameSuccess:           rgb(0x1B6E2E),
	fynetheme.ColorNameWarning:           rgb(0x8A5300),
	fynetheme.ColorNameInputBackground:   rgb(0xFFFFFF),
	fynetheme.ColorNameInputBorder:       rgb(0x52606D),
	fynetheme.ColorNameSeparator:         rgb(0xBCCCDC),
	fynetheme.ColorNamePlaceHolder:       rgb(0x52606D),
	fynetheme.ColorNameShadow:            color.NRGBA{A: 0x33},
	fynetheme.ColorNameOverlayBackground: rgb(0xFFFFFF),
	fynetheme.ColorNameHeaderBackground:  rgb(0x0A4F96),
	ColorNameOnPrimary:                   rgb(0xFFFFFF),
	ColorNamePanel:                       rgb(0xFFFFFF),
	ColorNameHelp:                        rgb(0xB3261E),
	ColorNameOnHelp:                      rgb(0xFFFFFF),
	ColorNameBorder:                      rgb(0xBCCCDC),
}

// highContrastPalette: white on black, actions in yellow with black text.
var highContrastPalette = map[fyne.ThemeColorName]color.Color{
	fynetheme.ColorNameBackground:        rgb(0x000000),
	fynetheme.ColorNameForeground:        rgb(0xFFFFFF),
	fynetheme.ColorNamePrimary:           rgb(0xFFE000),
	fynetheme.ColorNameButton:            rgb(0x000000),
	fynetheme.ColorNameDisabledButton:    rgb(0x1A1A1A),
	fynetheme.ColorNameDisabled:          rgb(0xA0A0A0),
	fynetheme.ColorNameError:             rgb(0xFF6E6E),
	fynetheme.ColorNameSuccess:           rgb(0x6EFF9A),
	fynetheme.ColorNameWarning:           rgb(0xFFB000),
	fynetheme.ColorNameInputBackground:   rgb(0x000000),
	fynetheme.ColorNameInputBorder:       rgb(0xFFFFFF),
	fynetheme.ColorNameSeparator:         rgb(0xFFFFFF),
	fynetheme.ColorNamePlaceHolder:       rgb(0xD0D0D0),
	fynetheme.ColorNameShadow:            color.NRGBA{A: 0},
	fynetheme.ColorNameOverlayBackground: rgb(0x000000),
	fynetheme.ColorNameHeaderBackground:  rgb(0x000000),
	ColorNameOnPrimary:                   rgb(0x000000),
	ColorNamePanel:                       rgb(0x000000),
	ColorNameHelp:                        rgb(0xFF6E6E),
	ColorNameOnHelp:                      rgb(0x000000),
	ColorNameBorder:                      rgb(0xFFFFFF),
}

// textSizes are the normal-scale text sizes; LargeText multiplies them.
var textSizes = map[fyne.ThemeSizeName]float32{
	fynetheme.SizeNameText:           30,
	fynetheme.SizeNameCaptionText:    24,
	fynetheme.SizeNameHeadingText:    52,
	fynetheme.SizeNameSubHeadingText: 38,
	SizeNameHeadline:                 52,
	SizeNameButtonText:               34,
	SizeNameDisplay:                  72,
}

// otherSizes do not scale with LargeText.
var otherSizes = map[fyne.ThemeSizeName]float32{
	fynetheme.SizeNamePadding:            12,
	fynetheme.SizeNameInnerPadding:       16,
	fynetheme.SizeNameLineSpacing:        8,
	fynetheme.SizeNameInputBorder:        3,
	fynetheme.SizeNameInputRadius:        12,
	fynetheme.SizeNameSelectionRadius:    12,
	fynetheme.SizeNameScrollBar:          20,
	fynetheme.SizeNameScrollBarSmall:     8,
	fynetheme.SizeNameInlineIcon:         40,
	fynetheme.SizeNameSeparatorThickness: 2,
	SizeNameCornerRadius:                 18,
}

// Color implements fyne.Theme; the variant is ignored (the palette decides).
func (k *Kiosk) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if c, ok := k.palette[n]; ok {
		return c
	}
	variant := fynetheme.VariantLight
	if k.opts.HighContrast {
		variant = fynetheme.VariantDark
	}
	return fynetheme.DefaultTheme().Color(n, variant)
}

// Font implements fyne.Theme with the bundled Noto Sans.
func (k *Kiosk) Font(s fyne.TextStyle) fyne.Resource { return fynetheme.DefaultTheme().Font(s) }

// Icon implements fyne.Theme with Fyne's icons.
func (k *Kiosk) Icon(n fyne.ThemeIconName) fyne.Resource { return fynetheme.DefaultTheme().Icon(n) }

// Size implements fyne.Theme.
func (k *Kiosk) Size(n fyne.ThemeSizeName) float32 {
	if s, ok := textSizes[n]; ok {
		if k.opts.LargeText {
			return float32(int(s*LargeTextScale + 0.5))
		}
		return s
	}
	if s, ok := otherSizes[n]; ok {
		return s
	}
	return fynetheme.DefaultTheme().Size(n)
}

// ElderAge is the age from which large text turns on by itself once a
// card is read (Luật Người cao tuổi 2009: người cao tuổi is 60 or older).
const ElderAge = 60

// Session is one person's display preferences on a kiosk: the kiosk's
// defaults at the start of each session, the person's own toggles, and
// large text turned on by itself, once a session, for a person of
// ElderAge or more (who may turn it off again: it stays off). Not safe
// for concurrent use: the window's goroutine owns it.
type Session struct {
	def, cur Options
	elder    bool
}

// NewSession starts with the kiosk's defaults (config [ui]).
func NewSession(def Options) *Session { return &Session{def: def, cur: def} }

// Options are the preferences now.
func (s *Session) Options() Options { return s.cur }

// Reset starts a new person's session with the defaults; it reports
// whether the preferences changed.
func (s *Session) Reset() bool {
	s.elder = false
	changed := s.cur != s.def
	s.cur = s.def
	return changed
}

// Aged takes the age the card says (negative: unknown): at ElderAge or
// more large text turns on, the first time in the session; it reports
// whether the preferences changed.
func (s *Session) Aged(age int) bool {
	if age < ElderAge || s.elder {
		return false
	}
	s.elder = true
	if s.cur.LargeText {
		return false
	}
	s.cur.LargeText = true
	return true
}

// ToggleLargeText flips large text.
func (s *Session) ToggleLargeText() { s.cur.LargeText = !s.cur.LargeText }

// ToggleContrast flips high contrast.
func (s *Session) ToggleContrast() { s.cur.HighContrast = !s.cur.HighContrast }
