package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/registry"
)

// registryFlags are the settings of image lookups, shared by `lint` (base
// images) and `image`.
type registryFlags struct {
	offline  bool
	timeout  time.Duration
	cacheDir string
	noCache  bool
	insecure []string
}

func addRegistryFlags(f *pflag.FlagSet, fl *registryFlags) {
	f.BoolVar(&fl.offline, "offline", false, "never contact a registry; answers come from the cache only (also DOCKVET_OFFLINE=1)")
	f.DurationVar(&fl.timeout, "registry-timeout", registry.DefaultTimeout, "one deadline for all registry lookups of the run, however many images")
	f.StringVar(&fl.cacheDir, "cache-dir", "", "cache for image configs and --deep layer listings (default $DOCKVET_CACHE_DIR, else the user cache dir)")
	f.BoolVar(&fl.noCache, "no-cache", false, "neither read nor write the cache (image configs, --deep layer listings)")
	f.Var(newStringsFlag(&fl.insecure), "insecure-registry", "registry host[:port] that may be reached over plain HTTP (repeatable; loopback always may)")
}

// newResolver builds the run's registry resolver from the config file and
// the flags (flags win; insecure registries add up).
func (e *env) newResolver(cfg *config.Config, fl *registryFlags, platform string) (*registry.Resolver, error) {
	if fl.timeout <= 0 {
		return nil, usageErrorf("--registry-timeout must be positive")
	}
	cacheDir := e.cacheDir(fl)
	// One deadline for the run, however many resolvers it needs (one per
	// registry setting): it starts with the first.
	if e.registryDeadline.IsZero() {
		e.registryDeadline = time.Now().Add(fl.timeout)
	}
	opts := []registry.Option{
		registry.WithDeadline(e.registryDeadline),
		registry.WithOffline(fl.offline || cfg.Offline || truthy(e.getenv("DOCKVET_OFFLINE"))),
		registry.WithTimeout(fl.timeout),
		registry.WithCacheDir(cacheDir),
		registry.WithInsecureRegistries(append(append([]string(nil), cfg.InsecureRegistries...), fl.insecure...)),
		registry.WithUserAgent("dockvet/" + versionString()),
	}
	if platform != "" {
		opts = append(opts, registry.WithPlatform(platform))
	}
	return registry.New(opts...), nil
}

// truthy reads a boolean environment variable (1, true, yes, on).
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// reportOfflineMisses says once, on stderr, how many base images an offline
// run could not check because they are not in the cache (DV001 does not
// report them once per FROM: the run is offline by choice).
func (e *env) reportOfflineMisses(rs []*registry.Resolver, fl *registryFlags) {
	var n int64
	for _, r := range rs {
		n += r.Stats().OfflineMisses
	}
	if n == 0 {
		return
	}
	what := "base images were"
	if n == 1 {
		what = "base image was"
	}
	fill := "run once without --offline (and without DOCKVET_OFFLINE or offline: true) to fill the cache"
	if e.cacheDir(fl) == "" {
		fill = "the cache is disabled (--no-cache), so only a run with network access checks them"
	}
	fmt.Fprintf(e.stderr, "dockvet: %d %s not checked (offline, not in the cache): inherited volumes, user and CMD/ENTRYPOINT are unknown; %s\n", n, what, fill)
}
