package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/layers"
	"github.com/dockvet/dockvet/internal/registry"
)

// deepFlags are `dockvet image --deep` and its progress display.
type deepFlags struct {
	deep  bool
	quiet bool
}

func addDeepFlags(f *pflag.FlagSet, fl *deepFlags) {
	f.BoolVar(&fl.deep, "deep", false, "read every layer's contents (once, concurrently, cached by digest): uncompressed sizes, bytes later layers delete or overwrite (DV500), data under each VOLUME (DV101)")
	f.BoolVarP(&fl.quiet, "quiet", "q", false, "no progress display on stderr (it is shown only on a terminal)")
}

// cacheDir is the cache directory of a run: --cache-dir, else
// $DOCKVET_CACHE_DIR, else the user cache dir; "" with --no-cache.
func (e *env) cacheDir(fl *registryFlags) string {
	if fl.noCache {
		return ""
	}
	if fl.cacheDir != "" {
		return fl.cacheDir
	}
	if d := e.getenv("DOCKVET_CACHE_DIR"); d != "" {
		return d
	}
	return registry.DefaultCacheDir()
}

// readLayers runs --deep on every image that loaded: it sets Image.Deep,
// and returns one error per image whose layers could not be read (that
// image keeps the findings that do not need its layers). Images are read
// one after the other, each with its layers in parallel, so that a layer
// two images share is read once and then found in the cache.
//
// The phase always ends: --registry-timeout is the stall timeout of each
// layer stream, and each image's layers must be read within max(2 ×
// --registry-timeout, their declared bytes at layers.DefaultMinRate), or
// fail as "too slow" (layers.Analyze); a registry layer without a declared
// size, or with more than layers.MaxLayerSize, is not read at all.
func (e *env) readLayers(ctx context.Context, fl *deepFlags, reg *registryFlags, inputs []engine.ImageInput, sources []imagesrc.Source, at []int, resolver imagesrc.Resolver) []finding.FileError {
	if !fl.deep {
		return nil
	}
	type job struct {
		in  *engine.ImageInput
		src imagesrc.Source
	}
	var jobs []job
	prog := &layers.Progress{}
	for k, src := range sources {
		in := &inputs[at[k]]
		if in.Err != nil || in.Image == nil {
			continue
		}
		jobs = append(jobs, job{in: in, src: src})
		prog.Plan(len(in.Image.Layers), in.Image.CompressedSize())
	}
	if len(jobs) == 0 {
		return nil
	}
	opts := imagesrc.DeepOptions{CacheDir: e.cacheDir(reg), Progress: prog, StallTimeout: reg.timeout}
	if ls, ok := resolver.(imagesrc.LayerSource); ok {
		opts.Registry = ls
	}
	var bar *progressBar
	if !fl.quiet && e.isTerminal(e.stderr) {
		bar = startProgress(e.stderr, prog)
	}
	var errs []finding.FileError
	for _, j := range jobs {
		info, err := imagesrc.Deep(ctx, j.src, j.in.Image, opts)
		if err != nil {
			errs = append(errs, finding.FileError{File: j.in.Name, Message: err.Error()})
			continue
		}
		j.in.Image.Deep = info
	}
	bar.stop()
	return errs
}

// addErrors adds errors to a result, keeping them sorted by file.
func addErrors(res *finding.Result, errs []finding.FileError) {
	if len(errs) == 0 {
		return
	}
	res.Errors = append(res.Errors, errs...)
	sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].File < res.Errors[j].File })
}

// progressInterval throttles the progress display.
const progressInterval = 200 * time.Millisecond

// progressBar shows on one terminal line how many layers are read and how
// many bytes: `dockvet: layers 3/7 [=======>     ] 120.5 MiB / 512 MiB`.
// It redraws at most every progressInterval and clears its line when
// stopped.
type progressBar struct {
	w    io.Writer
	p    *layers.Progress
	done chan struct{}
	wg   sync.WaitGroup
}

func startProgress(w io.Writer, p *layers.Progress) *progressBar {
	b := &progressBar{w: w, p: p, done: make(chan struct{})}
	b.draw()
	b.wg.Go(func() {
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		for {
			select {
			case <-b.done:
				return
			case <-t.C:
				b.draw()
			}
		}
	})
	return b
}

func (b *progressBar) draw() {
	_, _ = io.WriteString(b.w, "\r\x1b[K"+progressLine(b.p))
}

// progressLine renders the progress counters.
func progressLine(p *layers.Progress) string {
	done, total := p.Done.Load(), p.Layers.Load()
	read, size := p.Read.Load(), p.Bytes.Load()
	const width = 20
	filled := 0
	if size > 0 {
		filled = int(min(read, size) * width / size)
	} else if total > 0 {
		filled = int(done * width / total)
	}
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	s := fmt.Sprintf("dockvet: layers %d/%d [%s] %s / %s", done, total, bar, config.FormatSize(read), config.FormatSize(size))
	if c := p.Cached.Load(); c > 0 {
		s += fmt.Sprintf(" (%d cached)", c)
	}
	return s
}

func (b *progressBar) stop() {
	if b == nil {
		return
	}
	close(b.done)
	b.wg.Wait()
	_, _ = io.WriteString(b.w, "\r\x1b[K")
}
