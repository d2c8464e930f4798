//go:build nogui

package main

// guiBuilt: this binary was built with -tags nogui (headless validators).
const guiBuilt = false
