package dockerfile

// FinalCommand is what the final image runs by default, as far as the
// Dockerfile declares it: the ENTRYPOINT and CMD of the final chain that are
// in effect at its end.
type FinalCommand struct {
	// Entrypoint and Cmd are the instructions in effect; nil when the final
	// chain declares none (the base image's, unknown here, applies), and Cmd
	// nil too when a later stage's ENTRYPOINT reset it.
	Entrypoint, Cmd *Instruction
}

// FinalCommand returns the ENTRYPOINT and CMD in effect in the final image.
// As BuildKit does, an ENTRYPOINT clears a CMD set before its stage (the
// base image's or a parent stage's) but not one set earlier in its own stage.
func (f *File) FinalCommand() FinalCommand {
	var fc FinalCommand
	for _, s := range f.finalChain {
		cmdInStage := false
		for _, in := range s.Instructions {
			switch in.Keyword {
			case "CMD":
				fc.Cmd, cmdInStage = in, true
			case "ENTRYPOINT":
				fc.Entrypoint = in
				if !cmdInStage {
					fc.Cmd = nil
				}
			}
		}
	}
	return fc
}

// Declared reports whether the final chain sets an ENTRYPOINT or a CMD of its
// own.
func (fc FinalCommand) Declared() bool { return fc.Entrypoint != nil || fc.Cmd != nil }

// Argv returns the command line the image starts, when the Dockerfile
// declares it: the ENTRYPOINT's words followed by the CMD's (the CMD is
// ignored after a shell-form ENTRYPOINT, as Docker does). nil when nothing is
// declared or the program is not known (a variable, a script that does not
// parse, a non-POSIX SHELL).
func (fc FinalCommand) Argv() []string {
	if fc.Entrypoint != nil {
		argv := commandWords(fc.Entrypoint)
		if argv == nil || !fc.Entrypoint.JSON || fc.Cmd == nil || !fc.Cmd.JSON {
			return argv
		}
		for _, a := range fc.Cmd.Args() {
			argv = append(argv, a.Value)
		}
		return argv
	}
	if fc.Cmd != nil {
		return commandWords(fc.Cmd)
	}
	return nil
}

// commandWords returns the words of a CMD or ENTRYPOINT: the exec form's
// strings, or the first simple command of a shell-form script (its name after
// wrappers such as exec, and its literal arguments). nil when the program
// is not known.
func commandWords(in *Instruction) []string {
	if in.JSON {
		if len(in.Args()) == 0 || in.Args()[0].Value == "" {
			return nil
		}
		argv := make([]string, len(in.Args()))
		for i, a := range in.Args() {
			argv[i] = a.Value
		}
		return argv
	}
	if in.Script == nil || len(in.Script.Calls) == 0 || in.Script.Calls[0].Name == "" {
		return nil
	}
	c := in.Script.Calls[0]
	argv := []string{c.Name}
	for _, a := range c.Args {
		if !a.Literal {
			break // the rest depends on the environment at run time
		}
		argv = append(argv, a.Value)
	}
	return argv
}
