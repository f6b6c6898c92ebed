//go:build race

package dockerfile

// raceEnabled: the race detector slows the parser 5-20x, so time budgets of
// the robustness tests are scaled (they catch hangs and quadratic blowups,
// not ordinary slowness).
const raceEnabled = true
