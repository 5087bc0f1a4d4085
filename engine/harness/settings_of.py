"""The settings a stack file yields through the project's loader, read outside the engine.

Tests compare what the engine built with what the settings asked for; the settings are obtained
the same way the program obtains them (``load_settings`` over the stack file's config), by
running the loader under Pulumi's mock runtime with that config.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from components.settings.load import OwnCa, load_settings
from components.settings.model import StackSettings
from engine.harness.stacks import PROJECT, stack_file_config


class _NoResources(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        return {}, None


def load_for(stack: str, overrides: Mapping[str, Any] | None = None) -> tuple[StackSettings, OwnCa | None]:
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in stack_file_config(stack, overrides).items()}
    runtime_config.set_all_config(config, [])
    pulumi.runtime.set_mocks(_NoResources(), project=PROJECT, stack=stack, preview=True)
    try:
        return load_settings()
    finally:
        runtime_config.set_all_config({}, [])
