"""One event of each MT4 structure as the project's client writes it and the pipeline stores it.

The events are made by elk_logger's own encoder and field builders (the seed's market tick,
security and performance structures, and the bridge's bridge_error / publish_failure), then given
what the Logstash pipeline does to every event before the write (components/render/
logstash_pipeline.py): ``log.level``/``log.logger`` are moved into ``level``/``logger`` and removed
(they are aliases in the mappings), and the fields it adds (mt4_fields.PIPELINE_FIELDS) are set with
a sample value of their mapped type. The data stream comes from mt4_fields.data_stream_for.
Proof limit: the pipeline itself is not run here (its own tests run it); this checks the mappings
and data streams against a real server with the documents it would write.
"""

from __future__ import annotations

import json
import sys
from typing import Final

from components.render import mt4_fields
from elk_logger.config import ElkConfig
from elk_logger.encoding import EventEncoder
from elk_logger.events import error_fields, market_tick_fields, performance_fields, security_fields

TIMESTAMP: Final = "2024-01-15T10:30:45.123Z"
_SAMPLE_BY_TYPE: Final[dict[str, object]] = {"keyword": "sample", "date": TIMESTAMP, "ip": "10.0.0.7", "long": 42}


def _error(exc: BaseException) -> dict[str, object]:
    try:
        raise exc
    except BaseException:  # only to get a real traceback for the structure
        info = sys.exc_info()
    assert info[0] is not None and info[1] is not None
    return error_fields((info[0], info[1], info[2]), 4000)


def _client_events() -> dict[str, tuple[str, str, str, dict[str, object], dict[str, object] | None]]:
    """event_type -> (level, logger, message, fields, error) as elk_logger builds them."""
    return {
        "market_tick": ("INFO", "MarketDataBridge", "market_tick EURUSD", market_tick_fields("EURUSD", 1.1, 1.1001, 1000), None),
        "security": ("WARNING", "SecurityLogger", "security unauthorized_access",
                     security_fields("unauthorized_access", {"client_ip": "192.168.1.100", "reason": "invalid_key"}), None),
        "performance": ("INFO", "PerformanceLogger", "performance publish_latency", performance_fields("publish_latency", 0.5, "ms"), None),
        "bridge_error": ("ERROR", "MarketDataBridge", "tick rejected: bad bid",
                         {"event_type": "bridge_error", "raw_tick": "EURUSD;bid=?"}, _error(ValueError("bad bid"))),
        "publish_failure": ("ERROR", "MarketDataBridge", "publish failed for EURUSD",
                            {"event_type": "publish_failure", "symbol": "EURUSD"}, _error(ConnectionError("refused"))),
    }


def _set(doc: dict[str, object], path: str, value: object) -> None:
    *parents, leaf = path.split(".")
    node = doc
    for p in parents:
        node = node.setdefault(p, {})  # type: ignore[assignment]
    node[leaf] = value


def as_stored(client_doc: dict[str, object], event_type: str) -> dict[str, object]:
    doc = json.loads(json.dumps(client_doc))
    log = doc.get("log")
    if isinstance(log, dict):
        doc.setdefault("level", log.pop("level", None))
        doc.setdefault("logger", log.pop("logger", None))
        if not log:
            del doc["log"]
    for path, body in mt4_fields.PIPELINE_FIELDS.items():
        _set(doc, path, _SAMPLE_BY_TYPE[str(body["type"])])
    _set(doc, "event.dataset", mt4_fields.dataset_for(event_type))
    return doc


def events() -> dict[str, tuple[str, dict[str, object]]]:
    """event_type -> (data stream, stored document), one per structure the bridge emits."""
    encoder = EventEncoder(ElkConfig())
    out = {}
    for event_type, (level, logger, message, fields, error) in _client_events().items():
        assert event_type in mt4_fields.ROUTED_EVENT_TYPES, event_type
        line = encoder.encode(timestamp=TIMESTAMP, level=level, logger=logger, message=message, fields=fields,
                              thread_name="MainThread", error=error)
        assert line is not None
        out[event_type] = (mt4_fields.data_stream_for(event_type), as_stored(json.loads(line), event_type))
    return out
