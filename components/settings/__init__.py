"""Typed, validated stack settings: the only door from ``Pulumi.<stack>.yaml`` into the program."""

from components.settings.model import StackSettings
from components.settings.problems import Problem, SettingsError

__all__ = ["Problem", "SettingsError", "StackSettings"]
