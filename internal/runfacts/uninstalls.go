package runfacts

import (
	"github.com/dockvet/dockvet/internal/dockerfile"
)

// Uninstall is a call that removes packages.
type Uninstall struct {
	Call    *dockerfile.Call
	Index   int // of Call in Run.Calls
	Manager Manager
	// Packages are the operands (package names, apk virtual names).
	Packages []dockerfile.Word
	// AutoRemove: the call also removes the packages nothing depends on
	// any more (apt-get purge --auto-remove, apt-get autoremove, dnf
	// autoremove).
	AutoRemove bool
}

var (
	aptRemoves = &Words{List: []string{"remove", "purge", "autoremove", "auto-remove"}}
	apkRemoves = &Words{List: []string{"del"}}
	rpmRemoves = &Words{List: []string{"remove", "erase", "rm", "autoremove"}}
	zypRemoves = &Words{List: []string{"remove", "rm"}}
)

// Uninstalls returns the package removals of the RUN, in order.
func (r *Run) Uninstalls() []Uninstall {
	if r.rmDone {
		return r.removals
	}
	r.rmDone = true
	for i, c := range r.Calls {
		var m Manager
		var valued, subs *Words
		switch {
		case aptManagers.Has(c.Name):
			m, valued, subs = Apt, AptValued, aptRemoves
		case c.Name == "apk":
			m, valued, subs = Apk, ApkValued, apkRemoves
		case RpmManagers.Has(c.Name):
			m, valued, subs = Rpm, RpmValued, rpmRemoves
		case c.Name == "zypper":
			m, valued, subs = Zypper, ZypperValued, zypRemoves
		default:
			continue
		}
		j, ok := Subcommand(c, 0, valued)
		if !ok || !subs.Has(c.Args[j].Value) {
			continue
		}
		sub := c.Args[j].Value
		r.removals = append(r.removals, Uninstall{Call: c, Index: i, Manager: m, Packages: packagesAfter(c, j, valued),
			AutoRemove: sub == "autoremove" || sub == "auto-remove" || c.HasOption("", "--auto-remove", "--autoremove")})
	}
	return r.removals
}
