"""What the integ-test build lacks, in one place: settings and mapping types of absent modules.

The integ-test zip holds only ``apm``, ``transport-netty4``, ``x-pack-core`` and ``x-pack-security``
(see its ``modules/`` folder). The full distribution in the official image registers more; a setting
or type that one of those registers is "unknown" here although the image accepts it. Each entry
names the module (its folder in elastic/elasticsearch, branch 8.19) that registers it; tests prove
against the real node that every entry really is refused here, so this list cannot grow silently.
Anything refused that is *not* listed fails the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: Modules the integ-test build ships (checked against the unpacked ``modules/`` folder).
PRESENT_MODULES: Final = frozenset({"apm", "transport-netty4", "x-pack-core", "x-pack-security"})


@dataclass(frozen=True)
class AbsentSetting:
    name: str
    module: str
    """Source folder of the module that registers it in the full distribution."""
    scope: str
    """``node`` (elasticsearch.yml / cluster settings) or ``index`` (index and template settings)."""


#: Settings the project renders that only an absent module registers.
ABSENT_SETTINGS: Final[tuple[AbsentSetting, ...]] = (
    # GeoIpDownloaderTaskExecutor.ENABLED_SETTING, registered by IngestGeoIpPlugin.getSettings().
    AbsentSetting("ingest.geoip.downloader.enabled", "modules/ingest-geoip", "node"),
    # LifecycleSettings.LIFECYCLE_NAME_SETTING (x-pack-core) is registered by the ILM plugin's
    # IndexLifecycle.getSettings(), which this build does not load.
    AbsentSetting("index.lifecycle.name", "x-pack/plugin/ilm", "index"),
)


@dataclass(frozen=True)
class TypeSubstitute:
    """A mapping type of an absent mapper and the nearest core type that stands in for it."""

    absent_type: str
    module: str
    core_type: str
    own_parameters: frozenset[str]
    """Parameters only the absent type knows; dropped. Every other parameter is kept and checked."""


#: Mapping types the project's mappings use that this build cannot parse.
TYPE_SUBSTITUTES: Final[dict[str, TypeSubstitute]] = {
    s.absent_type: s
    for s in (
        # ScaledFloatFieldMapper (org.elasticsearch.index.mapper.extras): scaling_factor is its own.
        TypeSubstitute("scaled_float", "modules/mapper-extras", "double", frozenset({"scaling_factor"})),
        # MatchOnlyTextFieldMapper (mapper-extras) has no parameter that text lacks.
        TypeSubstitute("match_only_text", "modules/mapper-extras", "text", frozenset()),
        # WildcardFieldMapper (x-pack/plugin/wildcard): ignore_above and null_value exist on keyword too.
        TypeSubstitute("wildcard", "x-pack/plugin/wildcard", "keyword", frozenset()),
    )
}


def absent_setting(name: str) -> AbsentSetting | None:
    return next((s for s in ABSENT_SETTINGS if s.name == name), None)
