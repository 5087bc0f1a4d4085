module github.com/terraform-providers/terraform-provider-docker/shim

go 1.26.6

require github.com/terraform-providers/terraform-provider-docker v0.0.0-20260916201441-96d331c98ff4
