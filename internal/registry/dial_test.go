package registry

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// fakeDNS answers every A query with 127.0.0.1 (and AAAA with nothing),
// over the stream transport Go's resolver uses for a non-packet conn: a
// registry host name that resolves to this machine, as DNS rebinding does.
func fakeDNS() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go func() {
			defer server.Close()
			for {
				var n uint16
				if binary.Read(server, binary.BigEndian, &n) != nil {
					return
				}
				q := make([]byte, n)
				if _, err := io.ReadFull(server, q); err != nil || len(q) < 12 {
					return
				}
				end := 12
				for end < len(q) && q[end] != 0 {
					end += int(q[end]) + 1
				}
				end += 5 // the root label, QTYPE, QCLASS
				if end > len(q) {
					return
				}
				qtype := binary.BigEndian.Uint16(q[end-4:])
				resp := append([]byte{}, q[:end]...)
				resp[2], resp[3] = 0x81, 0x80            // response, recursion desired and available
				binary.BigEndian.PutUint16(resp[4:], 1)  // one question
				binary.BigEndian.PutUint16(resp[8:], 0)  // no authority
				binary.BigEndian.PutUint16(resp[10:], 0) // no additional
				binary.BigEndian.PutUint16(resp[6:], 0)  // no answer, unless A
				if qtype == 1 {
					binary.BigEndian.PutUint16(resp[6:], 1)
					resp = append(resp, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1)
				}
				if binary.Write(server, binary.BigEndian, uint16(len(resp))) != nil {
					return
				}
				if _, err := server.Write(resp); err != nil {
					return
				}
			}
		}()
		return client, nil
	}}
}

// A registry host name whose DNS answer is a loopback address is not
// dialled on behalf of a remote registry (DNS rebinding past the guard's
// check of names and literals), but is when the registry is listed
// insecure, when the name is the proxy's, or when the request serves a
// loopback registry.
func TestRebindingGuard(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	target := "rebind.test:" + port
	d := &net.Dialer{Timeout: 30 * time.Second, Resolver: fakeDNS()}
	tests := []struct {
		name    string
		origin  string
		listed  bool
		proxies map[string]bool
		refused bool
	}{
		{name: "the registry itself resolves to loopback", origin: target, refused: true},
		{name: "a remote registry's token realm resolves to loopback", origin: "registry.example.com", refused: true},
		{name: "no origin recorded", refused: true},
		{name: "listed insecure", origin: target, listed: true},
		{name: "a listed insecure registry's realm on another host", origin: "registry.example.com:5000", listed: true, refused: true},
		{name: "a loopback registry's realm", origin: "localhost:5000"},
		{name: "the configured proxy", origin: "registry.example.com", proxies: map[string]bool{target: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dial := rebindingGuard(d, ownHostAllowed, tt.proxies)
			ctx := context.Background()
			if tt.origin != "" {
				ctx = withOrigin(ctx, tt.origin)
			}
			ctx = withOwnHostAllowed(ctx, tt.listed)
			conn, err := dial(ctx, "tcp", target)
			if conn != nil {
				conn.Close()
			}
			var it *internalTargetError
			if got := errors.As(err, &it); got != tt.refused {
				t.Fatalf("refused = %v (err %v), want %v", got, err, tt.refused)
			}
			if !tt.refused && err != nil {
				t.Fatalf("dial: %v", err)
			}
			if tt.refused {
				if r, _ := reasonOf(context.Background(), time.Second, err); r != ReasonInternalTarget {
					t.Errorf("reason %q, want %q", r, ReasonInternalTarget)
				}
			}
		})
	}
}

func TestProxyAddresses(t *testing.T) {
	env := map[string]string{"HTTPS_PROXY": "http://127.0.0.1:3128", "http_proxy": "proxy.corp", "HTTP_PROXY": "socks5://LOCALHOST", "ALL_PROXY": "http://ignored.corp"}
	got := proxyAddresses(func(k string) string { return env[k] })
	for _, want := range []string{"127.0.0.1:3128", "proxy.corp:80", "localhost:1080"} {
		if !got[want] {
			t.Errorf("%s missing from %v", want, got)
		}
	}
	if len(got) != 3 {
		t.Errorf("got %v", got)
	}
}

func TestInternalIP(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "::1": true, "169.254.169.254": true, "fe80::1": true, "0.0.0.0": true, "::": true,
		"::ffff:169.254.169.254": true, // IPv4-mapped
		"64:ff9b::a9fe:a9fe":     true, // NAT64 of 169.254.169.254
		"64:ff9b::7f00:1":        true, // NAT64 of 127.0.0.1
		"fd00:ec2::254":          true, // AWS instance metadata over IPv6
		"fd00:ec2::23":           true, // EKS Pod Identity
		"100.100.100.200":        true, // Alibaba Cloud metadata
		"100.100.100.201":        false,
		"10.0.0.1":               false, // private networks host real registries
		"8.8.8.8":                false,
		"2001:db8::1":            false,
		"64:ff9b::808:808":       false, // NAT64 of a public address
	} {
		if got := internalAddress(net.JoinHostPort(addr, "443")); got != want {
			t.Errorf("internalAddress(%s) = %v, want %v", addr, got, want)
		}
	}
}
