"""The dead-letter-queue replay pipeline (``mt4_dlq_replay.conf``): re-send what Elasticsearch refused.

Pure text rendering, in the config-language model of ``logstash_pipeline`` (no Pulumi here).

What ends in the MT4 pipeline's dead letter queue: the elasticsearch output (11.22.17, bundled with
Logstash 8.19) writes an event there when Elasticsearch answers its bulk item with 400 or 404
(``DOC_DLQ_CODES = [400, 404]`` in ``plugin_mixins/elasticsearch/common.rb``); without a DLQ it logs
the event and drops it. With the failure store on, a mapping failure is answered 201 (redirected
into ``<stream>::failures``) and never reaches the DLQ; what remains is what the failure store does
not take: a 404 (the stream could not be created), a failure store that could not store the
document, a data stream with the failure store turned off.

How the replay keeps nothing lost:
- ``dead_letter_queue`` input (2.0.x) reads ``<path.dead_letter_queue>/mt4`` with
  ``commit_offsets => true``: its position is saved under ``path.data`` (``plugins/inputs/
  dead_letter_queue/<pipeline_id>/.sincedb_*``), so each entry is replayed once across restarts.
- A DLQ entry is the event as the output saw it, ``@metadata`` included (``Event.serialize`` writes
  the data and metadata maps), so the replay writes to the same ``[@metadata][target]`` with the same
  ``[@metadata][document_id]``: an event that did get indexed meanwhile is a 409, dropped, not doubled.
- The input adds ``[@metadata][dead_letter_queue]`` (plugin type, id, reason, entry time). Logstash's
  ``DeadLetterQueueWriter`` skips any event that carries it ("Event previously submitted to dead
  letter queue. Skipping..."), so a replayed event that fails again would be dropped. The replay
  removes it first: a second failure lands in this pipeline's own DLQ (``.../mt4_dlq_replay``),
  which nothing reads automatically (reading it here would loop).
Reference: https://www.elastic.co/guide/en/logstash/8.19/dead-letter-queues.html and
https://www.elastic.co/guide/en/logstash/8.19/plugins-inputs-dead_letter_queue.html
"""

from __future__ import annotations

import dataclasses
from typing import Final

from components.render import mt4_fields
from components.render.logstash_pipeline import (
    PARSE_FAILURE_DATASET,
    Mt4PipelineOptions,
    _check_text,
    _elasticsearch_output,
    _If,
    _Node,
    _Plugin,
    _section,
)

REPLAY_PIPELINE_ID: Final = "mt4_dlq_replay"
#: The pipeline whose dead letter queue is replayed (``logstash_yml.PipelineSpec`` default id).
SOURCE_PIPELINE_ID: Final = "mt4"
REPLAY_PIPELINE_PATH: Final = "/usr/share/logstash/pipeline/mt4_dlq_replay.conf"
#: Tag on every replayed document, so a search finds what came back through the DLQ.
REPLAYED_TAG: Final = "_mt4_dlq_replayed"
#: Where the DLQ input puts what it knows about the entry; removed before the output.
DLQ_METADATA: Final = "[@metadata][dead_letter_queue]"


def render_dlq_replay_pipeline(options: Mt4PipelineOptions, *, dead_letter_queue_path: str) -> str:
    """The whole replay pipeline; ``options`` gives the Elasticsearch output (hosts, TLS, user),
    ``dead_letter_queue_path`` is the instance's ``path.dead_letter_queue``."""
    _check_text(dead_letter_queue_path, what="path")
    if not dead_letter_queue_path.startswith("/"):
        raise ValueError(f"dead_letter_queue_path must be absolute: {dead_letter_queue_path!r}")
    sections = (
        _section("input", (_dlq_input(dead_letter_queue_path),)),
        _section("filter", _filters()),
        _section("output", (_output(options),)),
    )
    header = (
        "# MT4 dead letter queue replay, rendered by elk-stack (components/render/logstash_dlq_replay.py).\n"
        "# Runs only while logstash.dead_letter_queue_replay is true; the next deployment replaces this file.\n"
    )
    return header + "\n".join(sections)


def _dlq_input(path: str) -> _Plugin:
    """``dead_letter_queue`` on the MT4 pipeline's queue, committing its position as it reads.

    ``clean_consumed`` stays off (its default): replayed segments remain on the volume until the
    queue's own size and age limits remove them, so an operator can still read them back.
    """
    return _Plugin(
        "dead_letter_queue",
        (
            ("id", "mt4_dlq_input"),
            ("path", path),
            ("pipeline_id", SOURCE_PIPELINE_ID),
            ("commit_offsets", True),
        ),
    )


def _filters() -> tuple[_Node, ...]:
    """Tag, drop the DLQ marker (see the module docstring), and make sure target and id exist."""
    mark = _Plugin(
        "mutate",
        (("id", "mt4_dlq_mark"), ("add_tag", (REPLAYED_TAG,)), ("remove_field", (DLQ_METADATA,))),
    )
    fallback = _Plugin(
        "mutate",
        (
            ("id", "mt4_dlq_target_fallback"),
            ("replace", {"[@metadata][target]": f"mt4-logs-{PARSE_FAILURE_DATASET}", "[event][dataset]": PARSE_FAILURE_DATASET}),
            ("add_tag", (mt4_fields.PARSE_FAILURE_TAG,)),
        ),
    )
    document_id = _Plugin("uuid", (("id", "mt4_dlq_document_id_fallback"), ("target", "[@metadata][document_id]")))
    return (
        mark,
        _If("![@metadata][target]", (fallback,)),
        _If("![@metadata][document_id]", (document_id,)),
    )


def _output(options: Mt4PipelineOptions) -> _Plugin:
    """The MT4 pipeline's own elasticsearch output (same user, TLS, ``create`` with the same id),
    under an id of its own so its metrics and log lines are told apart."""
    plugin = _elasticsearch_output(options)
    settings = tuple((key, "mt4_dlq_elasticsearch" if key == "id" else value) for key, value in plugin.settings)
    return dataclasses.replace(plugin, settings=settings)
