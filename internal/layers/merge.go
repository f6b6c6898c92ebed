package layers

import (
	"cmp"
	"path"
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/image"
)

// groupMin is how many wasted paths in one directory (with the same adding
// and removing layers) are shown as one "dir/*" entry: `rm -rf
// /var/lib/apt/lists/*` deletes each list file by its own whiteout.
const groupMin = 4

// node is one path of the merged filesystem.
type node struct {
	kids  map[string]*node // a directory's entries
	size  int64
	layer int32 // the layer that added it; -1 for the root
	typ   Type
}

type wasteKey struct {
	path      string // the deleted, overwritten or hidden path
	layer, by int32
	how       image.WasteHow
}

type wasteSum struct {
	bytes int64
	files int
}

// merger applies listings oldest first, as a container runtime unpacks
// layers: a layer's whiteouts and opaque markers act on the layers below
// it, then its entries are added, replacing what lower layers had at the
// same path.
type merger struct {
	root    *node
	names   map[string]string // interned path components
	waste   map[wasteKey]*wasteSum
	info    *image.DeepInfo
	volumes []string
}

func newMerger(n int, volumes []string) *merger {
	return &merger{
		root:    &node{typ: TypeDir, layer: -1},
		names:   map[string]string{},
		waste:   map[wasteKey]*wasteSum{},
		info:    &image.DeepInfo{Layers: make([]image.DeepLayer, n)},
		volumes: volumes,
	}
}

func (m *merger) intern(s string) string {
	if v, ok := m.names[s]; ok {
		return v
	}
	s = strings.Clone(s) // do not keep the listing's path alive
	m.names[s] = s
	return s
}

// add merges layer i.
func (m *merger) add(i int, li *Listing) {
	dl := &m.info.Layers[i]
	dl.Digest = li.Digest
	dl.UncompressedSize = li.UncompressedSize
	for _, e := range li.Entries {
		switch e.Type {
		case TypeWhiteout:
			m.remove(e.Path, i)
		case TypeOpaque:
			m.hide(e.Path, i)
		}
	}
	for _, e := range li.Entries {
		if e.Type == TypeWhiteout || e.Type == TypeOpaque {
			continue
		}
		if e.Type != TypeDir {
			dl.Files++
		}
		m.put(e, i)
	}
}

// find returns the node at p ("" is the root) and its parent; n is nil
// when nothing is there.
func (m *merger) find(p string) (parent *node, name string, n *node) {
	if p == "" {
		return nil, "", m.root
	}
	cur := m.root
	for {
		name, rest, more := strings.Cut(p, "/")
		next := cur.kids[name]
		if !more {
			return cur, name, next
		}
		if next == nil || next.typ != TypeDir {
			return nil, "", nil
		}
		cur, p = next, rest
	}
}

// remove applies a whiteout of layer by.
func (m *merger) remove(p string, by int) {
	parent, name, n := m.find(p)
	if n == nil || parent == nil {
		return
	}
	delete(parent.kids, name)
	m.account(n, "/"+p, by, image.WasteDeleted)
}

// hide applies an opaque marker of layer by: the directory's lower contents
// go.
func (m *merger) hide(p string, by int) {
	_, _, n := m.find(p)
	if n == nil || n.typ != TypeDir {
		return
	}
	op := "/" + p
	for _, k := range n.kids {
		m.account(k, op, by, image.WasteHidden)
	}
	n.kids = nil
}

// put adds an entry of layer i, creating missing parent directories.
func (m *merger) put(e Entry, i int) {
	cur := m.root
	rest := e.Path
	for {
		name, tail, more := strings.Cut(rest, "/")
		if !more {
			break
		}
		next := cur.kids[name]
		if next == nil || next.typ != TypeDir {
			if next != nil {
				// A file or symlink below becomes a directory.
				m.account(next, "/"+e.Path[:len(e.Path)-len(tail)-1], i, image.WasteOverwritten)
			}
			next = &node{typ: TypeDir, layer: int32(i)}
			m.setKid(cur, name, next)
		}
		cur, rest = next, tail
	}
	if old := cur.kids[rest]; old != nil {
		if old.typ == TypeDir && e.Type == TypeDir {
			return // the directory again (its metadata, or a parent of a change)
		}
		m.account(old, "/"+e.Path, i, image.WasteOverwritten)
	}
	m.setKid(cur, rest, &node{size: e.Size, layer: int32(i), typ: e.Type})
}

func (m *merger) setKid(dir *node, name string, n *node) {
	if dir.kids == nil {
		dir.kids = map[string]*node{}
	}
	dir.kids[m.intern(name)] = n
}

// account records that layer by deleted, overwrote or hid everything at
// and below n, under the path op.
func (m *merger) account(n *node, op string, by int, how image.WasteHow) {
	n.eachFile(func(x *node) {
		if x.layer < 0 {
			return
		}
		k := wasteKey{path: op, layer: x.layer, by: int32(by), how: how}
		s := m.waste[k]
		if s == nil {
			s = &wasteSum{}
			m.waste[k] = s
		}
		s.bytes += x.size
		s.files++
		m.info.Layers[x.layer].Wasted += x.size
	})
}

// eachFile calls fn for every entry at and below n that is not a
// directory, without recursion (trees from hostile layers can be deep).
func (n *node) eachFile(fn func(*node)) {
	stack := []*node{n}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x.typ == TypeDir {
			for _, k := range x.kids {
				stack = append(stack, k)
			}
			continue
		}
		fn(x)
	}
}

// result summarises the merge.
func (m *merger) result() *image.DeepInfo {
	info := m.info
	for _, l := range info.Layers {
		info.UncompressedSize += l.UncompressedSize
	}

	recs := make([]image.WastedPath, 0, len(m.waste))
	pairs := map[[2]int]*image.WastePair{}
	for k, s := range m.waste {
		info.Wasted += s.bytes
		pk := [2]int{int(k.layer), int(k.by)}
		p := pairs[pk]
		if p == nil {
			p = &image.WastePair{Layer: pk[0], By: pk[1]}
			pairs[pk] = p
		}
		p.Bytes += s.bytes
		p.Files += s.files
		if s.bytes > 0 {
			recs = append(recs, image.WastedPath{Path: k.path, Bytes: s.bytes, Files: s.files, Layer: int(k.layer), By: int(k.by), How: k.how})
		}
	}
	recs = groupWaste(recs)
	slices.SortFunc(recs, func(a, b image.WastedPath) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.By, b.By))
	})
	if len(recs) > image.MaxWastePaths {
		recs = recs[:image.MaxWastePaths]
	}
	info.Waste = recs
	for _, p := range pairs {
		if p.Bytes > 0 {
			info.WastePairs = append(info.WastePairs, *p)
		}
	}
	slices.SortFunc(info.WastePairs, func(a, b image.WastePair) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.By, b.By))
	})
	info.Volumes = m.volumeData()
	return info
}

// groupWaste folds groupMin or more wasted paths of one directory, added
// and removed by the same layers in the same way, into one "dir/*".
func groupWaste(recs []image.WastedPath) []image.WastedPath {
	type key struct {
		dir       string
		layer, by int
		how       image.WasteHow
	}
	groups := map[key][]int{}
	for i, r := range recs {
		if r.How == image.WasteHidden {
			continue
		}
		k := key{dir: path.Dir(r.Path), layer: r.Layer, by: r.By, how: r.How}
		groups[k] = append(groups[k], i)
	}
	drop := make([]bool, len(recs))
	var out []image.WastedPath
	for k, idx := range groups {
		if len(idx) < groupMin {
			continue
		}
		g := image.WastedPath{Path: strings.TrimSuffix(k.dir, "/") + "/*", Layer: k.layer, By: k.by, How: k.how}
		for _, i := range idx {
			g.Bytes += recs[i].Bytes
			g.Files += recs[i].Files
			drop[i] = true
		}
		out = append(out, g)
	}
	for i, r := range recs {
		if !drop[i] {
			out = append(out, r)
		}
	}
	return out
}

// volumeData measures what the final filesystem holds under each volume.
func (m *merger) volumeData() []image.VolumeData {
	var out []image.VolumeData
	seen := map[string]bool{}
	for _, v := range m.volumes {
		p := path.Clean("/" + v)
		if p == "/" || seen[p] {
			continue
		}
		seen[p] = true
		_, _, n := m.find(p[1:])
		if n == nil || n.typ != TypeDir {
			continue
		}
		vd := image.VolumeData{Path: v}
		by := map[int32]*image.VolumeLayer{}
		n.eachFile(func(x *node) {
			vd.Bytes += x.size
			vd.Files++
			vl := by[x.layer]
			if vl == nil {
				vl = &image.VolumeLayer{Layer: int(x.layer)}
				by[x.layer] = vl
			}
			vl.Bytes += x.size
			vl.Files++
		})
		if vd.Files == 0 {
			continue
		}
		for _, vl := range by {
			vd.Layers = append(vd.Layers, *vl)
		}
		slices.SortFunc(vd.Layers, func(a, b image.VolumeLayer) int { return cmp.Compare(a.Layer, b.Layer) })
		out = append(out, vd)
	}
	slices.SortFunc(out, func(a, b image.VolumeData) int { return cmp.Compare(a.Path, b.Path) })
	return out
}
