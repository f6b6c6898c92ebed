package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// errOffline: the resolver is offline and the cache cannot answer.
var errOffline = errors.New("offline")

// errMiss: the cache cannot answer (internal; never returned).
var errMiss = errors.New("not in the cache")

// insecureError: plain HTTP to a host that is neither loopback nor listed.
type insecureError struct{ host string }

func (e *insecureError) Error() string {
	return fmt.Sprintf("plain HTTP to %s refused: not a loopback host and not listed in insecure-registries", e.host)
}

// internalTargetError: a request to a loopback or link-local address on
// behalf of a registry that is neither (a redirect or token realm).
type internalTargetError struct {
	host, origin string
	// resolved is the address DNS gave for host, when that is what made
	// it internal (rebindingGuard).
	resolved string
}

func (e *internalTargetError) Error() string {
	if e.resolved != "" {
		if sameHostName(e.origin, e.host) {
			return fmt.Sprintf("registry %s resolves to %s, an address on this machine, its link-local network or a cloud metadata service; refused (list it in insecure-registries if it is intended)", e.origin, e.resolved)
		}
		return fmt.Sprintf("registry %s sent a request to %s, which resolves to %s, an address on this machine, its link-local network or a cloud metadata service; refused", e.origin, e.host, e.resolved)
	}
	return fmt.Sprintf("registry %s sent a request to %s, an address on this machine or its link-local network; refused (list it in insecure-registries if it is intended)", e.origin, e.host)
}

// tooLargeError: a manifest or config over its limit; size -1 when the
// body had no Content-Length and went past the limit.
type tooLargeError struct {
	what        string
	size, limit int64
}

func (e *tooLargeError) Error() string {
	if e.size < 0 {
		return fmt.Sprintf("%s is over the %s limit", e.what, mib(e.limit))
	}
	return fmt.Sprintf("%s of %s is over the %s limit", e.what, mib(e.size), mib(e.limit))
}

func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// rateLimitedError: a 429 that could not be waited out.
type rateLimitedError struct {
	retryAfter time.Duration
	known      bool          // the response had a Retry-After
	remaining  time.Duration // time left before the deadline; <0 none
}

func (e *rateLimitedError) Error() string {
	switch {
	case !e.known:
		return "HTTP 429, no Retry-After"
	case e.remaining >= 0:
		return fmt.Sprintf("HTTP 429, Retry-After %s is past the deadline", e.retryAfter.Round(time.Second))
	}
	return fmt.Sprintf("HTTP 429, Retry-After %s", e.retryAfter.Round(time.Second))
}

// redirectError: a request was redirected more than maxRedirects times.
type redirectError struct{ hops int }

func (e *redirectError) Error() string {
	return fmt.Sprintf("more than %d redirects (a redirect loop?)", maxRedirects)
}

// platformError: an index without the platform asked for.
type platformError struct {
	want string
	have []string
}

func (e *platformError) Error() string {
	if len(e.have) == 0 {
		return fmt.Sprintf("%s not in the index, which lists no platform", e.want)
	}
	return fmt.Sprintf("%s not in the index, which has %s", e.want, strings.Join(e.have, ", "))
}

// invalidError: a malformed manifest, index or config.
type invalidError struct {
	msg string
	err error
}

func (e *invalidError) Error() string {
	if e.err == nil {
		return e.msg
	}
	return e.msg + ": " + e.err.Error()
}

func (e *invalidError) Unwrap() error { return e.err }

func invalidf(err error, format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...), err: err}
}

// classify turns any error from resolving ref into an *Error. ctx is the
// Resolve call's context and timeout its deadline, for the message.
// Known credentials (known may be nil) are redacted by value first, before
// scrub can cut one in half.
func classify(ctx context.Context, timeout time.Duration, ref string, err error, known *secrets) *Error {
	reason, detail := reasonOf(ctx, timeout, err)
	if known != nil {
		detail = known.redact(detail)
	}
	return &Error{Ref: ref, Reason: reason, Detail: scrub(detail), Err: err}
}

func reasonOf(ctx context.Context, timeout time.Duration, err error) (Reason, string) {
	var (
		pe  *platformError
		tl  *tooLargeError
		ie  *invalidError
		rl  *rateLimitedError
		te  *transport.Error
		ne  *insecureError
		ut2 *untrustedError
		oe  *net.OpError
		de  *net.DNSError
		ue  *url.Error
		se  *json.SyntaxError
		ut  *json.UnmarshalTypeError
	)
	timeoutDetail := func() string {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "cancelled"
		}
		return fmt.Sprintf("no answer within %s", timeout)
	}
	var ce *credentialError
	var re *redirectError
	var it *internalTargetError
	switch {
	case errors.As(err, &re):
		return ReasonServer, re.Error()
	case errors.As(err, &it):
		return ReasonInternalTarget, it.Error()
	case strings.Contains(err.Error(), "SSRF protection"), strings.Contains(err.Error(), "is a private or link-local address"):
		// go-containerregistry's own refusal of a redirect or token realm
		// to a private, loopback or link-local IP literal.
		return ReasonInternalTarget, innermost(err).Error()
	case errors.Is(err, errOffline):
		return ReasonOffline, ""
	case errors.As(err, &ce):
		return ReasonUnauthorized, ce.Error()
	case errors.As(err, &ut2):
		return ReasonNetwork, ut2.Error()
	case errors.As(err, &pe):
		return ReasonNoPlatform, pe.Error()
	case errors.As(err, &tl):
		return ReasonTooLarge, tl.Error()
	case errors.As(err, &ie):
		return ReasonInvalid, ie.Error()
	case errors.As(err, &rl):
		return ReasonRateLimited, rl.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return ReasonTimeout, timeoutDetail()
	case errors.As(err, &te):
		return statusReason(te)
	case errors.Is(err, remote.ErrSchema1):
		return ReasonInvalid, "schema 1 manifests are not supported"
	case ctx.Err() != nil:
		return ReasonTimeout, timeoutDetail()
	case errors.As(err, &de):
		return ReasonNetwork, de.Error()
	case errors.As(err, &oe):
		return ReasonNetwork, oe.Error()
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return ReasonNetwork, "connection closed by the registry"
	case errors.As(err, &ne):
		return ReasonInsecure, ne.Error()
	case errors.As(err, &ue):
		return ReasonNetwork, innermost(ue.Err).Error()
	case errors.Is(err, &name.ErrBadName{}):
		return ReasonBadReference, err.Error()
	case errors.As(err, &se), errors.As(err, &ut):
		return ReasonInvalid, err.Error()
	case strings.Contains(err.Error(), "error verifying"):
		// go-containerregistry's digest and size checks.
		return ReasonInvalid, "content does not match its digest or size"
	}
	return ReasonInvalid, err.Error()
}

// statusReason maps a registry HTTP error by its error codes, then status.
// The detail is the status and the first error code, never the registry's
// message or body: registries echo what they were sent, credentials
// included.
func statusReason(te *transport.Error) (Reason, string) {
	detail := fmt.Sprintf("HTTP %d", te.StatusCode)
	if len(te.Errors) > 0 {
		detail += " " + errorCode(string(te.Errors[0].Code))
	}
	for _, d := range te.Errors {
		switch d.Code {
		case transport.UnauthorizedErrorCode:
			return ReasonUnauthorized, detail
		case transport.DeniedErrorCode:
			return ReasonDenied, detail
		case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode:
			return ReasonNotFound, detail
		case transport.TooManyRequestsErrorCode:
			return ReasonRateLimited, detail
		}
	}
	switch te.StatusCode {
	case 401:
		return ReasonUnauthorized, detail
	case 403:
		return ReasonDenied, detail
	case 404:
		return ReasonNotFound, detail
	case 429:
		return ReasonRateLimited, detail
	}
	return ReasonServer, detail
}

// errorCode keeps a registry error code only when it looks like one
// (upper-case letters and underscores, as the distribution spec's codes).
func errorCode(c string) string {
	if c == "" || len(c) > 40 || strings.TrimFunc(c, func(r rune) bool { return r >= 'A' && r <= 'Z' || r == '_' }) != "" {
		return "(unknown error code)"
	}
	return c
}

// innermost unwraps a chain of single errors.
func innermost(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// The scrubbing patterns are compiled on first use (a registry error), not
// at start-up: most runs never need them.
var (
	credRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+`) })
	secretRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)\b(token|access_token|refresh_token|password|passwd|secret)(["']?\s*[:=]\s*["']?)[^\s"'&,;]+`)
	})
	userRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@`) })
	queryRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)(://[^\s?]+)\?[^\s]*`) })
)

// scrub makes a detail short, printable and credential-free: no
// Authorization values, token fields, URL user info or query strings.
func scrub(s string) string {
	if s == "" {
		// Offline and cache misses carry no detail: no need to compile
		// the patterns (a one-file --offline run would, for nothing).
		return s
	}
	s = credRE().ReplaceAllString(s, "$1 [redacted]")
	s = secretRE().ReplaceAllString(s, "$1$2[redacted]")
	s = userRE().ReplaceAllString(s, "$1")
	s = queryRE().ReplaceAllString(s, "$1")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	const maxLen = 200
	if len(s) > maxLen {
		cut := maxLen
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
