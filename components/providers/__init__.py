"""Pulumi dynamic providers for what pulumi-elasticstack lacks: thin HTTP, no magic."""
