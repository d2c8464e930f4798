//go:build !nogui

package main

// guiBuilt: this binary includes the Fyne UI (built without -tags nogui).
const guiBuilt = true
