package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/docker/cli/cli/config"
	dockercreds "github.com/docker/cli/cli/config/credentials"
	"github.com/docker/docker-credential-helpers/client"
	"github.com/docker/docker-credential-helpers/credentials"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// minSecretLen is the shortest credential redacted by value: shorter ones
// would mangle ordinary words of a message, and guess in a few tries anyway.
const minSecretLen = 4

// secrets are the credential values a Resolver has obtained from its
// keychain. Every error detail is redacted of them by value, whatever the
// registry echoed or the patterns of scrub miss.
type secrets struct {
	mu   sync.RWMutex
	vals map[string]bool
}

func (s *secrets) add(vals ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vals == nil {
		s.vals = map[string]bool{}
	}
	for _, v := range vals {
		if len(v) >= minSecretLen {
			s.vals[v] = true
		}
	}
}

// redact replaces every known secret in str.
func (s *secrets) redact(str string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for v := range s.vals {
		str = strings.ReplaceAll(str, v, "[redacted]")
	}
	return str
}

// recordingKeychain resolves credentials through inner, records their
// values in secrets, and replaces any failure by a credentialError: a
// failing credential helper's output (which may be the credential itself)
// is never kept.
type recordingKeychain struct {
	inner   authn.Keychain
	secrets *secrets
}

func (k recordingKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), r)
}

func (k recordingKeychain) ResolveContext(ctx context.Context, r authn.Resource) (authn.Authenticator, error) {
	a, err := authn.Resolve(ctx, k.inner, r)
	if err != nil {
		return nil, &credentialError{registry: r.RegistryStr()}
	}
	if a == nil || a == authn.Anonymous {
		return a, nil
	}
	cfg, err := authn.Authorization(ctx, a)
	if err != nil {
		return nil, &credentialError{registry: r.RegistryStr()}
	}
	if cfg != nil {
		k.secrets.add(cfg.Password, cfg.Auth, cfg.IdentityToken, cfg.RegistryToken)
		if cfg.Username != "" && cfg.Password != "" {
			k.secrets.add(base64.StdEncoding.EncodeToString([]byte(cfg.Username + ":" + cfg.Password)))
		}
	}
	return a, nil
}

// credentialError: the keychain (docker config, credential helper) failed.
// It says where, never what the helper printed.
type credentialError struct{ registry string }

func (e *credentialError) Error() string {
	return fmt.Sprintf("could not get credentials for %s from the docker config or its credential helper (run the helper by hand to see why)", e.registry)
}

// quietKeychain is authn.DefaultKeychain, except that a credential helper
// (credHelpers or credsStore in the docker config) is run by us: under the
// lookup's context, so that a hanging helper cannot outlast the deadline,
// and with its stderr discarded. The docker-credential-helpers client that
// DefaultKeychain uses connects a helper's stderr to ours, so a failing
// helper could print a credential into dockvet's output.
type quietKeychain struct{}

func (k quietKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return k.ResolveContext(context.Background(), r)
}

func (quietKeychain) ResolveContext(ctx context.Context, target authn.Resource) (authn.Authenticator, error) {
	cf, err := config.Load(os.Getenv("DOCKER_CONFIG"))
	if err != nil || cf == nil || (cf.CredentialsStore == "" && len(cf.CredentialHelpers) == 0) {
		return authn.Resolve(ctx, authn.DefaultKeychain, target)
	}
	// The keys DefaultKeychain tries: the repository, then the registry.
	for _, key := range []string{target.String(), target.RegistryStr()} {
		if key == name.DefaultRegistry {
			key = authn.DefaultAuthKey
		}
		helper := cf.CredentialHelpers[key]
		if helper == "" {
			helper = cf.CredentialsStore
		}
		if helper == "" {
			continue
		}
		creds, err := client.Get(quietProgram(ctx, "docker-credential-"+helper), key)
		if credentials.IsErrCredentialsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if creds.Username == "<token>" {
			return authn.FromConfig(authn.AuthConfig{IdentityToken: creds.Secret}), nil
		}
		return authn.FromConfig(authn.AuthConfig{Username: creds.Username, Password: creds.Secret}), nil
	}
	// No helper knows it: the config's own auths, as docker falls back to
	// (not through DefaultKeychain, which would run the helper again).
	for _, key := range []string{target.String(), target.RegistryStr()} {
		if key == name.DefaultRegistry {
			key = authn.DefaultAuthKey
		}
		for addr, ac := range cf.AuthConfigs {
			if addr != key && dockercreds.ConvertToHostname(addr) != key {
				continue
			}
			cfg := authn.AuthConfig{Username: ac.Username, Password: ac.Password, Auth: ac.Auth, IdentityToken: ac.IdentityToken, RegistryToken: ac.RegistryToken}
			if cfg != (authn.AuthConfig{}) {
				return authn.FromConfig(cfg), nil
			}
		}
	}
	return authn.Anonymous, nil
}

// quietProgram runs a credential helper under ctx with its stderr
// discarded (exec keeps a little of it in the *exec.ExitError, which the
// client does not print and we never keep).
func quietProgram(ctx context.Context, command string) client.ProgramFunc {
	return func(args ...string) client.Program {
		cmd := exec.CommandContext(ctx, command, args...)
		cmd.WaitDelay = time.Second
		return &helperProcess{cmd: cmd}
	}
}

type helperProcess struct{ cmd *exec.Cmd }

func (p *helperProcess) Output() ([]byte, error) { return p.cmd.Output() }
func (p *helperProcess) Input(in io.Reader)      { p.cmd.Stdin = in }
