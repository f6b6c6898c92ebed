package engine

import (
	"context"
	"runtime"
	"sync"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// Job is one file of a streamed run (Stream), with the engine and parse
// options that apply to it: a run may mix engines (one per config file).
type Job struct {
	Engine *Engine
	Input  Input
	Opts   dockerfile.Options
	// Read, when set, supplies Input.Src when the job starts, so that a run
	// holds only the files in flight, not every file it was given. Its error
	// is the job's ReadErr.
	Read func() ([]byte, error)
	// SkipLines leaves FileResult.Lines nil: the output format prints no
	// source lines (report.ReadsSources), so masking them is wasted work.
	SkipLines bool
}

// FileResult is what one job produced.
type FileResult struct {
	// Findings are the file's findings, sorted.
	Findings []finding.Finding
	// Lines are the file's source lines when it has findings and the job
	// does not skip them (for the formats that show or hash them), else nil.
	Lines []string
	// Err is set when the file could not be linted (a --target the file
	// lacks, a rule that crashed), with secrets masked.
	Err *finding.FileError
	// ReadErr is Job.Read's error; nothing else is set then.
	ReadErr error
}

// streamWindow is how many results may wait for an earlier, slower file
// beyond the workers' own: it bounds what a run holds (sources, findings)
// whatever the number of files.
const streamWindow = 16

// Stream lints jobs concurrently and calls emit with each job's result in
// job order, as soon as it and every earlier job are done. At most
// workers+streamWindow files are in flight or waiting, so memory does not
// grow with the number of files. emit is called from the calling goroutine.
// An error from emit stops the run: jobs not started are skipped, and the
// error is returned once the started ones are done. Base-image lookups run
// under ctx, one resolution per distinct request and engine; none outlives
// the call. Each engine's context warnings are flushed at the end.
func Stream(ctx context.Context, jobs []Job, emit func(i int, r FileResult) error) error {
	workers := runtime.GOMAXPROCS(0)
	brokers := map[*Engine]*baseBroker{}
	var cancel context.CancelFunc
	ctx, cancel = context.WithCancel(ctx)
	defer cancel()
	for _, j := range jobs {
		if e := j.Engine; e.bases != nil && brokers[e] == nil {
			brokers[e] = newBaseBroker(ctx, e.bases)
			// Workers mostly wait on the network; keep enough files in
			// flight to start every distinct lookup early.
			workers = max(workers, 32)
		}
	}
	defer func() {
		cancel()
		for _, b := range brokers {
			b.wait()
		}
		flushed := map[*Engine]bool{}
		for _, j := range jobs {
			if !flushed[j.Engine] {
				flushed[j.Engine] = true
				j.Engine.contexts.flush()
			}
		}
	}()
	workers = min(workers, len(jobs))
	window := workers + streamWindow

	// ring holds the results not yet emitted, at index i%window: the
	// dispatcher starts job i only once job i-window was emitted.
	var (
		mu     sync.Mutex
		cond   = sync.NewCond(&mu)
		ring   = make([]FileResult, window)
		filled = make([]bool, window)
	)
	slots := make(chan struct{}, window)
	stop := make(chan struct{})
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				r := jobs[i].run(ctx, brokers[jobs[i].Engine])
				mu.Lock()
				ring[i%window], filled[i%window] = r, true
				cond.Broadcast()
				mu.Unlock()
			}
		})
	}
	dispatched := make(chan int, 1) // how many jobs the dispatcher started
	go func() {
		n := 0
		defer func() { close(next); dispatched <- n }()
		for i := range jobs {
			select {
			case slots <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case next <- i:
				n++
			case <-stop:
				return
			}
		}
	}()

	var err error
	for i := range jobs {
		mu.Lock()
		for !filled[i%window] {
			cond.Wait()
		}
		r := ring[i%window]
		ring[i%window], filled[i%window] = FileResult{}, false
		mu.Unlock()
		<-slots
		if err = emit(i, r); err != nil {
			break
		}
	}
	close(stop)
	<-dispatched
	wg.Wait()
	return err
}

// run lints one job; broker is the run's for the job's engine (nil: no
// base lookups).
func (j *Job) run(ctx context.Context, broker *baseBroker) FileResult {
	in := j.Input
	if j.Read != nil {
		src, err := j.Read()
		if err != nil {
			return FileResult{ReadErr: err}
		}
		in.Src = src
	}
	e := j.Engine
	f, err := e.parse(in, j.Opts)
	// The job is f's only owner, and once it returns nothing refers to
	// f's model: findings, fixes and related positions are strings and
	// positions (the rules' diagnostics are copied by toFinding), the
	// rules' Pass and Shared results lived only during check, the base
	// lookup closure and its answers map (keyed by the model's image
	// references) are dropped with it, and Lines, which the result may
	// share, are not recycled. So its model's memory serves the next file
	// (dockerfile.File.Release); TestReleasedFilesArePoisoned and the
	// dockvet_poison tests check that nothing reads it afterwards. A
	// panic in check was recovered there (runRule, check); one in parse
	// leaves f nil and its arenas to the garbage collector.
	defer f.Release()
	var fs []finding.Finding
	if err == nil {
		fs, err = e.check(f, broker.lookupFor(f, j.Opts, e.stageBases, e.pinRefs), e.contextFor(in, f))
	}
	if err != nil {
		return FileResult{Err: &finding.FileError{File: in.Name, Message: e.redacted(err.Error())}}
	}
	r := FileResult{Findings: fs}
	if len(fs) > 0 && !j.SkipLines {
		r.Lines = e.shownLines(f.Lines, byte(f.Escape))
	}
	return r
}

// lookupFor is lookup on the run's broker; without one (no enabled rule
// reads base images) there is no lookup.
func (b *baseBroker) lookupFor(f *dockerfile.File, opts dockerfile.Options, allStages, otherRefs bool) rule.BaseLookup {
	if b == nil {
		return nil
	}
	return b.lookup(f, opts, allStages, otherRefs)
}
