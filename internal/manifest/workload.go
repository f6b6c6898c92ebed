// Package manifest reads the Kubernetes and Compose files that deploy images
// (dockvet manifests): which images each workload runs, how many replicas,
// what the pod mounts, its security context and command overrides, each
// with the file position where it is written. It is the front end of
// `dockvet manifests` as internal/dockerfile is that of `dockvet lint`: rules
// read its model and never parse YAML themselves.
//
// Pod specs are read from go.yaml.in/yaml/v4 nodes, not decoded into
// k8s.io/api types: those keep no positions (sigs.k8s.io/yaml converts to
// JSON first), and measured on a minimal program (k8s.io/api v0.37.2) they
// add 10.4 MB to the binary (3.5 to 13.9 MB; dockvet is 21.7 MB), 8 MB of
// resident memory and about 19 ms to every start (15.7 to 34.6 ms per run).
// The fields dockvet reads are few and stable (image, command, args,
// securityContext, volumeMounts, volumes, replicas).
//
// Compose files are read the same way, with docker compose's interpolation
// (Interpolate, ParseDotEnv) rather than compose-go's loader, whose
// normalised model has no positions either.
package manifest

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/dockvet/dockvet/internal/source"
)

// File is one manifest file (or stdin) as read.
type File struct {
	// Name is the path as given ("-" reads as the stdin name).
	Name string
	// Compose is set for a Compose file.
	Compose bool
	// Workloads are the pods (Kubernetes workloads, Compose services) the
	// file deploys, in source order.
	Workloads []*Workload
	// Skipped counts documents of other kinds (Service, ConfigMap, CRDs...)
	// by kind.
	Skipped map[string]int
	// Lines are the file's lines, for suppression comments and snippets
	// (Parse); a document of a Stream reads the stream's instead (Line).
	Lines  []string
	window *lineWindow
}

// Line returns line n (1-based) of the file without its terminator; ok is
// false when it is not held (a Stream releases the lines of the documents
// it is done with).
func (f *File) Line(n int) (string, bool) {
	if f.window != nil {
		return f.window.line(n)
	}
	if n < 1 || n > len(f.Lines) {
		return "", false
	}
	return f.Lines[n-1], true
}

// Workload is one pod template and how many pods run it.
type Workload struct {
	// Kind is the Kubernetes kind ("Deployment", "CronJob"...), or
	// "service" for a Compose service.
	Kind string
	// Name is metadata.name, or the Compose service name.
	Name string
	// Replicas is how many pods run at once: spec.replicas (default 1),
	// Job parallelism, Compose deploy.replicas or scale. It is 0 when
	// PerNode is set.
	Replicas int
	// ReplicasFromVariable is set when the count was not a literal number (a
	// Helm value left unrendered): Replicas is then the default.
	ReplicasFromVariable bool
	// PerNode is set for a DaemonSet: one pod on every node.
	PerNode bool
	// KindRange is where the kind (Kubernetes) or service key (Compose) is
	// written.
	KindRange source.Range
	Pod       Pod

	images []ImageUse // Images, made once
}

// Pod is a pod template (or a Compose service, as a pod of one container).
type Pod struct {
	Containers []*Container
	Volumes    []*Volume
	// Security is the pod-level securityContext.
	Security Security
	// Arch is nodeSelector kubernetes.io/arch ("arm64"), "" when unset.
	Arch string
	// OS is nodeSelector kubernetes.io/os, "" when unset.
	OS string
}

// ContainerKind says where a container is declared in the pod spec.
type ContainerKind int

const (
	Regular   ContainerKind = iota // spec.containers, a Compose service
	Init                           // spec.initContainers
	Ephemeral                      // spec.ephemeralContainers
)

func (k ContainerKind) String() string {
	switch k {
	case Init:
		return "init container"
	case Ephemeral:
		return "ephemeral container"
	}
	return "container"
}

// Container is one container of a pod.
type Container struct {
	Kind ContainerKind
	Name string
	// Image is the reference as written (Compose: after interpolation).
	Image      string
	ImageRange source.Range
	// Command and Args override the image's ENTRYPOINT and CMD (Compose:
	// entrypoint and command). Has* tell an absent field from an empty one.
	Command, Args       []string
	HasCommand, HasArgs bool
	// CommandRange is where the command key is written (args when there is
	// no command).
	CommandRange source.Range
	Security     Security
	Mounts       []Mount
	// Built is set for a Compose service with build: its image is built
	// from a Dockerfile (dockvet lint judges it) and image: only names the
	// result, so it is neither pulled nor looked up.
	Built bool
}

// Security is what a securityContext says about the user (Compose: user).
type Security struct {
	RunAsUser    *int64
	RunAsNonRoot *bool
	// User is Compose's user: value ("1000", "app:app"); "" when unset.
	User string
	// UserRange is where runAsUser (or Compose user) is written.
	UserRange source.Range
}

// Mount is a volumeMount (Compose: a volume or tmpfs target).
type Mount struct {
	Volume string // volume name; "" for a Compose bind mount or anonymous volume
	Path   string
	Range  source.Range
}

// Volume is one entry of spec.volumes.
type Volume struct {
	Name     string
	EmptyDir bool
	// Image is the reference of an `image` volume (image.reference), ""
	// for other volume types.
	Image      string
	ImageRange source.Range
	Range      source.Range
}

// ImageUse is one place a workload names an image: a container's image or
// an image volume's reference.
type ImageUse struct {
	Ref   string
	Range source.Range
	// Container is nil for an image volume.
	Container *Container
	// Volume is set for an image volume.
	Volume *Volume

	validity uint8 // ValidReference(Ref), once: 0 unknown, 1 valid, 2 not
}

// Judgeable reports whether an image use names an image the rules can
// judge: a valid reference, not the tag of a Compose service's own build.
func (u *ImageUse) Judgeable() bool {
	if u.validity == 0 {
		u.validity = 2
		if ValidReference(u.Ref) {
			u.validity = 1
		}
	}
	return u.validity == 1 && (u.Container == nil || !u.Container.Built)
}

// Images lists every image reference of the workload in source order of
// the pod spec: containers (regular, init, ephemeral) then image volumes.
// The list is made once (Parse makes it) and shared: callers must not
// modify it.
func (w *Workload) Images() []ImageUse {
	if w.images == nil {
		w.images = w.listImages()
	}
	return w.images
}

func (w *Workload) listImages() []ImageUse {
	out := []ImageUse{}
	for _, c := range w.Pod.Containers {
		if c.Image != "" {
			out = append(out, ImageUse{Ref: c.Image, Range: c.ImageRange, Container: c})
		}
	}
	for _, v := range w.Pod.Volumes {
		if v.Image != "" {
			out = append(out, ImageUse{Ref: v.Image, Range: v.ImageRange, Volume: v})
		}
	}
	return out
}

// Platform is the platform the pod's nodes run ("linux/arm64" from a
// nodeSelector), or "" when the pod does not say (the run's --platform).
func (w *Workload) Platform() string {
	if w.Pod.Arch == "" {
		return ""
	}
	os := w.Pod.OS
	if os == "" {
		os = "linux"
	}
	return os + "/" + w.Pod.Arch
}

// MountAt returns the container's mount whose path is p or a parent of p
// (a volume mounted at /data also covers the image's VOLUME /data/db),
// nil when none.
func (c *Container) MountAt(p string) *Mount {
	p = cleanPath(p)
	for i := range c.Mounts {
		m := cleanPath(c.Mounts[i].Path)
		if m == p || m == "/" || len(p) > len(m) && p[:len(m)] == m && p[len(m)] == '/' {
			return &c.Mounts[i]
		}
	}
	return nil
}

// Volume returns the pod volume named name, nil when none.
func (p *Pod) Volume(name string) *Volume {
	for _, v := range p.Volumes {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// EffectiveSecurity merges the container's securityContext over the pod's,
// as the kubelet does: a field set on the container wins.
func (w *Workload) EffectiveSecurity(c *Container) Security {
	s := w.Pod.Security
	if c.Security.RunAsUser != nil {
		s.RunAsUser, s.UserRange = c.Security.RunAsUser, c.Security.UserRange
	}
	if c.Security.RunAsNonRoot != nil {
		s.RunAsNonRoot = c.Security.RunAsNonRoot
	}
	if c.Security.User != "" {
		s.User, s.UserRange = c.Security.User, c.Security.UserRange
	}
	return s
}

func cleanPath(p string) string {
	for len(p) > 1 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	return p
}

// ValidReference reports whether ref can name an image: not empty, and not
// a placeholder (<image_url>), an unrendered template ({{ .Values.image }},
// ${IMAGE}, $(IMAGE)) or text with spaces. Rules stay silent on the others,
// which name no image to judge.
func ValidReference(ref string) bool {
	if ref == "" || strings.ContainsAny(ref, "<>{}$() \t\"'") {
		return false
	}
	_, err := name.ParseReference(ref, name.WeakValidation)
	return err == nil
}
