package engine

import "github.com/dockvet/dockvet/internal/buildctx"

// BuildContext returns the build context the rules saw for a file (the one
// Lint opened, shared and already read as far as they needed), nil when the
// file has none or the engine has no ContextSettings. Problems reading it
// were warned about by Lint.
func (e *Engine) BuildContext(in Input) *buildctx.Context {
	return e.contexts.forInput(in)
}
