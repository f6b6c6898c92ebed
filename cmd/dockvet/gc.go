package main

// gcFloor is the least heap growth between two collections in a lint run
// of many files when the user sets no GOGC. dockvet's live heap is a few
// MiB (files stream through a fixed window; each file's model is dropped
// once its findings are printed), while a corpus run allocates hundreds of
// MiB of short-lived garbage: with the runtime's default 4 MiB minimum heap
// the collector ran about 140 times and took about 30% of a corpus run's
// CPU. A larger GOGC cuts the collections too, but multiplies the headroom
// by the live heap, which grows with the number of files named (their paths
// and jobs): peak RSS at four times the corpus grew 1.5x instead of staying
// flat. A ballast keeps GOGC's default proportional growth and adds a fixed
// floor: the collector's goal is twice (live + gcFloor). The ballast is
// never written, so its pages never become resident; memory stays bounded
// by twice the live heap plus gcFloor.
const gcFloor = 12 << 20

// gcFloorFiles is how many files a run needs for the floor: the runtime
// marks the ballast once (a collection right away, ~5 ms of a cold start),
// which only a run of many files earns back. One file from an editor or a
// pre-commit hook pays nothing.
const gcFloorFiles = 64

var (
	// gcFloorWanted is set by tuneGC when the environment leaves the
	// collector to dockvet.
	gcFloorWanted bool
	// gcBallast holds the floor for the rest of the process.
	gcBallast []byte
)

// tuneGC allows the floor unless the environment sets GOGC, which the
// runtime has already applied and which then wins. Only main calls it, so
// in-process tests never set a floor.
func tuneGC(getenv func(string) string) {
	gcFloorWanted = getenv("GOGC") == ""
}

// raiseGCFloor sets the floor for a lint run of n files, when tuneGC
// allowed it and the run is large enough to gain from it.
func raiseGCFloor(n int) {
	if gcFloorWanted && n >= gcFloorFiles && gcBallast == nil {
		gcBallast = make([]byte, gcFloor)
	}
}
