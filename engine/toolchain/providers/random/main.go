// Command pulumi-resource-random is the Pulumi random provider REBUILT FROM UPSTREAM
// (hashicorp/terraform-provider-random through pulumi-terraform-bridge), not the published
// binary: the published plugin is not served to this machine. Tokens are those of the
// pulumi-random SDK (random:index/randomPassword:RandomPassword ...).
package main

import (
	"context"
	"encoding/json"
	"io"
	"os"

	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

// version is set with -ldflags "-X main.version=..." to the version the pulumi-random SDK asks for.
var version = "0.0.0-dev"

func providerInfo() tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:       pf.ShimProvider(shim.NewProvider()),
		Name:    "random",
		Version: version,
		// Plugin-framework providers require bridge metadata; an empty one means no recorded
		// rename/MaxItemsOne history, which a freshly created state does not need.
		MetadataInfo: tfbridge.NewProviderMetadata(nil),
	}
	// random_password -> random:index/randomPassword:RandomPassword, as the SDK declares.
	makeToken := func(module, name string) (string, error) {
		return tokens.MakeStandard("random")(module, "Random"+name)
	}
	info.MustComputeTokens(tokens.SingleModule("random_", "index", makeToken))
	return info
}

func main() {
	info := providerInfo()
	pf.Main(context.Background(), "random", info, pf.ProviderMetadata{
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
