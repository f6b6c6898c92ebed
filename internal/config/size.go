package config

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// sizeUnit maps a lower-cased unit to its multiplier. Units are matched
// case-insensitively because "10kb" and "10KB" are both common and nobody
// means bits in a size limit. Bare "k", "m", "g" are deliberately absent:
// Docker reads "512m" as MiB while Kubernetes reads "512M" as MB, so either
// guess would surprise half the users.
func sizeUnit(unit string) (int64, bool) {
	switch unit {
	case "", "b":
		return 1, true
	case "kb":
		return 1e3, true
	case "mb":
		return 1e6, true
	case "gb":
		return 1e9, true
	case "tb":
		return 1e12, true
	case "ki", "kib":
		return 1 << 10, true
	case "mi", "mib":
		return 1 << 20, true
	case "gi", "gib":
		return 1 << 30, true
	case "ti", "tib":
		return 1 << 40, true
	}
	return 0, false
}

// ParseSize parses a byte count such as "1024", "512KiB", "256MiB", "1.5GB"
// or "10kb". SI units (kB, MB, GB, TB) are powers of 1000, IEC units (KiB,
// MiB, GiB, TiB) powers of 1024. A space may separate number and unit, so
// that FormatSize output parses back. A fractional result is truncated to
// whole bytes. Signs, exponents and overflowing values are rejected.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	end := 0
	dots := 0
	for end < len(t) && (t[end] >= '0' && t[end] <= '9' || t[end] == '.') {
		if t[end] == '.' {
			dots++
		}
		end++
	}
	num := t[:end]
	unit := strings.ToLower(strings.TrimSpace(t[end:]))
	mult, ok := sizeUnit(unit)
	if num == "" || num == "." || dots > 1 || !ok {
		return 0, fmt.Errorf("invalid size %q (want a byte count such as 1024, 512KiB, 256MiB or 1.5GB)", s)
	}
	// Exact rational arithmetic: "1.1GB" must be 1100000000, not whatever
	// float64 rounds it to, and overflow must be detected, not wrapped.
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	n := new(big.Int).Quo(r.Num(), r.Denom())
	if !n.IsInt64() {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n.Int64(), nil
}

var iecUnits = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// FormatSize renders a byte count for humans with IEC units and at most one
// decimal: "12 B", "512 MiB", "1.5 GiB". Because of the rounding, two
// different sizes can render alike; callers comparing a size with a limit
// should not rely on the text alone to show the difference.
func FormatSize(n int64) string {
	sign := ""
	// Work in uint64 so that the most negative int64 has a magnitude.
	u := uint64(n)
	if n < 0 {
		sign = "-"
		u = -u
	}
	if u < 1024 {
		return sign + strconv.FormatUint(u, 10) + " B"
	}
	v := float64(u)
	i := 0
	for v >= 1024 && i < len(iecUnits)-1 {
		v /= 1024
		i++
	}
	text := strconv.FormatFloat(v, 'f', 1, 64)
	// 1023.96 KiB rounds to "1024.0"; show "1 MiB" instead.
	if text == "1024.0" && i < len(iecUnits)-1 {
		text = "1.0"
		i++
	}
	return sign + strings.TrimSuffix(text, ".0") + " " + iecUnits[i]
}
