package registry

import "testing"

// TestLimitForClassifiesByRouteNotName: the kind of a request is the
// segment before its reference, not any segment of the repository name.
func TestLimitForClassifiesByRouteNotName(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{"/v2/team/app/manifests/1", "manifest"},
		{"/v2/team/app/blobs/sha256:abc", "config"},
		{"/v2/team/manifests/blobs/sha256:abc", "config"},
		{"/v2/team/blobs/manifests/latest", "manifest"},
		{"/v2/team/manifests/app/blobs/sha256:abc", "config"},
		{"/v2/", ""},
		{"/token", ""},
		{"/v2/team/app/tags/list", ""},
		{"/cdn/manifests/x", ""},
	}
	for _, tt := range tests {
		if _, got := limitFor(tt.path); got != tt.want {
			t.Errorf("limitFor(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
