//go:build dockvet_poison

package dockerfile

// poisonTag is the default of poisonReleased: on under the dockvet_poison
// build tag, which runs every test with released Files poisoned.
const poisonTag = true
