package rules

import (
	"fmt"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/manifest"
)

// manifestImageRefs returns the image uses of a workload whose reference can
// be judged: literal registry references (not a Helm or shell variable left
// unrendered), each with its repository, tag and digest.
func manifestImageRefs(w *manifest.Workload) []manifestRef {
	var out []manifestRef
	imgs := w.Images()
	for i := range imgs {
		u := &imgs[i]
		if !u.Judgeable() {
			continue
		}
		repo, tag, digest := dockerfile.SplitReference(u.Ref)
		out = append(out, manifestRef{use: u, repo: repo, tag: tag, digest: digest})
	}
	return out
}

type manifestRef struct {
	use               *manifest.ImageUse
	repo, tag, digest string
}

// useName names an image use for a message: `Deployment web, container
// "app" image nginx:1.27`, `service web image ...`, `Deployment web, image
// volume "models"`.
func useName(w *manifest.Workload, u *manifest.ImageUse) string {
	switch {
	case u.Volume != nil:
		return fmt.Sprintf("%s %s, image volume %q, reference %s", w.Kind, w.Name, u.Volume.Name, u.Ref)
	case w.Kind == "service":
		return fmt.Sprintf("service %s image %s", w.Name, u.Ref)
	}
	return fmt.Sprintf("%s %s, %s %q image %s", w.Kind, w.Name, u.Container.Kind, u.Container.Name, u.Ref)
}

// containerUses returns the image uses of the containers that run the
// image's own process: regular and init containers, not ephemeral
// (debugging) containers nor image volumes.
func containerUses(w *manifest.Workload) []*manifest.ImageUse {
	var out []*manifest.ImageUse
	imgs := w.Images()
	for i := range imgs {
		u := &imgs[i]
		if u.Container == nil || u.Container.Kind == manifest.Ephemeral || !u.Judgeable() {
			continue
		}
		out = append(out, u)
	}
	return out
}

// startedDiffer says why a moving tag hurts where the workload runs.
func startedDiffer(w *manifest.Workload) string {
	if w.Kind == "service" {
		return "containers created on different days run different code"
	}
	return "pods started on different days (a rescheduled pod, a new node, a scale-up) run different code"
}

// perReplicas says where a per-pod cost multiplies: " in each of the 50
// replicas", " in the pod on every node (DaemonSet)", "" for one pod.
func perReplicas(w *manifest.Workload) string {
	switch {
	case w.PerNode:
		return " in the pod on every node (DaemonSet)"
	case w.ReplicasFromVariable:
		return " in every replica"
	case w.Replicas > 1:
		return fmt.Sprintf(" in each of the %d replicas", w.Replicas)
	}
	return ""
}
