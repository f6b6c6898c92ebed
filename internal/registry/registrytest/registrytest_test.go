package registrytest_test

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

func TestServer(t *testing.T) {
	srv := registrytest.New(t, registrytest.WithAuth("u", "p"))
	want := registrytest.Image(t, registrytest.Spec{User: "app", Volumes: []string{"/data"}, Platform: "linux/arm64/v8"})
	dg := srv.Push(t, "team/app:1", want)
	if got := srv.Requests(); got.Total() != 0 {
		t.Fatalf("Push was counted: %+v", got)
	}
	ref, err := name.ParseReference(srv.Ref("team/app:1"))
	if err != nil {
		t.Fatal(err)
	}

	if _, err := remote.Image(ref, remote.WithAuthFromKeychain(registrytest.Keychain(srv.Host(), "u", "wrong"))); err == nil {
		t.Error("wrong password accepted")
	}
	if _, err := remote.Image(ref, remote.WithAuthFromKeychain(authn.NewMultiKeychain())); err == nil {
		t.Error("anonymous pull accepted")
	}
	srv.Reset()
	img, err := remote.Image(ref, remote.WithAuthFromKeychain(srv.Keychain()))
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.User != "app" || cf.Architecture != "arm64" || cf.Variant != "v8" {
		t.Errorf("config = %+v", cf)
	}
	if got, _ := img.Digest(); got != dg {
		t.Errorf("digest = %s, want %s", got, dg)
	}
	if want := (registrytest.Counts{Ping: 1, Token: 1, Manifest: 1, Blob: 1}); srv.Requests() != want {
		t.Errorf("requests = %+v, want %+v (%q)", srv.Requests(), want, srv.Log())
	}
}

func TestAttestedIndex(t *testing.T) {
	idx := registrytest.AttestedIndex(t,
		registrytest.Image(t, registrytest.Spec{}),
		registrytest.Image(t, registrytest.Spec{Platform: "linux/arm64"}))
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range m.Manifests {
		got = append(got, d.Platform.String()+" "+d.Annotations["vnd.docker.reference.type"])
	}
	want := []string{"linux/amd64 ", "unknown/unknown attestation-manifest", "linux/arm64 ", "unknown/unknown attestation-manifest"}
	if len(got) != len(want) {
		t.Fatalf("entries = %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %q, want %q", i, got[i], want[i])
		}
	}
}
