package onestopui

import (
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/ui/i18n"
)

// catalogs hold the words the one-stop screens share with the other
// kiosks (the display switches, "Nghe hướng dẫn"): ui/i18n's catalogues,
// which have voice books. Loaded once from the embedded catalogues and
// never written after.
var catalogs = func() map[onestop.Lang]*i18n.Catalog {
	out := map[onestop.Lang]*i18n.Catalog{}
	for _, l := range i18n.Languages() {
		if c, err := i18n.Load(l); err == nil {
			out[onestop.Lang(l)] = c
		}
	}
	return out
}()

// shared is the catalogue of language l (Vietnamese for anything but
// English); T of a nil catalogue is never called: the embedded
// catalogues load (ui/i18n's tests).
func shared(l onestop.Lang) *i18n.Catalog {
	if c, ok := catalogs[l]; ok && l == onestop.LangEN {
		return c
	}
	return catalogs[onestop.LangVI]
}
