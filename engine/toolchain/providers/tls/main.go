// Command pulumi-resource-tls is the Pulumi tls provider REBUILT FROM UPSTREAM
// (hashicorp/terraform-provider-tls through pulumi-terraform-bridge), not the published
// binary: the published plugin is not served to this machine. Tokens are those of the
// pulumi-tls SDK (tls:index/privateKey:PrivateKey ...).
package main

import (
	"context"
	"encoding/json"
	"io"
	"os"

	"github.com/hashicorp/terraform-provider-tls/shim"
	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

// version is set with -ldflags "-X main.version=..." to the version the pulumi-tls SDK asks for.
var version = "0.0.0-dev"

func providerInfo() tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:       pf.ShimProvider(shim.NewProvider()),
		Name:    "tls",
		Version: version,
		// Plugin-framework providers require bridge metadata; an empty one means no recorded
		// rename/MaxItemsOne history, which a freshly created state does not need.
		MetadataInfo: tfbridge.NewProviderMetadata(nil),
	}
	// tls_private_key -> tls:index/privateKey:PrivateKey, as the SDK declares.
	info.MustComputeTokens(tokens.SingleModule("tls_", "index", tokens.MakeStandard("tls")))
	return info
}

func main() {
	info := providerInfo()
	pf.Main(context.Background(), "tls", info, pf.ProviderMetadata{
		// The schema is generated from the provider itself when the engine asks for it.
		XGetSchema: func(context.Context, plugin.GetSchemaRequest) ([]byte, error) {
			sink := diag.DefaultSink(io.Discard, os.Stderr, diag.FormatOptions{Color: colors.Never})
			// XInMemoryDocs: docs from the TF schema only; no attempt to fetch the upstream repository.
			res, err := tfgen.GenerateSchemaWithOptions(tfgen.GenerateSchemaOptions{
				ProviderInfo: info, DiagnosticsSink: sink, XInMemoryDocs: true,
			})
			if err != nil {
				return nil, err
			}
			return json.Marshal(res.PackageSpec)
		},
	})
}
