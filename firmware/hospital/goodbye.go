package hospital

// The goodbye screen.

// finish shows goodbye and wipes personal data.
func (f *Flow) finish(payAtCounter bool) {
	g := Goodbye{Message: msg("goodbye.message"), TakeCard: msg("goodbye.take_card")}
	if payAtCounter {
		g.Message = msg("goodbye.counter")
	}
	if v := f.m.v; v != nil && v.qt != nil {
		g.Number, g.Room = v.qt.ID, v.clinic.Room
	}
	f.stopOp()
	lang := f.m.lang
	f.m.wipe()
	f.m.lang, f.m.goodbye = lang, g
	f.setScreen(ScreenGoodbye)
	f.m.tickC = f.deps.Clock.After(f.cfg.GoodbyeDelay)
	if !f.m.down.active() {
		f.startIdentify(0) // the next patient may tap while goodbye shows
	}
}
