package ticketingui

import (
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/ui/i18n"
)

// catalogs are the screens' own words (headings, field names): the
// "ticketing.*" keys of ui/i18n's catalogues, which have voice books
// (ui/voice), so nothing a ticketing screen says can go without a voice.
// Everything else is the flow's ticketing.Text. Loaded once from the
// embedded catalogues and never written after.
var catalogs = func() map[ticketing.Lang]*i18n.Catalog {
	out := map[ticketing.Lang]*i18n.Catalog{}
	for _, l := range i18n.Languages() {
		if c, err := i18n.Load(l); err == nil {
			out[ticketing.Lang(l)] = c
		}
	}
	return out
}()

// catalog is the catalogue of language l (Vietnamese for anything but
// English).
func catalog(l ticketing.Lang) *i18n.Catalog {
	if c, ok := catalogs[l]; ok && l == ticketing.LangEN {
		return c
	}
	return catalogs[ticketing.LangVI]
}

// word is the screen word "ticketing.<key>" in language l, with {name}
// placeholders filled from args (name, value pairs).
func word(l ticketing.Lang, key string, args ...string) string {
	c := catalog(l)
	if c == nil {
		return "[ticketing." + key + "]"
	}
	return c.T("ticketing."+key, args...)
}
