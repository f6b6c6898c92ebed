// Package dockerfile is dockvet's front end: the only code that touches BuildKit's
// parser. It turns Dockerfile bytes into a model in which every instruction, flag,
// argument, image reference, shell command and word carries an exact source range,
// with the stage graph resolved and RUN scripts parsed as shell (mvdan.cc/sh).
//
// Rules read this model; they never re-parse text.
package dockerfile

import (
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockvet/dockvet/internal/source"
)

// File is one parsed Dockerfile. A File and its instructions are not safe
// for concurrent use, even to read: some are computed on first use and
// cached (Instruction.Args, the line table's columns).
type File struct {
	// Name is the path as given by the user (or the stdin name).
	Name string
	// RepoName is the path below the repository, for rules that read a
	// purpose into directory names: set by the engine (RepoPath), Name
	// when unset.
	RepoName string
	// Lines are the physical lines without their line terminators (a trailing
	// CR is removed too, as BuildKit does); a leading byte-order mark is dropped.
	Lines []string
	// Escape is the escape character (from `# escape=`), '\\' by default.
	Escape rune
	// Instructions lists every instruction in source order, including those
	// that BuildKit could not parse (their Command is nil).
	Instructions []*Instruction
	// MetaArgs are the ARG instructions before the first FROM.
	MetaArgs []*Instruction
	// Stages in source order.
	Stages []*Stage
	// Target is the stage whose image ships (--target, default the last stage);
	// nil when the file has no stage.
	Target *Stage
	// Errors are syntax errors (rule DV000). A file whose whole parse failed has
	// no instructions and at least one error.
	Errors []SyntaxError
	// Comments are the comment lines outside heredoc bodies (part of the
	// model: not to be read after Release).
	Comments []Comment
	// Suppressions are the `# dockvet ignore=` comments.
	Suppressions []*Suppression
	// HadolintSuppressions are the `# hadolint [global] ignore=` comments;
	// their Rules are hadolint codes (DL3007, SC2086) as written, mapped to
	// dockvet rules by the engine. Kept apart from Suppressions so that codes
	// with no dockvet equivalent are never reported as unknown rules.
	HadolintSuppressions []*Suppression
	// Options are the options the file was parsed with.
	Options Options
	// CheckDirective is the value of the file's `# check=` directive
	// (BuildKit's skip/error/experimental settings), "" when it has none;
	// CheckDirectiveLine is its line.
	CheckDirective     string
	CheckDirectiveLine int
	// BuildKitWarnings are what BuildKit's own checks reported while
	// parsing (BuildKit runs some of them in its parser), in source order.
	BuildKitWarnings []BuildKitWarning
	// ImageRefs are every image reference: FROM, COPY --from, RUN --mount=from.
	ImageRefs []*ImageRef

	finalChain []*Stage
	inFinal    map[*Stage]bool
	tab        *lineTable
	mem        *arenas
}

// BuildKitWarning is a check BuildKit's parser reported.
type BuildKitWarning struct {
	Rule    string // BuildKit's rule name, e.g. "FromAsCasing"
	Message string // BuildKit's message
	Line    int    // the line BuildKit gives
	// Instruction is the instruction reported (nil for a warning about
	// lines, NoEmptyContinuation).
	Instruction *Instruction
}

// SyntaxError is a place where BuildKit would refuse the Dockerfile.
type SyntaxError struct {
	Range   source.Range
	Message string
}

// Comment is a `#` line (text without the '#', trimmed).
type Comment struct {
	Line  int
	Text  string
	Range source.Range
}

// Instruction is one Dockerfile instruction.
type Instruction struct {
	// Keyword is the instruction name in upper case ("RUN"); KeywordRange is
	// where it is written (in whatever case).
	Keyword      string
	KeywordRange source.Range
	// Range spans from the keyword to the end of the instruction, including
	// continuation lines and heredoc bodies.
	Range source.Range
	// StartLine and EndLine are the physical lines the instruction occupies.
	StartLine, EndLine int
	// Flags are the `--name=value` builder flags, in order.
	Flags []Flag
	// ArgsRange spans all the argument text.
	ArgsRange source.Range
	// ArgsText is the logical argument text (continuations joined).
	ArgsText string
	// JSON is true for the exec (JSON array) form.
	JSON bool
	// Command is BuildKit's parsed command, nil when it failed to parse.
	// For RUN it is released once parsed (read Mounts, Flags and Script).
	Command instructions.Command
	// Node is BuildKit's AST node. For ENV, ARG and LABEL its argument
	// nodes (Node.Next) are released once parsed: read Command instead.
	Node *parser.Node
	// Stage is the stage the instruction belongs to; nil for meta ARGs (and for
	// instructions before the first FROM that failed to parse).
	Stage *Stage
	// Script is the parsed shell program of a RUN, or of a shell-form CMD or
	// ENTRYPOINT; nil for exec form or when the stage's SHELL is not POSIX.
	Script *Script
	// Shell is the SHELL in effect for this instruction (["/bin/sh", "-c"]
	// unless the stage or its parents changed it).
	Shell []string
	// Mounts are the RUN --mount options.
	Mounts []*instructions.Mount
	// Invalid is set when BuildKit refused the instruction (see File.Errors).
	Invalid bool

	logical   *textMap
	bodyStart int // first physical line of heredoc bodies (EndLine+1 when none)
	argsOff   int // the arguments are logical.text[argsOff:argsEnd]
	argsEnd   int
	fallback  bool    // logical line taken from node.Original (reconstruction disagreed)
	escape    byte    // the file's escape character, for tokenizing Args
	argsDone  bool    // args holds the tokens (see Args)
	args      []Token // nil until Args is called
	env       *env
	mem       *arenas // the file's, for Args's tokens; nil once released
}

// Flag is a builder flag such as --from=builder.
type Flag struct {
	Name       string // without the leading dashes
	Value      string
	HasValue   bool
	Range      source.Range // the whole flag
	ValueRange source.Range // the value as written, quotes included (an empty range after '=' when empty, after the flag when it has no '=')

	valueOff int       // offset of the value in the logical line
	valueMap *valueMap // offsets of the decoded value's bytes; nil when unknown
}

// Token is an argument and where it is written. For JSON form Value is the
// decoded string; otherwise it is the text as written.
type Token struct {
	Value string
	Range source.Range

	off, end int // offsets in the logical line
}

// Stage is a build stage, from its FROM to the next.
type Stage struct {
	Index int
	// Name is the lower-cased `AS` name, "" if none.
	Name      string
	NameRange source.Range
	From      *Instruction
	// Base is the FROM image reference.
	Base *ImageRef
	// Parent is the stage named by FROM, nil for an external image or scratch.
	Parent *Stage
	// Instructions after FROM, in order.
	Instructions []*Instruction

	env *env // the scope after the stage's last instruction
}

// Suppression is an inline `# dockvet ignore=...` or `# dockvet global ignore=...`.
type Suppression struct {
	Global bool
	Rules  []SuppressedRule
	// Range is the comment.
	Range source.Range
	// Instruction the suppression applies to; nil for global ones and for
	// comments that are not directly above an instruction.
	Instruction *Instruction
	// Problem explains why the comment is malformed; "" when it is fine.
	Problem string
}

// SuppressedRule is one name in a suppression list.
type SuppressedRule struct {
	Name  string
	Range source.Range
}

// FinalChain returns the stages whose content ships in the target image: the
// target and the stages it is built FROM, root first.
func (f *File) FinalChain() []*Stage { return f.finalChain }

// InFinal reports whether the stage is part of the final image.
func (f *File) InFinal(s *Stage) bool { return f.inFinal[s] }

// FinalInstructions returns the instructions (FROM included) of the final chain
// in build order: what produced the layers and config of the shipped image.
func (f *File) FinalInstructions() []*Instruction {
	n := 0
	for _, s := range f.finalChain {
		n += 1 + len(s.Instructions)
	}
	// Rules call this per file, several of them: the list comes from the
	// file's arenas while it has them (until Release), in one piece.
	var out []*Instruction
	if f.mem != nil {
		out = f.mem.lists.take(n)[:0]
	} else {
		out = make([]*Instruction, 0, n)
	}
	for _, s := range f.finalChain {
		out = append(out, s.From)
		out = append(out, s.Instructions...)
	}
	return out
}

// Flag returns the first flag with the given name.
func (in *Instruction) Flag(name string) (Flag, bool) {
	for _, fl := range in.Flags {
		if fl.Name == name {
			return fl, true
		}
	}
	return Flag{}, false
}

// Expand processes word with BuildKit's shell lexer and the ARG and ENV values
// in scope at this instruction, as BuildKit does for FROM, COPY, USER and
// friends: $VAR and ${VAR} references expanded, quotes removed, escapes
// processed. It returns the names of variables that had no value.
func (in *Instruction) Expand(word string) (string, []string) {
	return in.env.expand(word)
}
