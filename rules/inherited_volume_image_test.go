package rules

import "testing"

func TestInheritedVolumeImage(t *testing.T) {
	runImageCases(t, InheritedVolume, []builtImageCase{
		{"base part of the history", testImage("app:1", volumes("/var/lib/postgresql/data"), "ADD rootfs /", "-VOLUME [/var/lib/postgresql/data]", `-CMD ["postgres"]`, "COPY seed.sql /docker-entrypoint-initdb.d/ # buildkit"),
			[]string{"2:9-2:35 history entry 2 `VOLUME [\"/var/lib/postgresql/data\"]`: VOLUME /var/lib/postgresql/data is declared by a base image (this entry comes before the base image's CMD, entry 3): every container"}},
		{"no entry declares it", testImage("app:1", volumes("/data", "/logs"), steps(debianBase, "COPY . /app # buildkit")...),
			[]string{"0:0-0:0 VOLUME /data is declared by a base image (no history entry declares it)", "0:0-0:0 VOLUME /logs"}},
		{"own volume is DV100's", testImage("app:1", volumes("/data"), steps(debianBase, "-VOLUME [/data]")...), nil},
		{"no history at all", testImage("app:1", volumes("/data")), []string{"0:0-0:0 VOLUME /data is declared in the image config, and the image has no history to tell"}},
	})
}
