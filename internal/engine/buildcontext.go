package engine

import "github.com/dockvet/dockvet/internal/buildctx"

// BuildContext returns the build context of a file: the one Lint opened,
// shared and already read as far as the rules needed, or, when no enabled
// rule read it (rule.ReadsContext) or the file copies nothing from it, one
// opened now. nil when the file has none or the engine has no
// ContextSettings. Problems reading it are warned about (once).
func (e *Engine) BuildContext(in Input) *buildctx.Context {
	defer e.contexts.flush()
	return e.contexts.forInput(in)
}
