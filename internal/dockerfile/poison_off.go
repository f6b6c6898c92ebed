//go:build !dockvet_poison

package dockerfile

// poisonTag is the default of poisonReleased: off outside the
// dockvet_poison build tag.
const poisonTag = false
