"""Which keys hold secrets: their values are replaced before an event is serialised.

Why match fragments anywhere in the key: callers name secrets ``db_password``, ``X-Api-Key``,
``accessToken``; an exact-name list would miss most of them. A false positive (``token_count``
redacted) costs a field; a false negative leaks a credential into every index replica.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Decisions remembered per distinct key; past this, keys are checked without caching
#: (bounds memory when callers use unbounded key names).
_CACHE_LIMIT = 4096


def normalise_key(key: str) -> str:
    """Lower case, with ``-`` and spaces read as ``_``."""
    return key.lower().replace("-", "_").replace(" ", "_")


class Redactor:
    """Decides per key, with a bounded cache (the same few keys recur on every event)."""

    def __init__(self, fragments: Iterable[str], replacement: str = "[REDACTED]") -> None:
        self.fragments = tuple(sorted({normalise_key(f) for f in fragments if f}))
        self.replacement = replacement
        self.known: dict[str, bool] = {}
        """Decisions so far (read directly by the sanitiser's inner loop)."""

    def is_sensitive(self, key: str) -> bool:
        """True when ``key`` contains one of the configured fragments."""
        known = self.known.get(key)
        if known is not None:
            return known
        text = normalise_key(key)
        verdict = any(fragment in text for fragment in self.fragments)
        if len(self.known) < _CACHE_LIMIT:
            self.known[key] = verdict
        return verdict
