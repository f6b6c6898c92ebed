// Package rules holds dockvet's rules, one file per rule. Each file defines a
// *rule.Rule value; All lists them for the engine, which knows no rule by name.
package rules

import "github.com/dockvet/dockvet/internal/rule"

// All returns every rule in id order.
func All() []*rule.Rule {
	return []*rule.Rule{
		SyntaxError,
		BaseImageUnresolved,
		InvalidSuppression,
		VolumeInstruction,
		VolumeOverImageData,
		InheritedVolume,
		VolumeMalformedJSON,
		LatestTag,
		UntaggedImage,
		UnresolvedImageVariable,
		UnpinnedImage,
		UntrustedRegistry,
		ShellFormCmd,
		ShellFormEntrypoint,
		RootUser,
		AptListsNotRemoved,
		SplitAptCleanup,
		AptUpdateAlone,
		PackageCacheLeft,
		RemovedInLaterLayer,
		OversizedLayer,
		OversizedImage,
		ContextNotIgnored,
		WastedLayerBytes,
		LabelSchema,
		// issue 10 part B
		SecretInImage,
		ShellMissingCommandFlag,
		CopyStageRoot,
		AddInsteadOfCopy,
	}
}
