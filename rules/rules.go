// Package rules holds dockvet's rules, one file per rule. Each file defines a
// *rule.Rule value; All lists them for the engine, which knows no rule by name.
package rules

import "github.com/dockvet/dockvet/internal/rule"

// All returns every rule: dockvet's in id order, then BuildKit's checks.
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
		PipeHidesFailure,
		InstallRecommends,
		UseraddLogBloat,
		OversizedLayer,
		OversizedImage,
		ContextNotIgnored,
		BuildToolsInFinalImage,
		DependencyInstallAfterCopyAll,
		WastedLayerBytes,
		LabelSchema,
		// BuildKit's checks (docker build --check), in BuildKit's ruleset order.
		FromAsCasing,
		StageNameCasing,
		DuplicateStageName,
		ReservedStageName,
		UndefinedVar,
		UndefinedArgInFrom,
		InvalidDefaultArgInFrom,
		WorkdirRelativePath,
		MultipleInstructionsDisallowed,
		LegacyKeyValueFormat,
		SecretsUsedInArgOrEnv,
		CopyIgnoredFile,
		InvalidBaseImagePlatform,
		RedundantTargetPlatform,
		FromPlatformFlagConstDisallowed,
		MaintainerDeprecated,
		ConsistentInstructionCasing,
		ExposeProtoCasing,
		ExposeInvalidFormat,
		NoEmptyContinuation,
		JSONArgsRecommended,
		InvalidDefinitionDescription,
	}
}
