//go:build integration

// Package integration runs the dockvet binary against Debian's real
// docker-registry (the CNCF distribution server, v2 API) on loopback, with
// TLS from a throwaway CA and htpasswd basic auth. Run it with
// `make test-integration` (after test/integration/setup.sh has installed
// docker-registry and apache2-utils).
//
// One registry serves the whole package: it is started on first use, holds
// images pushed with go-containerregistry, and is stopped by process group
// in TestMain (and, should the test binary die, by Pdeathsig). Tests run
// one after another (no t.Parallel): several of them count the requests in
// the registry's access log.
package integration

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// requiredEnv makes a missing docker-registry/htpasswd a failure instead of
// a skip; .ci/run sets it.
const requiredEnv = "DOCKVET_INTEGRATION_REQUIRED"

const (
	registryUser = "dockvet-ci"
	readyTimeout = 20 * time.Second // registry start until /v2/ answers 401
	stopTimeout  = 10 * time.Second // SIGTERM until SIGKILL
	runTimeout   = 90 * time.Second // one dockvet invocation
)

// Repositories pushed by the harness.
const (
	repoBase    = "team/base:1.0"    // root, VOLUME /var/lib/data, shell-form CMD
	repoNonroot = "team/nonroot:1.0" // USER 65532, exec-form CMD
	repoMulti   = "team/multi:1.0"   // OCI index: linux/amd64 and linux/arm64/v8
)

// harness is the package-wide fixture.
type harness struct {
	dir    string // root temp dir, removed in TestMain
	bin    string // the dockvet binary under test
	caFile string // PEM bundle with the test CA, for SSL_CERT_FILE
	caPool *x509.CertPool

	regBin    string // docker-registry
	htpasswd  string // path of the htpasswd file
	certFile  string
	keyFile   string
	storage   string // registry storage root, kept across restarts
	reg       *registryServer
	host      string // 127.0.0.1:PORT
	pass      string
	wrongPass string

	goodConfig  string // DOCKER_CONFIG dir with the right credentials
	wrongConfig string // ... with a wrong password
	emptyConfig string // ... with no credentials for the registry

	secrets []string // must never appear in any output
	digests map[string]string
	layers  map[string]bool // digests of every pushed layer
}

var (
	setupOnce sync.Once
	theH      *harness
	setupErr  error
	setupSkip bool

	// servers lists every registry process started, so TestMain can make
	// sure none outlives the test binary.
	serversMu sync.Mutex
	servers   []*registryServer
)

func TestMain(m *testing.M) {
	code := m.Run()
	serversMu.Lock()
	all := slices.Clone(servers)
	serversMu.Unlock()
	for _, s := range all {
		if err := s.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "integration: stopping registry pid %d: %v\n", s.pid, err)
			code = 1
		}
		if s.alive() {
			fmt.Fprintf(os.Stderr, "integration: registry pid %d is still running after stop\n", s.pid)
			code = 1
		}
	}
	if theH != nil && theH.dir != "" && os.Getenv("DOCKVET_INTEGRATION_KEEP") == "" {
		os.RemoveAll(theH.dir)
	}
	os.Exit(code)
}

// h returns the harness, starting it on first use. It skips the test (with
// a loud message) only when docker-registry or htpasswd is not installed
// and DOCKVET_INTEGRATION_REQUIRED is not set.
func h(t *testing.T) *harness {
	t.Helper()
	setupOnce.Do(func() {
		start := time.Now()
		theH, setupErr = setup()
		if setupErr == nil {
			fmt.Fprintf(os.Stderr, "integration: harness ready in %v: registry https://%s (pid %d), dockvet %s\n",
				time.Since(start).Round(time.Millisecond), theH.host, theH.reg.pid, theH.bin)
		}
	})
	if setupSkip {
		msg := "!!! INTEGRATION TESTS SKIPPED: " + setupErr.Error() + " — run test/integration/setup.sh (or set " + requiredEnv + "=1 to make this a failure)"
		fmt.Fprintln(os.Stderr, msg)
		t.Skip(msg)
	}
	if setupErr != nil {
		t.Fatalf("integration harness: %v", setupErr)
	}
	if theH.reg == nil || !theH.reg.alive() {
		t.Fatalf("integration harness: the registry is not running (an earlier test failed to restart it)")
	}
	return theH
}

func setup() (*harness, error) {
	regBin, err := findBinary("docker-registry", "/usr/bin/docker-registry")
	if err == nil {
		_, err = findBinary("htpasswd", "/usr/bin/htpasswd")
	}
	if err != nil {
		setupSkip = os.Getenv(requiredEnv) == ""
		return nil, err
	}
	dir, err := os.MkdirTemp("", "dockvet-integration-")
	if err != nil {
		return nil, err
	}
	hh := &harness{dir: dir, regBin: regBin, digests: map[string]string{}, layers: map[string]bool{}}
	theH = hh // so TestMain removes dir even if setup fails below
	hh.pass = "s3cr3t-Pa55-" + randomHex(8)
	hh.wrongPass = "wr0ng-Pa55-" + randomHex(8)
	hh.secrets = []string{
		hh.pass, hh.wrongPass,
		base64.StdEncoding.EncodeToString([]byte(registryUser + ":" + hh.pass)),
		base64.StdEncoding.EncodeToString([]byte(registryUser + ":" + hh.wrongPass)),
		base64.RawStdEncoding.EncodeToString([]byte(registryUser + ":" + hh.pass)),
		base64.RawStdEncoding.EncodeToString([]byte(registryUser + ":" + hh.wrongPass)),
	}

	steps := []struct {
		what string
		fn   func() error
	}{
		{"build dockvet", hh.buildDockvet},
		{"make CA and server certificate", hh.makeCerts},
		{"write htpasswd", hh.writeHtpasswd},
		{"start docker-registry", func() error {
			s, err := hh.startRegistry(0)
			hh.reg = s
			return err
		}},
		{"push test images", hh.pushImages},
		{"write DOCKER_CONFIG dirs", hh.writeDockerConfigs},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return hh, fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return hh, nil
}

func findBinary(name, fallback string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	if st, err := os.Stat(fallback); err == nil && st.Mode().IsRegular() {
		return fallback, nil
	}
	return "", fmt.Errorf("%s is not installed (apt-get install docker-registry apache2-utils)", name)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// buildDockvet builds the binary under test from this module.
func (hh *harness) buildDockvet() error {
	// go test puts its own GOROOT/bin first in the test's PATH.
	goBin, err := exec.LookPath("go")
	if err != nil {
		return err
	}
	hh.bin = filepath.Join(hh.dir, "dockvet")
	cmd := exec.Command(goBin, "build", "-o", hh.bin, "github.com/dockvet/dockvet/cmd/dockvet")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	return nil
}

// makeCerts writes a throwaway CA, a server certificate for 127.0.0.1, ::1
// and localhost signed by it, and the CA bundle the dockvet subprocess trusts
// through SSL_CERT_FILE.
func (hh *harness) makeCerts() error {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "dockvet integration test CA " + randomHex(4)},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	srvKeyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		return err
	}
	tlsDir := filepath.Join(hh.dir, "tls")
	if err := os.MkdirAll(tlsDir, 0o700); err != nil {
		return err
	}
	hh.caFile = filepath.Join(tlsDir, "ca-bundle.pem")
	hh.certFile = filepath.Join(tlsDir, "server.pem")
	hh.keyFile = filepath.Join(tlsDir, "server-key.pem")
	for _, f := range []struct {
		path, typ string
		der       []byte
	}{{hh.caFile, "CERTIFICATE", caDER}, {hh.certFile, "CERTIFICATE", srvDER}, {hh.keyFile, "PRIVATE KEY", srvKeyDER}} {
		if err := os.WriteFile(f.path, pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der}), 0o600); err != nil {
			return err
		}
	}
	hh.caPool = x509.NewCertPool()
	hh.caPool.AddCert(caCert)
	return nil
}

// writeHtpasswd makes the bcrypt htpasswd file with apache2-utils' htpasswd;
// the password goes through stdin, never the command line.
func (hh *harness) writeHtpasswd() error {
	cmd := exec.Command("htpasswd", "-n", "-i", "-B", registryUser)
	cmd.Stdin = strings.NewReader(hh.pass + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("htpasswd: %w: %s", err, stderr.String())
	}
	line := strings.TrimSpace(string(out))
	if !strings.HasPrefix(line, registryUser+":$2") {
		return fmt.Errorf("htpasswd printed %q, want a bcrypt line", line)
	}
	hh.htpasswd = filepath.Join(hh.dir, "htpasswd")
	return os.WriteFile(hh.htpasswd, []byte(line+"\n"), 0o600)
}

// writeDockerConfigs writes the DOCKER_CONFIG directories the dockvet runs use.
func (hh *harness) writeDockerConfigs() error {
	write := func(sub string, auths map[string]any) (string, error) {
		d := filepath.Join(hh.dir, sub)
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", err
		}
		b, err := json.Marshal(map[string]any{"auths": auths})
		if err != nil {
			return "", err
		}
		return d, os.WriteFile(filepath.Join(d, "config.json"), b, 0o600)
	}
	auth := func(pass string) map[string]any {
		return map[string]any{hh.host: map[string]string{
			"auth": base64.StdEncoding.EncodeToString([]byte(registryUser + ":" + pass)),
		}}
	}
	var err error
	if hh.goodConfig, err = write("docker-good", auth(hh.pass)); err != nil {
		return err
	}
	if hh.wrongConfig, err = write("docker-wrong", auth(hh.wrongPass)); err != nil {
		return err
	}
	hh.emptyConfig, err = write("docker-empty", map[string]any{})
	return err
}

// ---------------------------------------------------------------------------
// The registry process.

// registryServer is one docker-registry process in its own process group.
type registryServer struct {
	pid     int
	port    int
	dir     string // config and logs of this process
	stdout  string // access log (distribution writes it to stdout)
	stderr  string // application log
	done    chan struct{}
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// startRegistry starts docker-registry on port (0: a free port) with the
// harness's storage, TLS and htpasswd, and waits until /v2/ answers 401.
func (hh *harness) startRegistry(port int) (*registryServer, error) {
	if hh.storage == "" {
		hh.storage = filepath.Join(hh.dir, "storage")
		if err := os.MkdirAll(hh.storage, 0o700); err != nil {
			return nil, err
		}
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		p := port
		if p == 0 {
			var err error
			if p, err = freePort(); err != nil {
				return nil, err
			}
		} else if attempt > 0 {
			time.Sleep(200 * time.Millisecond) // the old process's socket may linger
		}
		s, err := hh.startRegistryOnce(p)
		if err == nil {
			hh.host = "127.0.0.1:" + strconv.Itoa(p)
			return s, nil
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	return nil, lastErr
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

var startCount int

func (hh *harness) startRegistryOnce(port int) (*registryServer, error) {
	startCount++
	dir := filepath.Join(hh.dir, fmt.Sprintf("registry-%d", startCount))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: %q
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: "127.0.0.1:%d"
  secret: %q
  tls:
    certificate: %q
    key: %q
auth:
  htpasswd:
    realm: dockvet-integration
    path: %q
health:
  storagedriver:
    enabled: false
`, hh.storage, port, randomHex(16), hh.certFile, hh.keyFile, hh.htpasswd)
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	s := &registryServer{
		port:   port,
		dir:    dir,
		stdout: filepath.Join(dir, "access.log"),
		stderr: filepath.Join(dir, "registry.log"),
		done:   make(chan struct{}),
	}
	outF, err := os.Create(s.stdout)
	if err != nil {
		return nil, err
	}
	errF, err := os.Create(s.stderr)
	if err != nil {
		outF.Close()
		return nil, err
	}
	cmd := exec.Command(hh.regBin, "serve", cfgPath)
	cmd.Dir = dir
	// No REGISTRY_* variables from the caller's environment: distribution
	// reads them as config overrides.
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + dir}
	cmd.Stdout, cmd.Stderr = outF, errF
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // stop() kills the whole group
		Pdeathsig: syscall.SIGKILL, // and the kernel does if the test binary dies
	}
	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the thread that forked exits, so that thread
		// stays locked to this goroutine until the child is gone.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		s.pid = cmd.Process.Pid
		started <- nil
		s.waitErr = cmd.Wait()
		outF.Close()
		errF.Close()
		close(s.done)
	}()
	if err := <-started; err != nil {
		outF.Close()
		errF.Close()
		return nil, err
	}
	serversMu.Lock()
	servers = append(servers, s)
	serversMu.Unlock()

	if err := hh.waitReady(s); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w\n--- %s ---\n%s", err, s.stderr, tail(s.stderr, 30))
	}
	return s, nil
}

// waitReady polls https://127.0.0.1:PORT/v2/ until it answers 401 with a
// Basic challenge, the process exits, or readyTimeout passes.
func (hh *harness) waitReady(s *registryServer) error {
	client := &http.Client{Transport: hh.transport(), Timeout: time.Second}
	url := fmt.Sprintf("https://127.0.0.1:%d/v2/", s.port)
	deadline := time.Now().Add(readyTimeout)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("docker-registry (pid %d) exited before it was ready: %w", s.pid, s.waitErr)
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized && strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
				return nil
			}
			last = fmt.Sprintf("status %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("docker-registry (pid %d) did not answer 401 on %s within %v (last: %s)", s.pid, url, readyTimeout, last)
}

// stop sends SIGTERM to the process group, SIGKILL after stopTimeout, and
// waits for the process to be reaped. Idempotent.
func (s *registryServer) stop() error {
	s.stopOnce.Do(func() {
		select {
		case <-s.done:
			return
		default:
		}
		_ = syscall.Kill(-s.pid, syscall.SIGTERM)
		select {
		case <-s.done:
			return
		case <-time.After(stopTimeout):
		}
		_ = syscall.Kill(-s.pid, syscall.SIGKILL)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			s.stopErr = fmt.Errorf("pid %d not reaped after SIGKILL", s.pid)
		}
	})
	return s.stopErr
}

// alive reports whether the process has not exited yet.
func (s *registryServer) alive() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// accessEntry is one line of distribution's access log (Apache combined
// format).
type accessEntry struct {
	Method, Path string
	Status       int
	UserAgent    string
}

var accessRE = regexp.MustCompile(`"([A-Z]+) (\S+) HTTP/[0-9.]+" ([0-9]{3}) \S+ "[^"]*" "([^"]*)"`)

// requests parses the access log. The log line is written after the
// response, so it first waits until the log has been quiet for 150ms.
func (s *registryServer) requests() []accessEntry {
	var prev int64 = -1
	for i := 0; i < 20; i++ {
		st, err := os.Stat(s.stdout)
		if err == nil && st.Size() == prev {
			break
		}
		if err == nil {
			prev = st.Size()
		}
		time.Sleep(150 * time.Millisecond)
	}
	f, err := os.Open(s.stdout)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []accessEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := accessRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		st, _ := strconv.Atoi(m[3])
		out = append(out, accessEntry{Method: m[1], Path: m[2], Status: st, UserAgent: m[4]})
	}
	return out
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// restartRegistry stops the registry and starts it again on the same port
// with the same storage (the images stay).
func (hh *harness) restartRegistry(t *testing.T) {
	t.Helper()
	port := hh.reg.port
	if err := hh.reg.stop(); err != nil {
		t.Fatalf("stop registry: %v", err)
	}
	s, err := hh.startRegistry(port)
	if err != nil {
		t.Fatalf("restart registry on port %d: %v", port, err)
	}
	hh.reg = s
}

// ---------------------------------------------------------------------------
// Pushing images.

// transport trusts the test CA (and nothing else).
func (hh *harness) transport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: hh.caPool, MinVersion: tls.VersionTLS12}
	return tr
}

func (hh *harness) ref(repo string) string { return hh.host + "/" + repo }

// remoteOpts are go-containerregistry options for the test process itself.
func (hh *harness) remoteOpts(ctx context.Context, auth authn.Authenticator) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(hh.transport()),
		remote.WithAuth(auth),
		remote.WithRetryBackoff(remote.Backoff{Duration: 10 * time.Millisecond, Factor: 1, Steps: 2}),
	}
}

// imageSpec describes one test image.
type imageSpec struct {
	oci        bool
	os, arch   string
	variant    string
	user       string
	volumes    []string
	cmd        []string
	files      map[string]string // layer contents
	createdBys []string          // history of the layer-less steps
}

func buildImage(sp imageSpec) (v1.Image, error) {
	img := empty.Image
	layerType := types.DockerLayer
	if sp.oci {
		img = mutate.MediaType(img, types.OCIManifestSchema1)
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
		layerType = types.OCILayer
	}
	layer, err := tarLayer(sp.files, layerType)
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	adds := []mutate.Addendum{{Layer: layer, History: v1.History{CreatedBy: "COPY rootfs / # buildkit", Created: created}}}
	for _, c := range sp.createdBys {
		adds = append(adds, mutate.Addendum{History: v1.History{CreatedBy: c, Created: created, EmptyLayer: true}})
	}
	img, err = mutate.Append(img, adds...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = sp.os, sp.arch, sp.variant
	cf.Created = created
	cf.Config.User = sp.user
	cf.Config.Cmd = sp.cmd
	cf.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	if len(sp.volumes) > 0 {
		cf.Config.Volumes = map[string]struct{}{}
		for _, v := range sp.volumes {
			cf.Config.Volumes[v] = struct{}{}
		}
	}
	return mutate.ConfigFile(img, cf)
}

func tarLayer(files map[string]string, mt types.MediaType) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		body := files[n]
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, tarball.WithMediaType(mt))
}

// Test images.
var (
	specBase = imageSpec{
		os: "linux", arch: "amd64",
		user:       "",
		volumes:    []string{"/var/lib/data"},
		cmd:        []string{"/bin/sh", "-c", "run-server"},
		files:      map[string]string{"usr/local/bin/run-server": "#!/bin/sh\nexec sleep infinity\n"},
		createdBys: []string{`VOLUME [/var/lib/data]`, `CMD ["/bin/sh" "-c" "run-server"]`},
	}
	specNonroot = imageSpec{
		os: "linux", arch: "amd64",
		user:       "65532",
		cmd:        []string{"/app/server", "--port=8080"},
		files:      map[string]string{"app/server": "#!/bin/sh\n"},
		createdBys: []string{"USER 65532", `CMD ["/app/server" "--port=8080"]`},
	}
	specMultiAMD64 = imageSpec{
		oci: true, os: "linux", arch: "amd64",
		user:    "1000",
		volumes: []string{"/data/amd64"},
		cmd:     []string{"/srv/amd64-server"},
		files:   map[string]string{"srv/amd64-server": "amd64\n"},
	}
	specMultiARM64 = imageSpec{
		oci: true, os: "linux", arch: "arm64", variant: "v8",
		user:    "",
		volumes: []string{"/data/arm64"},
		cmd:     []string{"/bin/sh", "-c", "serve-arm64"},
		files:   map[string]string{"srv/arm64-server": "arm64\n"},
	}
)

// noteLayers records img's layer digests in hh.layers.
func (hh *harness) noteLayers(img v1.Image) error {
	ls, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range ls {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		hh.layers[d.String()] = true
	}
	return nil
}

func (hh *harness) pushImages() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := hh.remoteOpts(ctx, &authn.Basic{Username: registryUser, Password: hh.pass})
	for repo, sp := range map[string]imageSpec{repoBase: specBase, repoNonroot: specNonroot} {
		img, err := buildImage(sp)
		if err != nil {
			return err
		}
		if err := hh.noteLayers(img); err != nil {
			return err
		}
		ref, err := name.ParseReference(hh.ref(repo))
		if err != nil {
			return err
		}
		if err := remote.Write(ref, img, opts...); err != nil {
			return fmt.Errorf("push %s: %w", ref, err)
		}
		d, err := img.Digest()
		if err != nil {
			return err
		}
		hh.digests[repo] = d.String()
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, sp := range []imageSpec{specMultiAMD64, specMultiARM64} {
		img, err := buildImage(sp)
		if err != nil {
			return err
		}
		if err := hh.noteLayers(img); err != nil {
			return err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: sp.os, Architecture: sp.arch, Variant: sp.variant}},
		})
		d, err := img.Digest()
		if err != nil {
			return err
		}
		hh.digests[repoMulti+"@"+sp.arch] = d.String()
	}
	ref, err := name.ParseReference(hh.ref(repoMulti))
	if err != nil {
		return err
	}
	if err := remote.WriteIndex(ref, idx, opts...); err != nil {
		return fmt.Errorf("push %s: %w", ref, err)
	}
	d, err := idx.Digest()
	if err != nil {
		return err
	}
	hh.digests[repoMulti] = d.String()
	return nil
}

// ---------------------------------------------------------------------------
// Running dockvet.

// runOpts configures one dockvet invocation.
type runOpts struct {
	dir          string // working directory (the Dockerfiles' directory)
	dockerConfig string // DOCKER_CONFIG; "" means the good credentials
	noCA         bool   // do not trust the test CA (no SSL_CERT_FILE)
	cacheDir     string // DOCKVET_CACHE_DIR; "" means a fresh temp dir
	env          []string
}

type runResult struct {
	args           []string
	stdout, stderr string
	code           int
	dur            time.Duration
	cacheDir       string
}

func (r runResult) String() string {
	return fmt.Sprintf("dockvet %s\nexit %d after %v\n--- stdout ---\n%s--- stderr ---\n%s",
		strings.Join(r.args, " "), r.code, r.dur.Round(time.Millisecond), r.stdout, r.stderr)
}

// dockvet runs the binary under test with a controlled environment: a
// throwaway HOME, the given DOCKER_CONFIG, SSL_CERT_FILE with the test CA,
// and its own cache dir. Every run is checked for leaked credentials in its
// stdout, stderr and cache directory.
func (hh *harness) dockvet(t *testing.T, o runOpts, args ...string) runResult {
	t.Helper()
	if o.cacheDir == "" {
		o.cacheDir = t.TempDir()
	}
	if o.dockerConfig == "" {
		o.dockerConfig = hh.goodConfig
	}
	home := t.TempDir()
	env := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_RUNTIME_DIR=" + filepath.Join(home, "run"),
		"DOCKER_CONFIG=" + o.dockerConfig,
		"DOCKVET_CACHE_DIR=" + o.cacheDir,
		"NO_COLOR=1",
		"LANG=C.UTF-8",
	}
	if !o.noCA {
		env = append(env, "SSL_CERT_FILE="+hh.caFile)
	}
	env = append(env, o.env...)

	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, hh.bin, args...)
	cmd.Dir = o.dir
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := runResult{args: args, stdout: stdout.String(), stderr: stderr.String(), dur: time.Since(start), cacheDir: o.cacheDir}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("dockvet did not finish within %v (a hang; the spec wants an overall deadline):\n%s", runTimeout, r)
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run dockvet: %v", err)
	}
	hh.checkNoSecrets(t, r)
	return r
}

// checkNoSecrets is requirement 7: neither password nor basic-auth string
// appears in any output of any run, or in the cache dir.
func (hh *harness) checkNoSecrets(t *testing.T, r runResult) {
	t.Helper()
	for _, s := range hh.secrets {
		if strings.Contains(r.stdout, s) {
			t.Errorf("SECRET LEAK: stdout of `dockvet %s` contains a credential (%d chars)", strings.Join(r.args, " "), len(s))
		}
		if strings.Contains(r.stderr, s) {
			t.Errorf("SECRET LEAK: stderr of `dockvet %s` contains a credential (%d chars)", strings.Join(r.args, " "), len(s))
		}
	}
	err := filepath.WalkDir(r.cacheDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range hh.secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("SECRET LEAK: cache file %s contains a credential", p)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Errorf("scan the cache dir for credentials: %v", err)
	}
}

// jsonReport is dockvet's --format json.
type jsonReport struct {
	Version  int           `json:"version"`
	Findings []jsonFinding `json:"findings"`
	Errors   []struct {
		File    string `json:"file"`
		Message string `json:"message"`
	} `json:"errors"`
}

type jsonFinding struct {
	Rule     string `json:"rule"`
	Name     string `json:"name"`
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
}

func (f jsonFinding) String() string {
	return fmt.Sprintf("%s:%d:%d %s %s: %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)
}

func parseReport(t *testing.T, r runResult) jsonReport {
	t.Helper()
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not dockvet JSON: %v\n%s", err, r)
	}
	if rep.Version != 1 {
		t.Fatalf("JSON version %d, want 1\n%s", rep.Version, r)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("dockvet reported errors: %+v\n%s", rep.Errors, r)
	}
	return rep
}

func (rep jsonReport) find(rule string) []jsonFinding {
	var out []jsonFinding
	for _, f := range rep.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func (rep jsonReport) String() string {
	var b strings.Builder
	for _, f := range rep.Findings {
		b.WriteString("  " + f.String() + "\n")
	}
	if b.Len() == 0 {
		return "  (no findings)\n"
	}
	return b.String()
}

// stubHint explains a DV001 "offline" answer in a run that was not offline.
const stubHint = "the resolver answered \"offline\" although the run was not offline: internal/registry.Resolver.Resolve is still the stub (TODO(issue 3)), or a regression made it one"

// requireResolved fails the test when the base image was not resolved
// (a DV001), naming the likely cause.
func requireResolved(t *testing.T, rep jsonReport, r runResult) {
	t.Helper()
	for _, f := range rep.find("DV001") {
		hint := ""
		if strings.Contains(f.Message, "offline") {
			hint = "\n" + stubHint
		}
		t.Fatalf("base image not resolved: %s%s\nall findings:\n%s%s", f, hint, rep, r)
	}
}

// requireFinding asserts a finding of rule on line whose message contains
// every want (case-insensitive).
func requireFinding(t *testing.T, rep jsonReport, rule string, line int, want ...string) jsonFinding {
	t.Helper()
next:
	for _, f := range rep.find(rule) {
		if line > 0 && f.Line != line {
			continue
		}
		for _, w := range want {
			if !strings.Contains(strings.ToLower(f.Message), strings.ToLower(w)) {
				continue next
			}
		}
		return f
	}
	hint := ""
	for _, f := range rep.find("DV001") {
		if strings.Contains(f.Message, "offline") {
			hint = "\n" + stubHint
		}
	}
	t.Errorf("want a %s finding on line %d mentioning %q; got:\n%s%s", rule, line, want, rep, hint)
	return jsonFinding{}
}

func requireNoFinding(t *testing.T, rep jsonReport, rules ...string) {
	t.Helper()
	for _, rule := range rules {
		for _, f := range rep.find(rule) {
			t.Errorf("unexpected %s finding: %s", rule, f)
		}
	}
}

func requireExit(t *testing.T, r runResult, want int) {
	t.Helper()
	if r.code != want {
		t.Errorf("exit code %d, want %d\n%s", r.code, want, r)
	}
}

// writeContext writes a build context: the Dockerfile(s) and files, with
// HOST replaced by the registry's host:port.
func (hh *harness) writeContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for n, body := range files {
		p := filepath.Join(dir, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(body, "HOST", hh.host)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
