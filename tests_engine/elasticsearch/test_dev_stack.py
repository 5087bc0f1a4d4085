"""Dev stack on ONE real node: the project's files, TLS, password hand-over, API bodies, snapshot/restore."""

from __future__ import annotations

import pytest

from tests_engine.elasticsearch.conftest import StartedStack
from tests_engine.elasticsearch.stack_tests import (  # noqa: F401 - collected here against the dev node
    applied,
    indexed,
    test_every_elasticstack_type_is_translated_or_listed_as_not_covered,
    test_every_listed_absent_setting_and_type_is_really_refused_by_this_build,
    test_every_rendered_setting_is_accepted_and_held_by_the_real_node,
    test_every_translated_request_is_accepted_by_the_real_node,
    test_https_verifies_against_the_ca_under_every_dns_san_and_fails_under_another_name,
    test_one_event_of_each_mt4_structure_lands_in_its_data_stream_with_the_mapped_types,
    test_only_the_listed_paths_ports_and_address_differ_from_the_rendered_file,
    test_resources_no_real_server_here_can_check_are_printed_with_what_covers_them,
    test_snapshot_into_the_program_repository_and_restore_under_a_new_name_keeps_the_counts,
    test_substitutions_are_exactly_the_absent_types_and_settings_in_the_bodies,
    test_the_elastic_password_from_the_password_file_authenticates_and_a_wrong_one_gets_401,
    test_the_projects_heap_file_sets_each_node_heap,
)


@pytest.fixture(scope="module")
def started(dev_stack: StartedStack) -> StartedStack:
    return dev_stack


def test_dev_is_one_single_node_cluster(started: StartedStack) -> None:
    from tests_engine.elasticsearch import checks

    client = started.cluster.nodes[0].client()
    assert checks.node_names(client) == [n.node_name for n in started.inputs.nodes] == ["es01"]
    assert started.cluster.nodes[0].rewritten.settings["discovery.type"] == "single-node"
