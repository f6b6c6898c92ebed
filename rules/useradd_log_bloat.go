package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
)

// UseraddLogBloat is DV407.
var UseraddLogBloat = &rule.Rule{
	ID:       "DV407",
	Name:     "useradd-log-bloat",
	Severity: finding.SeverityWarning,
	Summary:  "useradd with a large or unknown UID without -l: /var/log/lastlog grows to about 292 bytes × UID",
	Doc: `useradd records the new user in /var/log/lastlog and /var/log/faillog, files
indexed by UID: it writes the user's record at offset UID × record size
(292 bytes for lastlog). On a normal disk that is a sparse file, but image layers
are tar archives, and the builders (and docker save, and many registries'
tools) store the holes in full. "useradd -u 1000000000 app" (a UID chosen to
avoid collisions with the host) makes a 272 GiB lastlog, and the build runs out
of disk or hangs for hours; UID 65536 already gives 18 MiB.

Pass -l (--no-log-init) to useradd: it does not add the user to the lastlog
and faillog databases, which no container reads. The rule reports UIDs of
65536 and above, and UIDs it cannot read (a build argument without default):
-l costs nothing. Only the final image is judged.`,
	Bad: `FROM debian:bookworm-slim
RUN useradd -u 1000000 app`,
	Good: `FROM debian:bookworm-slim
RUN useradd -l -u 1000000 app`,
	Check:      checkUseraddLogBloat,
	CheckImage: func(ip *rule.ImagePass) { historyCheck(ip, checkUseraddLogBloat, "") },
}

// lastlogRecord is the size of one struct lastlog record on Linux (glibc,
// 64-bit time): the file grows to (UID+1) × this.
const lastlogRecord = 292

// useraddValued are useradd's short options that take a value.
const useraddValued = "bcdefgGkKpPsuZR"

var useraddLongValued = &words{List: []string{"--base-dir", "--comment", "--home-dir", "--expiredate", "--inactive",
	"--gid", "--groups", "--skel", "--key", "--password", "--prefix", "--shell", "--uid",
	"--selinux-user", "--root", "--btrfs-subvolume-home", "--selinux-range"}}

// useraddUID returns the -u/--uid value of a useradd call, whether -l or
// --no-log-init is given, and whether the call has a UID at all.
func useraddUID(c *dockerfile.Call) (uid dockerfile.Word, noLog, hasUID bool) {
	for i := 0; i < len(c.Args); i++ {
		a := c.Args[i]
		v := a.Value
		switch {
		case !a.Literal || v == "--" || !strings.HasPrefix(v, "-") || v == "-":
			continue
		case v == "--no-log-init":
			noLog = true
		case v == "--uid" && i+1 < len(c.Args):
			uid, hasUID = c.Args[i+1], true
			i++
		case strings.HasPrefix(v, "--uid="):
			uid, hasUID = a, true
			uid.Value = v[len("--uid="):]
		case strings.HasPrefix(v, "--"):
			name, _, attached := strings.Cut(v, "=")
			if useraddLongValued.Has(name) && !attached {
				i++
			}
		default: // a cluster of short options: -lmu 1000, -u1000
			for k := 1; k < len(v); k++ {
				if v[k] == 'l' {
					noLog = true
					continue
				}
				if !strings.ContainsRune(useraddValued, rune(v[k])) {
					continue
				}
				val := v[k+1:]
				if val == "" && i+1 < len(c.Args) {
					i++
					if v[k] == 'u' {
						uid, hasUID = c.Args[i], true
					}
				} else if v[k] == 'u' {
					uid, hasUID = a, true
					uid.Value = val
				}
				break
			}
		}
	}
	return uid, noLog, hasUID
}

func checkUseraddLogBloat(pass *rule.Pass) {
	facts := runFacts(pass)
	for _, r := range facts.Final() {
		for _, c := range r.Calls {
			if c.Name != "useradd" {
				continue
			}
			w, noLog, ok := useraddUID(c)
			if noLog || !ok {
				continue
			}
			rng := source.Span(c.NameRange, w.Range)
			fix := &finding.Fix{
				Description: "add -l",
				Edits:       []finding.Edit{{Range: source.Range{Start: c.NameRange.End, End: c.NameRange.End}, NewText: " -l"}},
			}
			v, known := w.Resolve(r.Vars())
			if !known {
				v, known = r.In.ExpandWith(w.Value, nil)
			}
			if !known {
				pass.Report(rule.Diagnostic{Range: rng, Fix: fix, Message: fmt.Sprintf(
					"useradd -u %s without -l: the UID is not known here, and any UID from 65536 up makes /var/log/lastlog a file of %d bytes × UID in this layer (UID 1000000000: %s); add -l (--no-log-init)",
					w.Value, lastlogRecord, config.FormatSize(lastlogSize(1000000000)))})
				continue
			}
			uid, err := strconv.ParseInt(v, 10, 64)
			if err != nil || uid < 65536 {
				continue
			}
			pass.Report(rule.Diagnostic{Range: rng, Fix: fix, Message: fmt.Sprintf(
				"useradd -u %d without -l: /var/log/lastlog grows to %d × %d bytes = %s (faillog adds more), stored in full in this layer; add -l (--no-log-init)",
				uid, uid+1, lastlogRecord, config.FormatSize(lastlogSize(uid)))})
		}
	}
}

// lastlogSize is the size of /var/log/lastlog after a useradd of uid.
func lastlogSize(uid int64) int64 { return (uid + 1) * lastlogRecord }
