package rules

import "testing"

// The RUN rules judge an image's RUN history entries with their Dockerfile
// checks; these tests pin the entry mapping and the message prefix.

func TestAptListsNotRemovedImage(t *testing.T) {
	runImageCases(t, AptListsNotRemoved, []builtImageCase{
		{"BuildKit RUN", testImage("app:1", nil, steps(debianBase, "RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit", "COPY . /app # buildkit")...),
			[]string{"3:23-3:38 history entry 3 `RUN apt-get update && apt-get install -y curl`: apt-get install without removing /var/lib/apt/lists in the same RUN"}},
		{"classic RUN with build args", testImage("app:1", nil, steps(debianBase, "|1 V=1 /bin/sh -c apt-get update && apt-get install -y curl=$V")...),
			[]string{"3:23-3:38 history entry 3 `RUN apt-get update && apt-get install -y curl=$V`"}},
		{"heredoc body", testImage("app:1", nil, steps(debianBase, "RUN /bin/sh -c apt-get update\napt-get install -y curl\n # buildkit")...),
			[]string{"3:21-3:36 history entry 3 `RUN apt-get update; apt-get install -y curl`: apt-get install"}},
		{"note about cache mounts", testImage("app:1", nil, steps(debianBase, "RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit")...),
			[]string{"3:23-3:38 ; image history does not record RUN --mount"}},
		{"cleaned in the same RUN", testImage("app:1", nil, steps(debianBase, "RUN /bin/sh -c apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* # buildkit")...), nil},
		{"no history", testImage("app:1", nil), nil},
	})
}

func TestSplitAptCleanupImage(t *testing.T) {
	runImageCases(t, SplitAptCleanup, []builtImageCase{
		{"cleanup in a later entry", testImage("app:1", nil, steps(debianBase,
			"RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit",
			"COPY . /app # buildkit",
			"RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit")...),
			[]string{"5:5-5:32 history entry 5 `RUN rm -rf /var/lib/apt/lists/*`: /var/lib/apt/lists is removed in a later RUN than apt-get install on line 3"}},
	})
	ds := runImage(t, SplitAptCleanup, testImage("app:1", nil, steps(debianBase,
		"RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit",
		"RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit")...))
	if len(ds) != 1 || len(ds[0].Related) != 1 || ds[0].Related[0].Range.Start.Line != 3 {
		t.Errorf("related: %+v", ds)
	}
	if ds := runImage(t, AptListsNotRemoved, testImage("app:1", nil, steps(debianBase,
		"RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit",
		"RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit")...)); len(ds) != 0 {
		t.Errorf("DV400 also reported the install that DV401 explains: %v", ds)
	}
}

func TestAptUpdateAloneImage(t *testing.T) {
	runImageCases(t, AptUpdateAlone, []builtImageCase{
		{"update alone", testImage("app:1", nil, steps(debianBase, "RUN /bin/sh -c apt-get update # buildkit", "RUN /bin/sh -c apt-get install -y curl && rm -rf /var/lib/apt/lists/* # buildkit")...),
			[]string{"3:5-3:19 history entry 3 `RUN apt-get update`: apt-get update without an install in the same RUN"}},
		{"update with install", testImage("app:1", nil, steps(debianBase, "RUN /bin/sh -c apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* # buildkit")...), nil},
		{"a RUN in the base part counts too", testImage("app:1", nil, "ADD rootfs /", "/bin/sh -c apt-get update", `-/bin/sh -c #(nop)  CMD ["bash"]`),
			[]string{"2:5-2:19 history entry 2"}},
	})
}

func TestPackageCacheLeftImage(t *testing.T) {
	runImageCases(t, PackageCacheLeft, []builtImageCase{
		{"apk without --no-cache", testImage("app:1", nil, "ADD file:x in / ", `-CMD ["/bin/sh"]`, "RUN /bin/sh -c apk add curl # buildkit"),
			[]string{"3:5-3:12 history entry 3 `RUN apk add curl`: "}},
		{"ENV entry disables the pip cache", testImage("app:1", nil, "ADD file:x in / ", "-ENV PIP_NO_CACHE_DIR=1", "RUN /bin/sh -c pip install flask # buildkit"), nil},
	})
}

func TestRemovedInLaterLayerImage(t *testing.T) {
	runImageCases(t, RemovedInLaterLayer, []builtImageCase{
		{"COPY then rm", testImage("app:1", nil, steps(debianBase, "COPY installer.run /tmp/installer.run # buildkit", "RUN /bin/sh -c sh /tmp/installer.run && rm /tmp/installer.run # buildkit")...),
			[]string{"4:33-4:51 history entry 4 `RUN sh /tmp/installer.run && rm /tmp/installer.run`: rm /tmp/installer.run deletes what line 3 (COPY installer.run /tmp/installer.run) added"}},
	})
}
