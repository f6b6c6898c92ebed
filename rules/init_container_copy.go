package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/manifest"
	"github.com/dockvet/dockvet/internal/rule"
)

// InitContainerCopy is DV700.
var InitContainerCopy = &rule.Rule{
	ID:       "DV700",
	Name:     "init-container-copy",
	Severity: finding.SeverityWarning,
	Summary:  "(manifests) an init container copies files out of its own image into an emptyDir another container mounts: an `image` volume mounts them with no copy",
	Doc: `A common way to ship data (models, static assets, plugins) to a pod is a data
image plus an init container that copies its files into an emptyDir, which the
application container then mounts. Every pod start pays the copy: the node
pulls the image, the init container reads every byte and writes it again to
the node's disk, and the pod is not ready until it is done. With 50 replicas
and 500 MB of data that is 25 GB written at every rollout, and the emptyDir
counts against the node's ephemeral storage.

Since Kubernetes 1.33 (beta, behind the ImageVolume feature gate; GA in 1.36)
an image volume mounts an OCI image's filesystem read-only into the pod, with
no copy and no init container: the runtime pulls it once per node and mounts
it. Replace the init container and the emptyDir with a volume of type image
(the finding gives the YAML), and mount it where the emptyDir was; subPath
selects a directory of the image (Kubernetes 1.33 and later).

The rule fires on a Kubernetes init container whose command (directly or
through sh -c) runs cp, rsync or an extracting tar into a path under an
emptyDir that another container of the pod mounts. It does not fire when the
copy's source is itself a mounted volume (the data does not come from the
image), or when the data must be writable (say so with a suppression comment
above the image: line).

dockvet manifests reads a stream (helm template . | dockvet manifests -) one
batch of documents at a time and lets each go once linted, so its memory stays
flat however many documents follow. A file that is not valid YAML is an error
(exit 2) at FILE:LINE:COLUMN of the offending character; the other files are
still linted.`,
	Bad: `initContainers:
- name: fetch-model
  image: registry.example.com/models/llama:3.1
  command: ["sh", "-c", "cp -r /models/. /data/"]
  volumeMounts: [{name: model, mountPath: /data}]
containers:
- name: server
  image: registry.example.com/serve:2.4
  volumeMounts: [{name: model, mountPath: /models}]
volumes:
- name: model
  emptyDir: {}`,
	Good: `containers:
- name: server
  image: registry.example.com/serve:2.4
  volumeMounts: [{name: model, mountPath: /models, subPath: models}]
volumes:
- name: model
  image:
    reference: registry.example.com/models/llama:3.1
    pullPolicy: IfNotPresent`,
	CheckManifest: checkInitContainerCopy,
}

func checkInitContainerCopy(pass *rule.ManifestPass) {
	w := pass.Workload
	imgs := w.Images()
	for i := range imgs {
		u := &imgs[i]
		c := u.Container
		if c == nil || c.Kind != manifest.Init || !u.Judgeable() {
			continue
		}
		for _, cp := range c.Copies() {
			m := c.MountAt(cp.Dest)
			if m == nil {
				continue
			}
			vol := w.Pod.Volume(m.Volume)
			if vol == nil || !vol.EmptyDir || !sourcesFromImage(c, cp) {
				continue
			}
			readers := mountersOf(w, c, vol.Name)
			if len(readers) == 0 {
				continue
			}
			at := c.CommandRange
			if !at.IsValid() {
				at = u.Range
			}
			pass.Report(u, rule.Diagnostic{Range: at, Message: initCopyMessage(w, c, cp, m, vol, readers)})
			break // one finding per init container
		}
	}
}

// sourcesFromImage reports whether a copy reads from the container's own
// image: a tar extraction reads a stream (taken to be the image's files),
// cp and rsync need a literal source outside every mount of the container.
func sourcesFromImage(c *manifest.Container, cp manifest.Copy) bool {
	if cp.Tool == "tar" {
		return true
	}
	if len(cp.Sources) == 0 {
		return false
	}
	for _, s := range cp.Sources {
		if s == "" || !strings.HasPrefix(s, "/") || strings.Contains(s, ":") || c.MountAt(s) != nil {
			return false
		}
	}
	return true
}

// reader is another container that mounts the emptyDir, and where.
type reader struct {
	container string
	path      string
}

// mountersOf lists the other containers that mount the volume.
func mountersOf(w *manifest.Workload, self *manifest.Container, volume string) []reader {
	var out []reader
	for _, c := range w.Pod.Containers {
		if c == self {
			continue
		}
		for _, m := range c.Mounts {
			if m.Volume == volume {
				out = append(out, reader{container: c.Name, path: m.Path})
				break
			}
		}
	}
	return out
}

func initCopyMessage(w *manifest.Workload, c *manifest.Container, cp manifest.Copy, m *manifest.Mount, vol *manifest.Volume, readers []reader) string {
	yaml := fmt.Sprintf("volumes: [{name: %s, image: {reference: %s, pullPolicy: IfNotPresent}}]", vol.Name, c.Image)
	names := make([]string, len(readers))
	for i, r := range readers {
		names[i] = fmt.Sprintf("%q", r.container)
	}
	return fmt.Sprintf("%s %s, init container %q copies files out of its image %s (%s into %s) into emptyDir %q, which %s mount%s: every pod start%s pulls the image and writes every byte again before the pod can start; an image volume (Kubernetes 1.33+, GA in 1.36) mounts the image read-only with no copy and no init container: replace the init container and the emptyDir with %s %s",
		w.Kind, w.Name, c.Name, c.Image, cp.Tool, cp.Dest, vol.Name, joinNames(names), verbS(len(readers)), perReplicas(w), yaml, imageVolumeMount(cp, m, readers[0]))
}

// imageVolumeMount says where the reader should mount the image volume so
// that it sees the copied files where it saw them. An image volume shows
// the image's root, and subPath (Kubernetes 1.33+) one of its directories
// or files: a copy of /models's contents (/models/., /models/*, rsync's
// /models/) into the emptyDir's root is subPath: models mounted where the
// emptyDir was; a copy of /models itself is subPath: models mounted at
// <there>/models. Several sources or a tar stream: the image's root where
// the emptyDir was.
func imageVolumeMount(cp manifest.Copy, m *manifest.Mount, r reader) string {
	const plain = "and mount it where the emptyDir was"
	if len(cp.Sources) != 1 || cp.Sources[0] == "" {
		return plain
	}
	// where, under the emptyDir, the copy lands
	rel := strings.TrimPrefix(path.Clean(cp.Dest), path.Clean(m.Path))
	if rel != "" && !strings.HasPrefix(rel, "/") {
		return plain
	}
	target := path.Join(r.path, rel)
	sub, ok := contentsOf(cp.Tool, cp.Sources[0])
	if !ok {
		sub = strings.TrimPrefix(path.Clean(cp.Sources[0]), "/")
		if sub == "" || sub == "." {
			return plain
		}
		target = path.Join(target, path.Base(sub))
	}
	return fmt.Sprintf("and mount it in %q at %s with subPath: %s", r.container, target, sub)
}

// verbS is a verb's third-person s for one subject ("mounts"), none for
// several ("mount").
func verbS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

// contentsOf returns the directory (relative to the image root) whose
// contents a copy source names: /models/. and /models/* (and /models/ for
// rsync) name what /models holds.
func contentsOf(tool, src string) (string, bool) {
	var dir string
	switch {
	case strings.HasSuffix(src, "/."):
		dir = strings.TrimSuffix(src, "/.")
	case strings.HasSuffix(src, "/*"):
		dir = strings.TrimSuffix(src, "/*")
	case tool == "rsync" && strings.HasSuffix(src, "/"):
		dir = src
	default:
		return "", false
	}
	dir = strings.TrimPrefix(path.Clean(dir), "/")
	return dir, dir != "" && dir != "."
}
