// Package shim exposes the upstream SDKv2 provider constructor, which lives in an internal
// package: only a package whose import path sits under the upstream module path may import it.
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// NewProvider returns the SDKv2 half of the upstream provider (the plugin-framework half,
// muxed in by the published pulumi-docker, is left out).
func NewProvider() *schema.Provider { return provider.New("dev")() }
