package rules

import "testing"

// DV406 and DV407 judge an image's RUN history entries with their
// Dockerfile checks.

func TestUseraddLogBloatImage(t *testing.T) {
	runImageCases(t, UseraddLogBloat, []builtImageCase{
		{"large UID", testImage("app:1", nil, steps(debianBase, "RUN /bin/sh -c useradd -u 1000000 app # buildkit")...),
			[]string{"3:5-3:23 history entry 3 `RUN useradd -u 1000000 app`: useradd -u 1000000 without -l"}},
		{"with -l", testImage("app:1", nil, steps(debianBase, "RUN /bin/sh -c useradd -l -u 1000000 app # buildkit")...), nil},
	})
}

func TestInstallRecommendsImage(t *testing.T) {
	runImageCases(t, InstallRecommends, []builtImageCase{
		{"install without the flag", testImage("app:1", nil, steps(debianBase, "RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit")...),
			[]string{"3:23-3:38 history entry 3 `RUN apt-get update && apt-get install -y curl`: apt-get install without --no-install-recommends"}},
		{"with the flag", testImage("app:1", nil, steps(debianBase, "RUN /bin/sh -c apt-get install -y --no-install-recommends curl # buildkit")...), nil},
	})
}
