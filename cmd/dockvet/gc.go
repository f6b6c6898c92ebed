package main

// gcFloor is the least heap growth between two collections when the user
// sets no GOGC. dockvet's live heap is a few MiB (files stream through a
// fixed window; each file's model is dropped once its findings are
// printed), while a corpus run allocates hundreds of MiB of short-lived
// garbage: with the runtime's default 4 MiB minimum heap the collector ran
// about 140 times and took about 30% of a corpus run's CPU. A larger GOGC
// cuts the collections too, but multiplies the headroom by the live heap,
// which grows with the number of files named (their paths and jobs): peak
// RSS at four times the corpus grew 1.5x instead of staying flat. A ballast
// keeps GOGC's default proportional growth and adds a fixed floor: the
// collector's goal is twice (live + gcFloor). The ballast is never written,
// so its pages never become resident; memory stays bounded by twice the
// live heap plus gcFloor.
const gcFloor = 12 << 20

// gcBallast holds the floor for the life of the process.
var gcBallast []byte

// tuneGC sets the floor unless the environment sets GOGC, which the runtime
// has already applied and which then wins.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		gcBallast = make([]byte, gcFloor)
	}
}
