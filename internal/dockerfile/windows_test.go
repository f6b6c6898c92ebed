package dockerfile

import "testing"

// A Windows base image's default shell is cmd: shell-form commands are not
// judged as /bin/sh scripts there.
func TestIsWindowsImage(t *testing.T) {
	for ref, want := range map[string]bool{
		"mcr.microsoft.com/windows/servercore:ltsc2022": true,
		"mcr.microsoft.com/windows/nanoserver:ltsc2022": true,
		"mcr.microsoft.com/dotnet/sdk:8.0-nanoserver":   true,
		"gcr.io/<project_id>/go-windows":                true,
		"stefanscherer/node-windows:20":                 true,
		"golang:1.23-windowsservercore-ltsc2022":        true,
		"alpine:3.20":                                   false,
		"windowsfree/tool:1":                            false,
		"debian:12":                                     false,
	} {
		if got := isWindowsImage(ref); got != want {
			t.Errorf("isWindowsImage(%q) = %v, want %v", ref, got, want)
		}
	}
}
