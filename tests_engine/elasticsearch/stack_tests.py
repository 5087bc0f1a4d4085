"""Tests every stack's real nodes must pass: ``StackContract``, subclassed once per stack by
test_dev_stack.py and test_prod_stack.py, which define the module-scoped ``started`` fixture (the
stack's nodes, green). A subclass inherits every test and adds the stack's own."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import pytest

from engine.realserver.absent_modules import TYPE_SUBSTITUTES
from engine.realserver.api_apply import Applied, apply_all, untranslated_types
from engine.realserver.client import EsClient
from engine.realserver.launcher import PRETOUCH
from engine.realserver.mt4_events import events
from engine.realserver.not_covered import ALSO_NOT_COVERED, NOT_COVERED
from tests_engine.elasticsearch import checks
from tests_engine.elasticsearch.conftest import REPORT, StartedStack


@dataclass(frozen=True)
class Indexed:
    applied: list[Applied]
    docs: dict[str, tuple[str, dict[str, Any]]]


def _named(client: EsClient, name: str) -> EsClient:
    return replace(client, server_name=name)


def _template_types(applied: list[Applied]) -> dict[str, str]:
    """path -> type as the (substituted) mappings component template says."""
    out: dict[str, str] = {}
    for a in applied:
        out.update(checks.mapped_types(a.sent.body.get("template", {}).get("mappings", {}).get("properties", {})))
    return out


class StackContract:
    """The tests of part 2 (the project's files on real nodes) and part 3 (the API bodies, the
    MT4 events, snapshot and restore), run against the ``started`` fixture of the subclass's module."""

    # ------------------------------------------------------------------------- part 2: files

    def test_every_rendered_setting_is_accepted_and_held_by_the_real_node(self, started: StartedStack) -> None:
        for node in started.cluster.nodes:
            for d in node.rewritten.dropped:
                print(f"{node.spec.node_name}: {d.name} not sent (module {d.module} is absent from this build)")
            assert checks.settings_not_applied(node) == {}, node.spec.node_name
            hidden = sorted(k for k in node.rewritten.settings if checks.hidden_by_node(k))
            print(f"{node.spec.node_name}: held but hidden by GET /_nodes/settings (proven by the TLS tests): {hidden}")

    def test_only_the_listed_paths_ports_and_address_differ_from_the_rendered_file(self, started: StartedStack) -> None:
        for node in started.cluster.nodes:
            assert checks.rewrite_outside_its_list(node) == {}
            for key, (rendered, used) in sorted(node.rewritten.changed.items()):
                print(f"{node.spec.node_name}: {key}: {rendered!r} -> {used!r}")

    def test_the_projects_heap_file_sets_each_node_heap(self, started: StartedStack) -> None:
        """The heap the JVM really has is the project's heap.options, and nothing later overrides it.

        The order of the node's JVM command line in 8.19.21 (server-cli's
        ``JvmOptionsParser.jvmOptions``, read from the jar's bytecode and the source): SystemJvmOptions
        first (it holds ``-XX:+AlwaysPreTouch``), then ``jvm.options`` and ``jvm.options.d/*.options``
        sorted by file name, then ES_JAVA_OPTS (unset here), then MachineDependentHeap's heap (only
        when none was given), JvmErgonomics' and APM's options; the launcher adds module flags after.
        HotSpot keeps the LAST occurrence of a flag, so the proof is: the file's -Xms/-Xmx are the
        last ones on the line, and the JVM's own figures (initial and max heap) equal them.
        """
        for node in started.cluster.nodes:
            declared = node.spec.jvm_options["heap.options"].split()
            (info,) = node.client().request("GET", "/_nodes/_local/jvm").body["nodes"].values()
            args = info["jvm"]["input_arguments"]
            for prefix in ("-Xms", "-Xmx"):
                (ours,) = [a for a in declared if a.startswith(prefix)]
                assert checks.last_option(args, prefix) == ours, (node.spec.node_name, prefix, args)
            size = checks.megabytes(next(a for a in declared if a.startswith("-Xmx"))[4:]) * 1024 * 1024
            assert info["jvm"]["mem"]["heap_init_in_bytes"] == size, node.spec.node_name
            assert info["jvm"]["mem"]["heap_max_in_bytes"] == size, node.spec.node_name
            # Pre-touch: the system option is +, the machine file (read after heap.options) turns it off.
            assert checks.last_option(args, "-XX:+AlwaysPreTouch", "-XX:-AlwaysPreTouch") == (
                "-XX:+AlwaysPreTouch" if PRETOUCH else "-XX:-AlwaysPreTouch"), (node.spec.node_name, args)
            print(f"{node.spec.node_name}: heap {size // 1024 ** 2} MB (init = max) from the project's heap.options; "
                  f"pre-touch {'on' if PRETOUCH else 'off'}")

    def test_every_listed_absent_setting_and_type_is_really_refused_by_this_build(self, started: StartedStack) -> None:
        assert checks.absent_entries_accepted_here(started.cluster.nodes[0].client()) == []

    def test_https_verifies_against_the_ca_under_every_dns_san_and_fails_under_another_name(self, started: StartedStack) -> None:
        for node, files in zip(started.cluster.nodes, started.inputs.nodes, strict=True):
            assert files.dns_names, "the program asks for DNS SANs"
            base = node.client()
            for name in files.dns_names:
                assert checks.tls_failure(_named(base, name)) is None, (node.spec.node_name, name)
            assert "certificate verification failed" in str(checks.tls_failure(_named(base, "not-a-san.invalid")))

    def test_the_elastic_password_from_the_password_file_authenticates_and_a_wrong_one_gets_401(self, started: StartedStack) -> None:
        for node in started.cluster.nodes:
            me = node.client().request("GET", "/_security/_authenticate")
            assert me.status == 200 and me.body["username"] == "elastic", me.body
            assert me.body["authentication_realm"]["type"] == "reserved"
            assert node.client(password="not-" + node.spec.password).request("GET", "/_security/_authenticate").status == 401

    # ----------------------------------------------------------------------------- part 3: API bodies

    @pytest.fixture(scope="class")
    @classmethod
    def applied(cls, started: StartedStack) -> list[Applied]:
        node = started.cluster.nodes[0]
        done = apply_all(node.client(), started.inputs, started.specs[0], started.cluster.repo_dir)
        total = sum(a.seconds for a in done)
        REPORT.add(f"{started.inputs.stack}: {len(done)} API bodies applied in {total:.2f}s "
                   f"({', '.join(f'{a.sent.path} {a.seconds:.2f}s' for a in done)})")
        for a in done:
            for s in a.substitutions:
                REPORT.add(f"{started.inputs.stack}: substitution: {s.line()}")
        return done

    def test_every_elasticstack_type_is_translated_or_listed_as_not_covered(self, started: StartedStack) -> None:
        assert untranslated_types(started.inputs) == []

    def test_every_translated_request_is_accepted_by_the_real_node(self, applied: list[Applied]) -> None:
        for a in applied:
            print(f"{a.sent.method} {a.sent.path} -> {a.response.status}  (provider source: {'; '.join(a.request.source)})")
        assert applied, "the program declares templates and a repository"
        assert checks.failed_requests(applied) == []

    def test_the_cluster_settings_the_program_sets_are_held_by_the_cluster(self, started: StartedStack, applied: list[Applied]) -> None:
        sent = [a.sent for a in applied if a.sent.path == "/_cluster/settings"]
        assert sent, "the program declares cluster settings (elasticstack ClusterSettings)"
        answer = started.cluster.nodes[0].client().request("GET", "/_cluster/settings?flat_settings=true")
        assert answer.status == 200, answer.body
        for req in sent:
            for kind, settings in req.body.items():
                held = answer.body[kind]
                for name, value in settings.items():
                    assert held.get(name) == checks.as_setting_text(value), (kind, name, held.get(name), value)
                    print(f"{kind} {name} = {held[name]!r} held by the cluster")

    def test_substitutions_are_exactly_the_absent_types_and_settings_in_the_bodies(self, applied: list[Applied]) -> None:
        expected = set()
        for a in applied:
            template = a.request.body.get("template", {})
            for path, kind in checks.mapped_types(template.get("mappings", {}).get("properties", {})).items():
                if kind in TYPE_SUBSTITUTES:
                    expected.add((a.request.resource, f"template.mappings.properties.{path.replace('.', '.properties.')}"))
            for key in template.get("settings", {}):
                if key == "index.lifecycle.name":
                    expected.add((a.request.resource, f"template.settings.{key}"))
        seen = {(s.resource, s.where) for a in applied for s in a.substitutions}
        for a in applied:
            for s in a.substitutions:
                print(s.line())
        assert seen == expected

    @pytest.fixture(scope="class")
    @classmethod
    def indexed(cls, started: StartedStack, applied: list[Applied]) -> Indexed:
        docs = events()
        lines = []
        for stream, doc in docs.values():
            lines += [json.dumps({"create": {"_index": stream}}), json.dumps(doc)]
        answer = started.cluster.nodes[0].client().request("POST", "/_bulk?refresh=true", ndjson="\n".join(lines) + "\n")
        assert answer.status == 200, answer.body
        errors = [i for i in answer.body["items"] if i["create"]["status"] != 201]
        assert errors == [], errors
        return Indexed(applied, docs)

    def test_one_event_of_each_mt4_structure_lands_in_its_data_stream_with_the_mapped_types(
        self, started: StartedStack, indexed: Indexed
    ) -> None:
        client = started.cluster.nodes[0].client()
        declared = _template_types(indexed.applied)
        for event_type, (stream, doc) in indexed.docs.items():
            answer = client.request("GET", f"/{stream}/_mapping")
            assert answer.status == 200, answer.body
            (backing, body), = answer.body.items()
            assert backing.startswith(f".ds-{stream}-"), f"{stream} is not a data stream: {backing}"
            got = checks.mapped_types(body["mappings"]["properties"])
            for path, value in checks.leaf_paths(doc).items():
                expected = declared.get(path, "keyword" if isinstance(value, str) else None)
                assert got.get(path) == expected, (event_type, path, got.get(path), expected)
            print(f"{event_type} -> {stream} ({backing}): {len(checks.leaf_paths(doc))} fields with the mapped types")

    def test_snapshot_into_the_program_repository_and_restore_under_a_new_name_keeps_the_counts(
            self,
        started: StartedStack, indexed: Indexed
    ) -> None:
        client = started.cluster.nodes[0].client()
        repo = next(a.sent.path.split("/")[2] for a in indexed.applied if a.sent.path.startswith("/_snapshot/"))
        streams = sorted({s for s, _ in indexed.docs.values()})
        made = client.request("PUT", f"/_snapshot/{repo}/realserver-1?wait_for_completion=true",
                              {"indices": ",".join(streams), "include_global_state": False})
        assert made.status == 200 and made.body["snapshot"]["state"] == "SUCCESS", made.body
        assert sorted(made.body["snapshot"]["data_streams"]) == streams
        back = client.request("POST", f"/_snapshot/{repo}/realserver-1/_restore?wait_for_completion=true",
                              {"indices": ",".join(streams), "include_global_state": False,
                               "rename_pattern": "mt4-(.+)", "rename_replacement": "mt4-$1-restored"})
        assert back.status == 200, back.body
        for stream in streams:
            before = client.request("GET", f"/{stream}/_count").body["count"]
            after = client.request("GET", f"/{stream}-restored/_count")
            assert after.status == 200, after.body
            assert after.body["count"] == before == 1, (stream, before, after.body)
            print(f"{stream}: {before} doc; restored as {stream}-restored: {after.body['count']} doc")

    def test_resources_no_real_server_here_can_check_are_printed_with_what_covers_them(self, started: StartedStack) -> None:
        declared = {r.type for r in started.inputs.elasticstack_resources()}
        for kind, why in sorted(NOT_COVERED.items()):
            names = sorted(r.name for r in started.inputs.elasticstack_resources() if r.type == kind)
            REPORT.add(f"{started.inputs.stack}: NOT COVERED by a real server: {kind} {names}: {why.why}; covered by {why.covered_by}")
        for what, why in ALSO_NOT_COVERED:
            print(f"NOT COVERED by a real server: {what}: {why}")
        stale = sorted(set(NOT_COVERED) - declared)
        assert stale == [], f"listed as not covered but not declared by the {started.inputs.stack} program: {stale}"
