package manifest

import (
	yaml "go.yaml.in/yaml/v4"
)

// podSpecPath is where each workload kind keeps its pod spec. A switch,
// not a map: nothing to build at start-up.
func podSpecPath(kind string) ([]string, bool) {
	switch kind {
	case "Pod":
		return podSpec, true
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job":
		return templateSpec, true
	case "CronJob":
		return jobTemplateSpec, true
	}
	return nil, false
}

var (
	podSpec         = []string{"spec"}
	templateSpec    = []string{"spec", "template", "spec"}
	jobTemplateSpec = []string{"spec", "jobTemplate", "spec", "template", "spec"}
)

// IsWorkloadKind reports whether dockvet reads documents of this kind.
func IsWorkloadKind(kind string) bool {
	_, ok := podSpecPath(kind)
	return ok || kind == "List"
}

// addKubeDocument reads one YAML document into f: a workload, a List of
// them, or another kind (counted in f.Skipped). Empty documents are
// ignored. viaAlias says the node was reached through a YAML alias.
func (s *Stream) addKubeDocument(f *File, doc *yaml.Node, viaAlias bool) {
	if viaAlias {
		s.aliased++
		if s.aliased > MaxAliasedObjects {
			return
		}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.AliasNode {
		viaAlias = true
		doc = deref(doc)
	}
	if doc == nil || doc.Kind != yaml.MappingNode {
		return
	}
	kindKey, kindNode := field(doc, "kind")
	kind := scalar(kindNode)
	if kind == "List" || kind != "" && len(kind) > 4 && kind[len(kind)-4:] == "List" && value(doc, "items") != nil {
		list := deref(value(doc, "items"))
		if list == nil || list.Kind != yaml.SequenceNode {
			return
		}
		// A List reached through an alias names its items through it too.
		listAliased := viaAlias || itemsAliased(doc)
		for _, it := range list.Content {
			if s.aliased > MaxAliasedObjects {
				return
			}
			s.addKubeDocument(f, it, listAliased)
		}
		return
	}
	specPath, ok := podSpecPath(kind)
	if !ok {
		if kind == "" {
			return // not a Kubernetes object (Helm values, CI workflows...)
		}
		if f.Skipped == nil {
			f.Skipped = map[string]int{}
		}
		f.Skipped[kind]++
		return
	}
	w := &Workload{Kind: kind, Name: scalar(nested(doc, "metadata", "name")), Replicas: 1, KindRange: nodeRange(kindKey)}
	spec := value(doc, "spec")
	switch kind {
	case "DaemonSet":
		w.PerNode, w.Replicas = true, 0
	case "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController":
		w.setReplicas(value(spec, "replicas"))
	case "Job":
		w.setReplicas(value(spec, "parallelism"))
	case "CronJob":
		w.setReplicas(nested(spec, "jobTemplate", "spec", "parallelism"))
	}
	w.Pod = readPodSpec(nested(doc, specPath...))
	f.Workloads = append(f.Workloads, w)
}

// itemsAliased reports whether a List's items are named through an alias
// (items: *pods, or a merge key <<: *list that brings them).
func itemsAliased(list *yaml.Node) bool {
	for i := 0; i+1 < len(list.Content); i += 2 {
		if list.Content[i].Value == "items" && list.Content[i].Tag != "!!merge" {
			return list.Content[i+1].Kind == yaml.AliasNode
		}
	}
	return true
}

// setReplicas reads a replica count; absent means the default (1), a
// non-number (an unrendered template) is noted and keeps the default.
func (w *Workload) setReplicas(n *yaml.Node) {
	if n == nil || scalar(n) == "" {
		return
	}
	if v, ok := intValue(n); ok && v >= 0 && v < 1<<31 {
		w.Replicas = int(v)
		return
	}
	w.ReplicasFromVariable = true
}

func readPodSpec(spec *yaml.Node) Pod {
	var p Pod
	p.Security = readSecurity(value(spec, "securityContext"))
	p.Arch = scalar(nested(spec, "nodeSelector", "kubernetes.io/arch"))
	p.OS = scalar(nested(spec, "nodeSelector", "kubernetes.io/os"))
	for _, list := range []struct {
		key  string
		kind ContainerKind
	}{{"initContainers", Init}, {"containers", Regular}, {"ephemeralContainers", Ephemeral}} {
		for _, c := range items(value(spec, list.key)) {
			p.Containers = append(p.Containers, readContainer(c, list.kind))
		}
	}
	for _, v := range items(value(spec, "volumes")) {
		vol := &Volume{Name: scalar(value(v, "name")), Range: nodeRange(v)}
		if _, ed := field(v, "emptyDir"); ed != nil {
			vol.EmptyDir = true
		}
		if ref := nested(v, "image", "reference"); scalar(ref) != "" {
			vol.Image, vol.ImageRange = scalar(ref), nodeRange(ref)
		}
		p.Volumes = append(p.Volumes, vol)
	}
	return p
}

func readContainer(n *yaml.Node, kind ContainerKind) *Container {
	c := &Container{Kind: kind, Name: scalar(value(n, "name"))}
	img := value(n, "image")
	c.Image, c.ImageRange = scalar(img), nodeRange(img)
	cmdKey, cmd := field(n, "command")
	argsKey, args := field(n, "args")
	c.Command, c.HasCommand = stringList(cmd)
	c.Args, c.HasArgs = stringList(args)
	switch {
	case cmdKey != nil:
		c.CommandRange = nodeRange(cmdKey)
	case argsKey != nil:
		c.CommandRange = nodeRange(argsKey)
	}
	c.Security = readSecurity(value(n, "securityContext"))
	for _, m := range items(value(n, "volumeMounts")) {
		mp := value(m, "mountPath")
		c.Mounts = append(c.Mounts, Mount{Volume: scalar(value(m, "name")), Path: scalar(mp), Range: nodeRange(mp)})
	}
	return c
}

func readSecurity(sc *yaml.Node) Security {
	var s Security
	if k, v := field(sc, "runAsUser"); v != nil {
		if uid, ok := intValue(v); ok {
			s.RunAsUser, s.UserRange = &uid, nodeRange(k)
		}
	}
	if b, ok := boolValue(value(sc, "runAsNonRoot")); ok {
		s.RunAsNonRoot = &b
	}
	return s
}
