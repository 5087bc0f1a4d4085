// Command pulumi-resource-docker is the Pulumi docker provider REBUILT FROM UPSTREAM
// (kreuzwerker/terraform-provider-docker, SDKv2 half, through pulumi-terraform-bridge), not the
// published binary: that is not served to this machine, and pulumi-docker's patches are absent.
// Tokens and the few field names pulumi-docker renames are those of the pulumi-docker SDK.
package main

import (
	"encoding/json"
	"io"
	"os"
	"unicode"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	ptokens "github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

// version is set with -ldflags "-X main.version=..." to the version the pulumi-docker SDK asks for.
var version = "0.0.0-dev"

// resourceToken spells a token the way the SDK does: docker:index/remoteImage:RemoteImage.
func resourceToken(name string) ptokens.Type {
	file := string(unicode.ToLower(rune(name[0]))) + name[1:]
	return ptokens.Type("docker:index/" + file + ":" + name)
}

func providerInfo() tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:            shimv2.NewProvider(shim.NewProvider()),
		Name:         "docker",
		Version:      version,
		MetadataInfo: tfbridge.NewProviderMetadata(nil),
		Config: map[string]*tfbridge.SchemaInfo{
			"host": {Default: &tfbridge.DefaultInfo{
				EnvVars: []string{"DOCKER_HOST"}, Value: "unix:///var/run/docker.sock",
			}},
			"registry_auth": {Name: "registryAuth", MaxItemsOne: tfbridge.False()},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_config": {Tok: resourceToken("ServiceConfig")},
			"docker_container": {
				Tok:                 resourceToken("Container"),
				DeleteBeforeReplace: true,
				Fields: map[string]*tfbridge.SchemaInfo{
					"command":           {Name: "command"},
					"networks_advanced": {Name: "networksAdvanced"},
				},
			},
			"docker_image": {
				Tok:    resourceToken("RemoteImage"),
				Fields: map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}},
			},
		},
	}
	// Every other docker_x becomes docker:index/x:X, as the SDK declares.
	info.MustComputeTokens(tokens.SingleModule("docker_", "index", tokens.MakeStandard("docker")))
	info.SetAutonaming(255, "-")
	return info
}

func main() {
	info := providerInfo()
	// The schema (used by the bridge to type-check inputs) is generated from the provider itself.
	sink := diag.DefaultSink(io.Discard, os.Stderr, diag.FormatOptions{Color: colors.Never})
	// XInMemoryDocs: docs from the TF schema only; no attempt to fetch the upstream repository.
	res, err := tfgen.GenerateSchemaWithOptions(tfgen.GenerateSchemaOptions{
		ProviderInfo: info, DiagnosticsSink: sink, XInMemoryDocs: true,
	})
	if err != nil {
		panic(err)
	}
	schema, err := json.Marshal(res.PackageSpec)
	if err != nil {
		panic(err)
	}
	tfbridge.Main("docker", version, info, schema)
}
