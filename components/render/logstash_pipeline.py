"""The MT4 Logstash pipeline (``mt4.conf``): TCP/Beats in, normalise, redact, route, Elasticsearch out.

Pure text rendering: plain values in, Logstash config-language text out (no Pulumi here).
Plugin options follow the plugin versions bundled with Logstash 8.19 (input-tcp 6.4.x,
input-beats 6.9.x, codec-json_lines 3.2.x, filter-date 3.1.x, filter-mutate 3.5.x,
filter-ruby 3.1.x, filter-drop 3.0.x, filter-uuid 3.0.x, output-elasticsearch 11.22.x); the confirmed option
lists live in ``tests/contracts/logstash_plugins_8.19.json`` and the tests check every option
rendered here against them.

Reference pages:
- config language: https://www.elastic.co/guide/en/logstash/8.19/configuration-file-structure.html
- conditionals: https://www.elastic.co/guide/en/logstash/8.19/event-dependent-configuration.html
- ``${VAR}`` substitution: https://www.elastic.co/guide/en/logstash/8.19/environment-variables.html
- each plugin page is named in the function that renders it.

What the pipeline does to an event, in order:
1. flags decode failures (``_jsonparsefailure`` from the codec, ``_tagsparsefailure`` from the
   event constructor) with ``mt4_fields.PARSE_FAILURE_TAG``;
2. re-parses an ``@timestamp`` the event constructor rejected (``_timestampparsefailure``) with
   the ``date`` filter, tagging a second failure instead of dropping the event;
3. moves ECS ``log.level`` / ``log.logger`` into ``level`` / ``logger`` and removes them (they
   are aliases in the templates and Elasticsearch refuses writes to an alias);
4. turns a plain-string ``host`` into ``host.name``; computes ``spread = round(ask - bid, 5)``
   when the client did not send one;
5. replaces the value of every sensitive key (any depth, arrays included, case-insensitive)
   with ``"[REDACTED]"``; an event whose redaction raises is re-emitted as a cleaned copy
   tagged as a parse failure (never indexed unredacted, never silently lost);
6. sets ``event.ingested``, ``event.dataset`` and the target data stream
   (``mt4_fields.data_stream_for`` semantics; parse failures go to ``mt4-logs-parse_failure``);
7. writes with ``action => create`` and a document id (``event.id``, or a UUID made once per
   event), so re-deliveries are rejected by Elasticsearch as 409 conflicts, which the
   elasticsearch output logs (silenced here) and drops without retrying.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from components.render import mt4_fields
from components.render.yaml_text import env_reference

#: Directory the component mounts the Logstash TLS material into.
CERTS_DIR: Final = "/usr/share/logstash/config/certs"
#: Secret files live in a read-only volume of their own (components/secret_files.py).
SECRETS_DIR: Final = "/usr/share/logstash/config/secrets"
#: Server certificate presented by the TCP and Beats inputs.
DEFAULT_TLS_CERTIFICATE_PATH: Final = f"{CERTS_DIR}/logstash.crt"
#: Private key of the inputs' certificate. The Beats input only reads unencrypted PKCS#8 PEM
#: (https://www.elastic.co/guide/en/logstash/8.19/plugins-inputs-beats.html#plugins-inputs-beats-ssl_key);
#: the TCP input reads PKCS#1 and PKCS#8, so one PKCS#8 file serves both.
DEFAULT_TLS_KEY_PATH: Final = f"{SECRETS_DIR}/logstash.pkcs8.key"
#: CA bundle trusted for client certificates (inputs) and for Elasticsearch (output).
DEFAULT_CA_PATH: Final = f"{CERTS_DIR}/ca.crt"

DEFAULT_SENSITIVE_KEYS: Final = ("password", "secret", "token", "api_key", "authorization")
REDACTED: Final = "[REDACTED]"
#: Dataset of events whose JSON, tags or timestamp could not be parsed.
PARSE_FAILURE_DATASET: Final = mt4_fields.PARSE_FAILURE_DATASET
#: A routed event type is used as a data-stream dataset as is (settings check the same rule).
_EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]{0,63}")
#: Tag the redaction filter adds when it raises; such events are re-emitted as a cleaned copy.
REDACTION_FAILURE_TAG: Final = "_mt4_redaction_failure"
#: Tag of a quarantine that itself failed: only then is an event dropped (it may hold a secret).
QUARANTINE_FAILURE_TAG: Final = "_mt4_quarantine_failure"

#: Formats tried when the event constructor could not parse ``@timestamp``: ISO 8601 in any
#: precision, Python ``logging``'s default ``asctime`` (comma before millis), epoch seconds/ms.
TIMESTAMP_FALLBACK_FORMATS: Final = (
    "ISO8601",
    "yyyy-MM-dd HH:mm:ss.SSS",
    "yyyy-MM-dd HH:mm:ss,SSS",
    "yyyy-MM-dd'T'HH:mm:ss.SSS",
    "UNIX",
    "UNIX_MS",
)

ClientAuthentication = Literal["none", "optional", "required"]

_SAFE_TEXT = re.compile(r"[^\"\\\n\r]*")
_SAFE_KEY = re.compile(r"[A-Za-z0-9_.-]+")


@dataclass(frozen=True, kw_only=True)
class Mt4PipelineOptions:
    """Plain values the MT4 pipeline is rendered from (no secrets: only env var names)."""

    tcp_port: int = 5000
    """Port of the ``tcp`` input (newline-delimited JSON from the MT4 bridge loggers)."""

    beats_port: int = 5044
    """Port of the ``beats`` input (Lumberjack v2, e.g. python-logstash-async's Beats transport)."""

    tcp_tls: bool = True
    """Serve TLS on the TCP input."""

    beats_tls: bool = True
    """Serve TLS on the Beats input."""

    client_authentication: ClientAuthentication = "none"
    """Client-certificate policy of both inputs when TLS is on. ``none`` by default: the MT4
    loggers are authenticated by network placement; ``optional``/``required`` also render
    ``ssl_certificate_authorities`` (both plugins refuse client auth without a CA)."""

    beats_client_authentication: ClientAuthentication = "none"
    """Client-certificate policy of the Beats input alone: ``required`` when every Filebeat presents
    a certificate of the stack's CA (mutual TLS); the TCP input keeps ``client_authentication``."""

    tls_certificate_path: str = DEFAULT_TLS_CERTIFICATE_PATH
    """Server certificate (PEM) of both inputs, path inside the container."""

    tls_key_path: str = DEFAULT_TLS_KEY_PATH
    """Unencrypted PKCS#8 PEM key of ``tls_certificate_path``, path inside the container."""

    client_ca_path: str = DEFAULT_CA_PATH
    """CA (PEM) that client certificates must chain to, used when client auth is not ``none``."""

    elasticsearch_hosts: tuple[str, ...] = ("https://elasticsearch:9200",)
    """Elasticsearch HTTPS URLs the output writes to."""

    elasticsearch_ca_path: str = DEFAULT_CA_PATH
    """CA (PEM) that signed the Elasticsearch HTTP certificate, path inside the container."""

    writer_user: str = "logstash_writer"
    """Elasticsearch user of the output (needs ``create_doc`` + ``auto_configure`` on the mt4
    data streams and the ``monitor`` cluster privilege)."""

    writer_password_env: str = "LOGSTASH_WRITER_PASSWORD"
    """Name of the env var holding the writer password; rendered as ``${NAME}``."""

    sensitive_keys: tuple[str, ...] = DEFAULT_SENSITIVE_KEYS
    event_types: tuple[str, ...] = ()
    """Event types routed to a stream of their own beside ``mt4_fields.ROUTED_EVENT_TYPES``."""
    """Keys whose values are replaced by ``[REDACTED]`` at any depth (case-insensitive)."""

    json_line_max_bytes: int = 16 * 1024 * 1024
    """``decode_size_limit_bytes`` of the ``json_lines`` codec: longest accepted line. Setting
    it also silences the codec's deprecation warning about its 512 MB default."""

    def __post_init__(self) -> None:
        """Reject values that would render an invalid or unsafe config."""
        for port in (self.tcp_port, self.beats_port):
            _check_port(port)
        if self.tcp_port == self.beats_port:
            raise ValueError("tcp_port and beats_port must differ")
        for path in (self.tls_certificate_path, self.tls_key_path, self.client_ca_path, self.elasticsearch_ca_path):
            _check_text(path, what="path")
            if not path.startswith("/"):
                raise ValueError(f"paths must be absolute container paths: {path!r}")
        if not self.elasticsearch_hosts:
            raise ValueError("at least one Elasticsearch host is required")
        for host in self.elasticsearch_hosts:
            _check_text(host, what="host")
            if not host.startswith("https://"):
                raise ValueError(f"Elasticsearch hosts must be https URLs: {host!r}")
        _check_text(self.writer_user, what="user")
        env_reference(self.writer_password_env)
        if not self.sensitive_keys:
            raise ValueError("sensitive_keys must not be empty")
        for key in self.sensitive_keys:
            if not _SAFE_KEY.fullmatch(key):
                raise ValueError(f"sensitive keys must match [A-Za-z0-9_.-]+: {key!r}")
        if self.json_line_max_bytes < 1024:
            raise ValueError("json_line_max_bytes must be at least 1024")
        for event_type in self.event_types:
            if not _EVENT_TYPE.fullmatch(event_type):
                raise ValueError(f"event types must match [a-z][a-z0-9_]{{0,63}}: {event_type!r}")


def render_mt4_pipeline(options: Mt4PipelineOptions) -> str:
    """The whole ``mt4.conf`` text: ``input``, ``filter`` and ``output`` sections.

    Structure: https://www.elastic.co/guide/en/logstash/8.19/configuration-file-structure.html
    """
    sections = (
        _section("input", _inputs(options)),
        _section("filter", _filters(options)),
        _section("output", _outputs(options)),
    )
    header = (
        "# MT4 bridge pipeline, rendered by elk-stack (components/render/logstash_pipeline.py).\n"
        "# Do not edit in place: the next deployment replaces this file.\n"
    )
    return header + "\n".join(sections)


def pipeline_output_fields() -> set[str]:
    """Dotted paths of the fields this pipeline itself writes into indexed documents.

    ``@version`` is added by Logstash to every event; ``message`` holds the raw line when the
    codec could not parse it; ``error.message`` carries an unparseable ``@timestamp`` or
    ``tags`` value. ``@metadata`` fields are never indexed and are not listed.
    """
    return {
        "@timestamp",
        "@version",
        "message",
        "tags",
        "level",
        "logger",
        "spread",
        "error.message",
        "event.ingested",
        "event.dataset",
        "host.name",
    }


def pipeline_tags() -> set[str]:
    """Tags this pipeline adds to indexed events (besides Logstash's own ``_*parsefailure`` tags).

    A quarantined copy (its redaction failed) carries ``REDACTION_FAILURE_TAG`` as well.
    """
    return {mt4_fields.PARSE_FAILURE_TAG, REDACTION_FAILURE_TAG}


# ---------------------------------------------------------------------------------------------
# A tiny model of the config language: plugins with ordered settings, conditionals, sections.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plugin:
    """One plugin block (``name { key => value ... }``); also used for a codec value."""

    name: str
    settings: tuple[tuple[str, _Value], ...]


@dataclass(frozen=True)
class _Code:
    """Ruby source for the ``ruby`` filter's ``init``/``code``, rendered as a multi-line string."""

    text: str


@dataclass(frozen=True)
class _Env:
    """A ``${NAME}`` reference, the only way a value may contain ``${``."""

    name: str


@dataclass(frozen=True)
class _If:
    """``if <condition> { ... } else { ... }``; the condition is config-language text."""

    condition: str
    then: tuple[_Node, ...]
    otherwise: tuple[_Node, ...] = ()


#: A setting value: string, number, boolean, array, hash, plugin (codec), Ruby code or env reference.
_Value: TypeAlias = "str | int | bool | tuple[_Value, ...] | dict[str, str] | _Plugin | _Code | _Env"
#: A node of a section body: a plugin block or a conditional.
_Node: TypeAlias = "_Plugin | _If"
_INDENT = "  "


def _section(name: str, nodes: Sequence[_Node]) -> str:
    """``name { ... }`` with its plugins and conditionals."""
    body = "".join(_render_node(node, 1) for node in nodes)
    return f"{name} {{\n{body}}}\n"


def _render_node(node: _Node, depth: int) -> str:
    """A plugin block or a conditional, indented ``depth`` levels."""
    pad = _INDENT * depth
    if isinstance(node, _Plugin):
        return f"{pad}{_render_plugin(node, depth)}\n"
    text = f"{pad}if {node.condition} {{\n" + "".join(_render_node(child, depth + 1) for child in node.then)
    if node.otherwise:
        text += f"{pad}}} else {{\n" + "".join(_render_node(child, depth + 1) for child in node.otherwise)
    return text + f"{pad}}}\n"


def _render_plugin(plugin: _Plugin, depth: int) -> str:
    """``name { key => value ... }`` (settings one per line, in the given order)."""
    pad = _INDENT * (depth + 1)
    lines = "".join(f"{pad}{key} => {_render_value(value, depth + 1)}\n" for key, value in plugin.settings)
    return f"{plugin.name} {{\n{lines}{_INDENT * depth}}}"


def _render_value(value: _Value, depth: int) -> str:
    """One setting value in config-language syntax."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_render_value(item, depth) for item in value) + "]"
    if isinstance(value, dict):
        pad = _INDENT * (depth + 1)
        entries = "".join(f"{pad}{_quote(key)} => {_quote(item)}\n" for key, item in value.items())
        return "{\n" + entries + _INDENT * depth + "}"
    if isinstance(value, _Plugin):
        return _render_plugin(value, depth)
    if isinstance(value, _Env):
        return f'"{env_reference(value.name)}"'
    return _quote_code(value.text, depth)


def _quote(text: str) -> str:
    """A double-quoted string. ``config.support_escapes`` is off, so quotes cannot be escaped."""
    _check_text(text, what="value")
    return f'"{text}"'


def _quote_code(code: str, depth: int) -> str:
    """A double-quoted multi-line string holding Ruby code (which therefore uses only ``'``)."""
    if '"' in code or "\\" in code or "${" in code:
        raise ValueError('embedded Ruby must not contain ", \\ or ${')
    pad = _INDENT * (depth + 1)
    lines = "".join(f"{pad}{line}".rstrip() + "\n" for line in code.strip("\n").splitlines())
    return f'"\n{lines}{_INDENT * depth}"'


def _check_text(text: str, *, what: str) -> None:
    """Refuse text that cannot live in a double-quoted config string or that would be substituted."""
    if not text or not _SAFE_TEXT.fullmatch(text) or "${" in text:
        raise ValueError(f"unsafe {what} for a Logstash config string: {text!r}")


def _check_port(port: int) -> None:
    """A TCP port number."""
    if not 1 <= port <= 65535:
        raise ValueError(f"port out of range: {port}")


def _ruby_strings(values: Iterable[str]) -> str:
    """A Ruby array literal of single-quoted strings (values already validated as safe)."""
    return "[" + ", ".join(f"'{value}'" for value in values) + "]"


# ---------------------------------------------------------------------------------------------
# input { ... }
# ---------------------------------------------------------------------------------------------


def _inputs(options: Mt4PipelineOptions) -> tuple[_Node, ...]:
    """The TCP (JSON lines) and Beats inputs."""
    return (_tcp_input(options), _beats_input(options))


def _tcp_input(options: Mt4PipelineOptions) -> _Plugin:
    """``tcp`` in server mode with the ``json_lines`` codec.

    https://www.elastic.co/guide/en/logstash/8.19/plugins-inputs-tcp.html and
    https://www.elastic.co/guide/en/logstash/8.19/plugins-codecs-json_lines.html
    In server mode the client policy is ``ssl_client_authentication`` (its default is
    ``required``, so it is always rendered); ``ssl_verification_mode`` is client-mode only and
    the plugin refuses it in server mode.
    """
    codec = _Plugin("json_lines", (("decode_size_limit_bytes", options.json_line_max_bytes),))
    settings: list[tuple[str, _Value]] = [
        ("id", "mt4_tcp_json_lines"),
        ("host", "0.0.0.0"),
        ("port", options.tcp_port),
        ("mode", "server"),
        ("dns_reverse_lookup_enabled", False),
        ("codec", codec),
    ]
    if options.tcp_tls:
        settings += _server_tls_settings(options, options.client_authentication)
    return _Plugin("tcp", tuple(settings))


def _beats_input(options: Mt4PipelineOptions) -> _Plugin:
    """``beats`` (Lumberjack v2).

    https://www.elastic.co/guide/en/logstash/8.19/plugins-inputs-beats.html
    The key must be PKCS#8; ``ssl_certificate_authorities`` may only be set together with
    ``ssl_client_authentication`` ``optional``/``required`` (the plugin refuses a CA with
    ``none``), hence the shared helper below.
    """
    settings: list[tuple[str, _Value]] = [
        ("id", "mt4_beats"),
        ("host", "0.0.0.0"),
        ("port", options.beats_port),
    ]
    if options.beats_tls:
        settings += _server_tls_settings(options, options.beats_client_authentication)
    return _Plugin("beats", tuple(settings))


def _server_tls_settings(options: Mt4PipelineOptions, client_authentication: ClientAuthentication) -> list[tuple[str, _Value]]:
    """Server-side TLS options shared (same names, same meaning) by the tcp and beats inputs."""
    settings: list[tuple[str, _Value]] = [
        ("ssl_enabled", True),
        ("ssl_certificate", options.tls_certificate_path),
        ("ssl_key", options.tls_key_path),
        ("ssl_supported_protocols", ("TLSv1.2", "TLSv1.3")),
        ("ssl_client_authentication", client_authentication),
    ]
    if client_authentication != "none":
        settings.append(("ssl_certificate_authorities", (options.client_ca_path,)))
    return settings


# ---------------------------------------------------------------------------------------------
# filter { ... }
# ---------------------------------------------------------------------------------------------


def _filters(options: Mt4PipelineOptions) -> tuple[_Node, ...]:
    """All filter stages, in processing order (see the module docstring)."""
    return (
        *_decode_failure_filters(),
        _timestamp_retry(),
        *_ecs_alias_filters(),
        _host_object_filter(),
        _spread_filter(),
        *_redaction_filters(options),
        *_routing_filters(options),
    )


def _tag_parse_failure(plugin_id: str) -> _Plugin:
    """``mutate`` adding the shared parse-failure tag (common option ``add_tag``).

    https://www.elastic.co/guide/en/logstash/8.19/plugins-filters-mutate.html#plugins-filters-mutate-common-options
    """
    return _Plugin("mutate", (("id", plugin_id), ("add_tag", (mt4_fields.PARSE_FAILURE_TAG,))))


def _keep_raw_value(plugin_id: str, field: str, label: str) -> tuple[_If, _Plugin]:
    """Move a rejected raw value (``_@timestamp``/``_tags``) into ``error.message`` (if free).

    The raw field itself is always removed: it is not in the field catalogue. ``add_field``
    would turn an existing ``error.message`` into an array, hence the guard.
    https://www.elastic.co/guide/en/logstash/8.19/plugins-filters-mutate.html
    """
    keep = _Plugin(
        "mutate",
        (
            ("id", f"{plugin_id}_keep"),
            ("add_field", {"[error][message]": f"{label}: %{{{field}}}"}),
        ),
    )
    drop = _Plugin("mutate", (("id", f"{plugin_id}_remove"), ("remove_field", (field,))))
    return _If(f"{field} and ![error][message]", (keep,)), drop


def _decode_failure_filters() -> tuple[_Node, ...]:
    """Flag events the json_lines codec or the event constructor could not decode.

    The codec keeps an unparseable line in ``message`` tagged ``_jsonparsefailure``
    (https://www.elastic.co/guide/en/logstash/8.19/plugins-codecs-json_lines.html); an illegal
    ``tags`` value is moved to ``_tags`` and tagged ``_tagsparsefailure``
    (https://www.elastic.co/guide/en/logstash/8.19/logstash-settings-file.html, ``event_api.tags.illegal``).
    """
    keep_tags, remove_tags = _keep_raw_value("mt4_illegal_tags", "[_tags]", "illegal tags value")
    return (
        _If(
            '"_jsonparsefailure" in [tags] or "_tagsparsefailure" in [tags]',
            (_tag_parse_failure("mt4_flag_decode_failure"),),
        ),
        _If('"_tagsparsefailure" in [tags]', (keep_tags, remove_tags)),
    )


def _timestamp_retry() -> _If:
    """Second chance for an ``@timestamp`` the event constructor rejected.

    Logstash parses ``@timestamp`` when it builds the event: a JSON string becomes a Timestamp,
    an unparseable one is replaced by the current time, kept in ``_@timestamp`` and tagged
    ``_timestampparsefailure``. The ``date`` filter retries with lenient formats; on success it
    removes the tag and the raw field, on failure it tags ``PARSE_FAILURE_TAG`` and the raw
    value moves to ``error.message``.
    https://www.elastic.co/guide/en/logstash/8.19/plugins-filters-date.html
    """
    retry = _Plugin(
        "date",
        (
            ("id", "mt4_timestamp_retry"),
            ("match", ("[_@timestamp]", *TIMESTAMP_FALLBACK_FORMATS)),
            ("timezone", "UTC"),
            ("target", "@timestamp"),
            ("tag_on_failure", (mt4_fields.PARSE_FAILURE_TAG,)),
            ("remove_tag", ("_timestampparsefailure",)),
            ("remove_field", ("[_@timestamp]",)),
        ),
    )
    keep_raw, remove_raw = _keep_raw_value("mt4_bad_timestamp", "[_@timestamp]", "unparseable @timestamp")
    return _If('"_timestampparsefailure" in [tags]', (retry, keep_raw, remove_raw))


_HOST_CODE = """
host = event.get('host')
if host.is_a?(String)
  event.remove('host')
  event.set('[host][name]', host)
end
"""


def _host_object_filter() -> _Plugin:
    """A plain-string ``host`` (classic, non-ECS log shippers send one) becomes ``host.name``.

    The templates map ``host`` as an object (``host.name``, ``host.hostname``, ``host.ip``);
    Elasticsearch refuses a document whose ``host`` is a string there, and the event would end
    in the dead letter queue instead of its data stream.
    https://www.elastic.co/guide/en/logstash/8.19/plugins-filters-ruby.html
    """
    return _Plugin("ruby", (("id", "mt4_host_object"), ("code", _Code(_HOST_CODE))))


def _ecs_alias_filters() -> tuple[_Node, ...]:
    """Move ``log.level``/``log.logger`` into ``level``/``logger`` when free, then drop the ECS names.

    The templates map the ECS names as aliases (``mt4_fields.ECS_ALIASES``), and Elasticsearch
    rejects a document that writes to an alias. Both shapes a client can send are handled: the
    nested object (``[log][level]``) and a literal dotted key (``[log.level]``), which
    Elasticsearch would expand to the same alias.
    https://www.elastic.co/guide/en/logstash/8.19/plugins-filters-mutate.html#plugins-filters-mutate-rename
    https://www.elastic.co/guide/en/logstash/8.19/field-references-deepdive.html
    """
    nodes: list[_Node] = []
    removed: list[str] = []
    for ecs_path, seed_field in sorted(mt4_fields.ECS_ALIASES.items()):
        target = _field_ref(seed_field)
        for shape, source in (("nested", _field_ref(ecs_path)), ("dotted", f"[{ecs_path}]")):
            rename = _Plugin("mutate", (("id", f"mt4_ecs_{seed_field}_{shape}"), ("rename", {source: target})))
            nodes.append(_If(f"{source} and !{target}", (rename,)))
            removed.append(source)
    nodes.append(_Plugin("mutate", (("id", "mt4_ecs_alias_cleanup"), ("remove_field", tuple(removed)))))
    return tuple(nodes)


def _field_ref(dotted: str) -> str:
    """``log.level`` -> ``[log][level]`` (Logstash field reference syntax)."""
    return "".join(f"[{part}]" for part in dotted.split("."))


_SPREAD_INIT = """
@number = lambda do |value|
  next value.to_f if value.is_a?(Numeric)
  next nil unless value.is_a?(String)
  Float(value) rescue nil
end
"""

_SPREAD_CODE = """
if event.get('spread').nil?
  bid = @number.call(event.get('bid'))
  ask = @number.call(event.get('ask'))
  if bid && ask && (ask - bid).finite?
    event.set('spread', (ask - bid).round(5))
  end
end
"""


def _spread_filter() -> _Plugin:
    """``spread = round(ask - bid, 5)`` when missing (numbers or numeric strings only).

    https://www.elastic.co/guide/en/logstash/8.19/plugins-filters-ruby.html
    """
    return _Plugin(
        "ruby",
        (("id", "mt4_compute_spread"), ("init", _Code(_SPREAD_INIT)), ("code", _Code(_SPREAD_CODE))),
    )


_REDACT_INIT = """
@sensitive = {keys}.freeze
@redact = lambda do |value|
  case value
  when Hash
    value.each_with_object({{}}) do |(key, item), clean|
      clean[key] = @sensitive.include?(key.to_s.downcase) ? '{redacted}' : @redact.call(item)
    end
  when Array
    value.map {{ |item| @redact.call(item) }}
  else
    value
  end
end
"""

_REDACT_CODE = """
event.to_hash.each do |key, value|
  clean = @sensitive.include?(key.to_s.downcase) ? '{redacted}' : @redact.call(value)
  event.set('[' + key + ']', clean) unless clean == value
end
"""


_QUARANTINE_CODE = """
clean = @redact.call(@rename.call(event.to_hash))
clean['tags'] = (Array(clean['tags']) + ['{failure_tag}']).uniq
new_event_block.call(LogStash::Event.new(clean))
event.cancel
"""

_RENAME_INIT = """
@rename = lambda do |value|
  case value
  when Hash
    value.each_with_object({}) { |(key, item), out| out[key.to_s.tr('[]', '__')] = @rename.call(item) }
  when Array
    value.map { |item| @rename.call(item) }
  else
    value
  end
end
"""


def _redaction_filters(options: Mt4PipelineOptions) -> tuple[_Node, ...]:
    """Replace sensitive values at any depth; quarantine the event if redaction itself fails.

    ``init`` keeps the key list and a recursive lambda in instance variables of this filter
    (``def`` there would define methods shared by every ruby filter). A field name Logstash
    cannot reference (brackets in a key) makes ``event.set`` raise: the event is then tagged, and
    a quarantine filter re-emits it as a new event built from a plain copy -- brackets in keys
    turned into ``_``, sensitive values redacted, tagged as a parse failure -- and cancels the
    original, so nothing is lost and no secret is indexed. Only if that also raises is the event
    dropped (the ruby filter logs the exception). ``new_event_block`` is the documented way for
    inline code to emit events.
    https://www.elastic.co/guide/en/logstash/8.19/plugins-filters-ruby.html and
    https://www.elastic.co/guide/en/logstash/8.19/plugins-filters-drop.html
    """
    keys = sorted({key.lower() for key in options.sensitive_keys})
    init = _REDACT_INIT.format(keys=_ruby_strings(keys), redacted=REDACTED)
    code = _REDACT_CODE.format(redacted=REDACTED)
    redact = _Plugin(
        "ruby",
        (
            ("id", "mt4_redact_sensitive"),
            ("init", _Code(init)),
            ("code", _Code(code)),
            ("tag_on_exception", REDACTION_FAILURE_TAG),
        ),
    )
    quarantine = _Plugin(
        "ruby",
        (
            ("id", "mt4_quarantine_unredactable"),
            ("init", _Code(init + _RENAME_INIT)),
            ("code", _Code(_QUARANTINE_CODE.format(failure_tag=mt4_fields.PARSE_FAILURE_TAG))),
            ("tag_on_exception", QUARANTINE_FAILURE_TAG),
        ),
    )
    drop = _If(f'"{QUARANTINE_FAILURE_TAG}" in [tags]', (_Plugin("drop", (("id", "mt4_drop_unredactable"),)),))
    return (redact, _If(f'"{REDACTION_FAILURE_TAG}" in [tags]', (quarantine,)), drop)


_ROUTE_INIT = """
require 'securerandom'
@metric_types = {metric_types}.freeze
@routed_types = {routed_types}.freeze
@failure_tag = '{failure_tag}'
@failure_dataset = '{failure_dataset}'
@default_dataset = '{default_dataset}'
@other_dataset = '{other_dataset}'
"""

_ROUTE_CODE = """
event_type = event.get('event_type')
if Array(event.get('tags')).include?(@failure_tag)
  family, dataset = 'logs', @failure_dataset
else
  family = @metric_types.include?(event_type) ? 'metrics' : 'logs'
  dataset = if event_type.nil? || event_type == false || event_type == ''
              @default_dataset
            elsif event_type.is_a?(String) && @routed_types.include?(event_type)
              event_type
            else
              @other_dataset
            end
end
event.set('[event][dataset]', dataset)
event.set('[event][ingested]', ::LogStash::Timestamp.now)
event.set('[@metadata][target]', 'mt4-' + family + '-' + dataset)
document_id = event.get('[event][id]')
document_id = SecureRandom.uuid if document_id.nil? || document_id.to_s.empty?
event.set('[@metadata][document_id]', document_id.to_s)
"""


def _routing_filters(options: Mt4PipelineOptions) -> tuple[_Node, ...]:
    """Dataset, target data stream, ``event.ingested`` and the document id, in one ruby filter.

    Mirrors ``mt4_fields.dataset_for`` / ``data_stream_for`` exactly (the tests run this Ruby
    against the Python functions): the MT4 event types and those the stack file lists get a
    stream of their own, anything else ``mt4-logs-other`` (the type stays in the document).
    The id is ``event.id`` when the client sent one, else a
    UUID made here once, so Logstash's own retries and persisted-queue replays are idempotent
    too. If the filter ever fails, the fallbacks still give the event a valid target
    (``mt4-logs-parse_failure``) and a unique id (``uuid`` filter).
    https://www.elastic.co/guide/en/logstash/8.19/plugins-filters-ruby.html and
    https://www.elastic.co/guide/en/logstash/8.19/plugins-filters-uuid.html
    """
    init = _ROUTE_INIT.format(
        metric_types=_ruby_strings(sorted(mt4_fields.METRIC_EVENT_TYPES)),
        routed_types=_ruby_strings(sorted({*mt4_fields.ROUTED_EVENT_TYPES, *options.event_types})),
        failure_tag=mt4_fields.PARSE_FAILURE_TAG,
        failure_dataset=PARSE_FAILURE_DATASET,
        default_dataset=mt4_fields.DEFAULT_DATASET,
        other_dataset=mt4_fields.OTHER_DATASET,
    )
    route = _Plugin("ruby", (("id", "mt4_route"), ("init", _Code(init)), ("code", _Code(_ROUTE_CODE))))
    fallback = _Plugin(
        "mutate",
        (
            ("id", "mt4_route_fallback"),
            (
                "replace",
                {
                    "[event][dataset]": PARSE_FAILURE_DATASET,
                    "[@metadata][target]": f"mt4-logs-{PARSE_FAILURE_DATASET}",
                },
            ),
            ("add_tag", (mt4_fields.PARSE_FAILURE_TAG,)),
        ),
    )
    document_id = _Plugin("uuid", (("id", "mt4_document_id_fallback"), ("target", "[@metadata][document_id]")))
    return (
        route,
        _If("![@metadata][target]", (fallback,)),
        _If("![@metadata][document_id]", (document_id,)),
    )


# ---------------------------------------------------------------------------------------------
# output { ... }
# ---------------------------------------------------------------------------------------------


def _outputs(options: Mt4PipelineOptions) -> tuple[_Node, ...]:
    """The single ``elasticsearch`` output."""
    return (_elasticsearch_output(options),)


def _elasticsearch_output(options: Mt4PipelineOptions) -> _Plugin:
    """``elasticsearch`` writing ``create`` actions into the routed data stream.

    https://www.elastic.co/guide/en/logstash/8.19/plugins-outputs-elasticsearch.html
    - ``data_stream => "false"``: the plugin's own data-stream naming (``type-dataset-namespace``)
      is off; we name the stream in ``index``. Elasticsearch creates the data stream on the first
      ``create`` into a name matched by a data-stream index template
      (https://www.elastic.co/guide/en/elasticsearch/reference/8.19/docs-index_.html,
      "Automatic data stream creation requires a matching index template with data stream
      enabled"); data streams accept only ``create``.
    - 409 responses (document id already indexed) are logged and dropped, never retried
      ("409 errors (conflict) are logged as a warning and dropped"); the expected duplicates are
      kept out of the log with ``silence_errors_in_log``. 400/404 go to the DLQ when enabled.
    - ``manage_template``/``ilm_enabled`` off: templates and lifecycle are managed by the stack.
    """
    return _Plugin(
        "elasticsearch",
        (
            ("id", "mt4_elasticsearch"),
            ("hosts", tuple(options.elasticsearch_hosts)),
            ("ssl_enabled", True),
            ("ssl_certificate_authorities", (options.elasticsearch_ca_path,)),
            ("ssl_verification_mode", "full"),
            ("user", options.writer_user),
            ("password", _Env(options.writer_password_env)),
            ("action", "create"),
            ("index", "%{[@metadata][target]}"),
            ("document_id", "%{[@metadata][document_id]}"),
            ("data_stream", "false"),
            ("manage_template", False),
            ("ilm_enabled", "false"),
            ("silence_errors_in_log", ("version_conflict_engine_exception",)),
        ),
    )
