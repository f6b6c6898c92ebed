package registry

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/dockvet/dockvet/internal/registry/registrytest"
)

const echoedPass = "S3cretPassw0rd"

// failingKeychain fails as authn.DefaultKeychain does when a credential
// helper exits non-zero: with the helper's output in the error.
type failingKeychain struct{}

func (failingKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return nil, fmt.Errorf("error getting credentials - err: exit status 1, out: `user:%s`", echoedPass)
}

// TestCredentialsNeverInErrors: whatever a registry echoes in its error
// body and whatever a failing credential helper prints, the error says why
// in a short, sanitized reason that holds no credential.
func TestCredentialsNeverInErrors(t *testing.T) {
	const user = "ci-bot"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + echoedPass))
	echo := fmt.Sprintf("invalid login: user %s password %s (Authorization: Basic %s)", user, echoedPass, basic)
	tests := []struct {
		name  string
		fault registrytest.Fault
		kc    authn.Keychain
		want  Reason
	}{
		{"token endpoint echoes the password", onKind("token", registryError(401, "UNAUTHORIZED", echo)), nil, ReasonUnauthorized},
		{"manifest error echoes the password", onKind("manifest", registryError(403, "DENIED", echo)), nil, ReasonDenied},
		{"error code is the password", onKind("manifest", registryError(404, echoedPass, "x")), nil, ReasonNotFound},
		{"plain-text body echoes the password", onKind("manifest", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(500)
			_, _ = w.Write([]byte(echo))
		}), nil, ReasonServer},
		{"credential helper prints the password", nil, failingKeychain{}, ReasonUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := registrytest.New(t, registrytest.WithAuth(user, echoedPass))
			srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{}))
			srv.SetFault(tt.fault)
			kc := tt.kc
			if kc == nil {
				kc = registrytest.Keychain(srv.Host(), user, echoedPass)
			}
			_, err := resolveOne(t, New(WithKeychain(kc), WithTimeout(faultTimeout)), srv.Ref("team/app:1"), "")
			re := assertReason(t, err, tt.want)
			if re == nil {
				return
			}
			for _, secret := range []string{echoedPass, basic, srv.Token()} {
				if strings.Contains(re.Error(), secret) {
					t.Errorf("error %q holds a credential", re.Error())
				}
			}
		})
	}
}

// TestRedactKnownSecrets: a credential the keychain handed out is redacted
// by value from any detail, even where no pattern would catch it.
func TestRedactKnownSecrets(t *testing.T) {
	var s secrets
	s.add(echoedPass, "abc") // too short to redact
	kc := recordingKeychain{inner: registrytest.Keychain("r.example", "u", "Another-Pa55"), secrets: &s}
	if _, err := kc.Resolve(mustRepo(t, "r.example/x")); err != nil {
		t.Fatal(err)
	}
	e := classify(t.Context(), faultTimeout, "r.example/x:1", errors.New("weird: "+echoedPass+" Another-Pa55 "+base64.StdEncoding.EncodeToString([]byte("u:Another-Pa55"))+" abc"), &s)
	if got, want := e.Detail, "weird: [redacted] [redacted] [redacted] abc"; got != want {
		t.Errorf("detail %q, want %q", got, want)
	}
}

func mustRepo(t *testing.T, s string) name.Repository {
	t.Helper()
	r, err := name.NewRepository(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestQuietKeychainFallsBackToAuths: a credsStore helper that does not know
// the registry leaves the config's own auths to answer, and runs once.
func TestQuietKeychainFallsBackToAuths(t *testing.T) {
	srv := newServer(t)
	srv.Push(t, "team/app:1", registrytest.Image(t, registrytest.Spec{User: "app"}))
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	script := "#!/bin/sh\necho x >> '" + calls + "'\necho 'credentials not found in native keychain'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, "docker-credential-dvnone"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	auth := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPass))
	cfg := `{"credsStore":"dvnone","auths":{"http://` + srv.Host() + `":{"auth":"` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DOCKER_CONFIG", dir)
	if img := mustResolve(t, New(WithTimeout(faultTimeout)), srv.Ref("team/app:1"), ""); img.User != "app" {
		t.Errorf("user = %q", img.User)
	}
	b, _ := os.ReadFile(calls)
	if n := strings.Count(string(b), "x"); n != 2 {
		t.Errorf("helper ran %d times, want 2 (repository key, then registry key)", n)
	}
}
