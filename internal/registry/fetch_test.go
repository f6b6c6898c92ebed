package registry

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

func sha256Hash(b []byte) v1.Hash {
	s := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(s[:])}
}

func sha512Hash(b []byte) v1.Hash {
	s := sha512.Sum512(b)
	return v1.Hash{Algorithm: "sha512", Hex: hex.EncodeToString(s[:])}
}

// TestCheckDigest: sha256 and sha512 are verified; any other algorithm is
// refused rather than trusted unverified.
func TestCheckDigest(t *testing.T) {
	content := []byte(`{"os":"linux"}`)
	other := []byte(`{"os":"windows"}`)
	tests := []struct {
		name    string
		h       v1.Hash
		wantErr string // "" for success
	}{
		{"sha256 match", sha256Hash(content), ""},
		{"sha256 mismatch", sha256Hash(other), "does not match digest"},
		{"sha512 match", sha512Hash(content), ""},
		{"sha512 mismatch", sha512Hash(other), "does not match digest"},
		{"sha512 with a sha256 hex", v1.Hash{Algorithm: "sha512", Hex: sha256Hash(content).Hex}, "does not match digest"},
		{"md5", v1.Hash{Algorithm: "md5", Hex: "d41d8cd98f00b204e9800998ecf8427e"}, "unsupported digest algorithm"},
		{"sha384", v1.Hash{Algorithm: "sha384", Hex: strings.Repeat("0", 96)}, "unsupported digest algorithm"},
		{"made up", v1.Hash{Algorithm: "trustme", Hex: "00"}, "unsupported digest algorithm"},
		{"empty", v1.Hash{}, "unsupported digest algorithm"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkDigest(content, tc.h)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("checkDigest: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("checkDigest accepted %s", tc.h)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("checkDigest: %v, want %q", err, tc.wantErr)
			}
			if tc.wantErr != "" {
				if reason, _ := reasonOf(t.Context(), faultTimeout, err); reason != ReasonInvalid {
					t.Errorf("reason = %q, want %q", reason, ReasonInvalid)
				}
			}
		})
	}
}

// TestInlineConfigChecks: a manifest's inline config (descriptor data) is
// verified with the algorithm its digest names, refused with any other
// algorithm, and bounded by MaxConfigSize.
func TestInlineConfigChecks(t *testing.T) {
	img := registrytest.Image(t, registrytest.Spec{User: "inline"})
	raw, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	forged := bytes.Replace(raw, []byte(`"inline"`), []byte(`"root"`), 1)
	tests := []struct {
		name   string
		edit   func(d *v1.Descriptor)
		user   string // the image's user when it resolves
		reason Reason // else the failure
	}{
		{"sha256", func(d *v1.Descriptor) { d.Data = raw }, "inline", ""},
		{"sha512", func(d *v1.Descriptor) {
			d.Data, d.Digest = raw, sha512Hash(raw)
		}, "inline", ""},
		{"sha512 forged", func(d *v1.Descriptor) {
			d.Data, d.Digest = forged, sha512Hash(raw)
			d.Size = int64(len(forged))
		}, "", ReasonInvalid},
		// go-containerregistry refuses other algorithms as it parses the
		// manifest; checkDigest refuses them too (TestCheckDigest).
		{"unknown algorithm", func(d *v1.Descriptor) {
			d.Data, d.Digest = forged, v1.Hash{Algorithm: "md5", Hex: "d41d8cd98f00b204e9800998ecf8427e"}
			d.Size = int64(len(forged))
		}, "", ReasonInvalid},
		{"size mismatch", func(d *v1.Descriptor) {
			d.Data = raw
			d.Size = int64(len(raw)) + 1
		}, "", ReasonInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := img.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			m = m.DeepCopy()
			tc.edit(&m.Config)
			mb, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			srv := newServer(t)
			srv.SetFault(onKind("manifest", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", string(m.MediaType))
				_, _ = w.Write(mb)
			}))
			got, err := resolveOne(t, newResolver(srv), srv.Ref("team/app:1"), "")
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("Resolve: %v", err)
				}
				if got.User != tc.user {
					t.Errorf("user = %q, want %q", got.User, tc.user)
				}
			} else {
				assertReason(t, err, tc.reason)
			}
			if n := srv.Requests().Blob; n != 0 {
				t.Errorf("blob requests = %d, want 0", n)
			}
		})
	}
}

// TestInlineConfigTooLarge: inline config data over MaxConfigSize is
// refused before it is hashed or parsed. (A manifest under
// MaxManifestSize cannot carry that much today; configBlob must not rely
// on it.)
func TestInlineConfigTooLarge(t *testing.T) {
	img := registrytest.Image(t, registrytest.Spec{})
	raw, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	big := append(bytes.Repeat([]byte(" "), MaxConfigSize), raw...)
	desc := v1.Descriptor{Data: big, Digest: sha256Hash(big), Size: int64(len(big))}
	r := New()
	_, err = r.configBlob(t.Context(), nil, name.MustParseReference("example.com/app:1").Context(), desc)
	if err == nil {
		t.Fatalf("configBlob accepted %d bytes of inline config", len(big))
	}
	if reason, _ := reasonOf(t.Context(), faultTimeout, err); reason != ReasonTooLarge {
		t.Fatalf("configBlob: %v (reason %q), want %q", err, reason, ReasonTooLarge)
	}
}
