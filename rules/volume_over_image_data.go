package rules

import (
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// VolumeOverImageData is DV101.
var VolumeOverImageData = &rule.Rule{
	ID:       "DV101",
	Name:     "volume-over-image-data",
	Severity: finding.SeverityError,
	Summary:  "a VOLUME path holds data the image adds: containerd copies it into every container at start",
}
