"""The client's output, fed through the same field list the index templates map (``mt4_fields``).

Every leaf field of every kind of event must be a mapped field or an ECS alias the pipeline
resolves, and its value must fit the mapping type. The only exceptions are the arbitrary keys a
caller passes (``extra`` fields, ``details`` keys): the templates map those dynamically, and the
test names them explicitly, so a new client-side field cannot slip through as "user data".
"""

from __future__ import annotations

import importlib.util
import ipaddress
import logging
import re
from pathlib import Path

import pytest

from elk_logger import ELKLogger

ROOT = Path(__file__).resolve().parents[2]
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

#: Caller-chosen keys used below; the only leaf paths allowed outside the mapping.
DYNAMIC_USER_FIELDS = {"order_id", "account", "details.attempts", "retry"}


def load_fields_module():
    """``components/render/mt4_fields.py`` by path (no package import, so no Pulumi needed)."""
    spec = importlib.util.spec_from_file_location("mt4_fields_contract", ROOT / "components" / "render" / "mt4_fields.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mt4_fields = load_fields_module()
MAPPED = mt4_fields.all_mapped_fields()
ALIASES = mt4_fields.ECS_ALIASES


def leaf_paths(value: object, prefix: str = "") -> dict[str, list[object]]:
    """Dotted leaf path -> values (arrays of scalars map to the field itself, as in Elasticsearch)."""
    out: dict[str, list[object]] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            for path, items in leaf_paths(item, f"{prefix}{key}." if prefix or key else key).items():
                out.setdefault(path, []).extend(items)
        return out
    path = prefix[:-1] if prefix.endswith(".") else prefix
    if isinstance(value, list):
        for item in value:
            for sub, items in leaf_paths(item, prefix).items():
                out.setdefault(sub, []).extend(items)
        return out
    out[path] = [value]
    return out


def fits(mapping: dict[str, object], value: object) -> bool:
    kind = mapping["type"]
    if kind == "date":
        return isinstance(value, str) and bool(TIMESTAMP.match(value))
    if kind in ("keyword", "match_only_text", "wildcard"):
        return isinstance(value, str)
    if kind in ("scaled_float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "long":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "ip":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True
    raise AssertionError(f"mapping type {kind} not covered by this test")


@pytest.fixture
def emitted(line_sink, make_handler) -> list[dict]:
    """One event of each kind, through both paths (direct and ``logging``), as the sink received them."""
    handler = make_handler(line_sink.port)
    direct = ELKLogger(logging.Logger("MarketDataBridge", logging.DEBUG), handler)
    direct.logger.propagate = False
    direct.logger.addHandler(handler)
    via_logging = ELKLogger(logging.Logger("SecurityLogger", logging.DEBUG), handler)
    via_logging.logger.propagate = False
    via_logging.logger.addHandler(handler)
    via_logging.logger.addHandler(logging.NullHandler())  # a second handler forces the ordinary logging path

    for log in (direct, via_logging):
        log.log_market_tick("EURUSD", 1.1000, 1.1001, 1000)
        log.log_security_event("unauthorized_access", {"client_ip": "192.168.1.100", "reason": "invalid_key",
                                                       "user": "trader1", "attempts": 3})
        log.log_performance_metric("publish_latency", 0.5, "ms")
        log.info("order placed", order_id=42, account="ACC-1")
        try:
            raise ValueError("bad quote")
        except ValueError:
            log.exception("quote rejected", retry=True)
    plain = logging.Logger("plain.stdlib", logging.DEBUG)
    plain.addHandler(handler)
    plain.warning("disk %s%% full", 91, extra={"order_id": 7})
    count = 5 * 2 + 1
    assert line_sink.wait_for_lines(count)
    return line_sink.events()


def test_every_leaf_field_is_mapped_or_an_alias_or_a_named_user_field(emitted):
    unmapped = set()
    for event in emitted:
        for path in leaf_paths(event):
            if path not in MAPPED and path not in ALIASES:
                unmapped.add(path)
    assert unmapped == DYNAMIC_USER_FIELDS


def test_every_value_fits_its_mapping_type(emitted):
    for event in emitted:
        for path, values in leaf_paths(event).items():
            mapping = MAPPED.get(path) or MAPPED.get(ALIASES.get(path, ""))
            if mapping is None:
                continue
            for value in values:
                assert fits(mapping, value), f"{path}={value!r} does not fit {mapping} in {event}"


def test_aliases_carry_the_same_value_as_the_field_they_point_to(emitted):
    for event in emitted:
        leaves = leaf_paths(event)
        for alias, target in ALIASES.items():
            assert leaves[alias] == leaves[target], event


def test_each_event_kind_carries_its_seed_fields_with_the_mapped_types(emitted):
    by_type: dict[str, list[dict]] = {}
    for event in emitted:
        by_type.setdefault(event.get("event_type", "log"), []).append(event)
    for tick in by_type["market_tick"]:
        assert isinstance(tick["volume"], int) and not isinstance(tick["volume"], bool)
        assert all(isinstance(tick[k], float) for k in ("bid", "ask", "spread"))
        assert tick["spread"] == pytest.approx(0.0001)
    for security in by_type["security"]:
        assert ipaddress.ip_address(security["details"]["client_ip"])
    errors = [e for e in emitted if "error" in e]
    assert len(errors) == 2 and all(e["error"]["type"] == "ValueError" for e in errors)
    assert all(TIMESTAMP.match(e["@timestamp"]) for e in emitted)


def test_event_ids_are_unique(emitted):
    ids = [event["event"]["id"] for event in emitted]
    assert len(set(ids)) == len(ids)


def test_an_unparsable_client_ip_is_moved_out_of_the_ip_field(line_sink, make_handler):
    handler = make_handler(line_sink.port)
    log = ELKLogger(logging.Logger("SecurityLogger"), handler)
    log.logger.addHandler(handler)
    log.logger.propagate = False
    log.log_security_event("login_failed", {"client_ip": "not-an-ip"})
    log.log_security_event("login_failed", {"client_ip": "10.0.0.5:51234"})
    assert line_sink.wait_for_lines(2)
    first, second = line_sink.events()
    assert "client_ip" not in first["details"] and first["details"]["client_ip_raw"] == "not-an-ip"
    assert second["details"]["client_ip"] == "10.0.0.5"
