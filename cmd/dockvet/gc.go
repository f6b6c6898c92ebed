package main

import "runtime/debug"

// lintGCPercent is the collector's target heap growth when the user sets no
// GOGC. dockvet's live heap is small and bounded (files stream through a
// fixed window of workers, each file's model is dropped once its findings
// are printed), while a run allocates a lot of short-lived garbage: with
// the default 100 the collector ran every few megabytes and took about a
// third of a corpus run's CPU. 400 lets the heap grow to five times the
// live data before collecting, so the peak stays proportional to the live
// heap (a few tens of MiB for the whole corpus, flat as the file count grows).
const lintGCPercent = 400

// tuneGC applies lintGCPercent unless the environment sets GOGC, which the
// runtime has already applied and which then wins.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(lintGCPercent)
	}
}
