"""Each Kibana provider's create/read/update/diff/delete against the fake Kibana 8.19."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP

import pytest

from components.providers.kibana.connector import ConnectorProvider
from components.providers.kibana.data_view import DataViewProvider, DefaultDataViewProvider
from components.providers.kibana.rule import RuleProvider
from components.providers.kibana.saved_object import SavedObjectProvider
from tests.providers.kibana.fake_kibana import PASSWORD, USER, FakeKibana, serve


@pytest.fixture
def kibana() -> Iterator[tuple[FakeKibana, dict]]:
    fake = FakeKibana()
    with serve(fake) as url:
        yield fake, {"url": url, "username": USER, "password": PASSWORD, "ca_pem": "", "startup_timeout_seconds": 5,
                     "first_pause_seconds": 0.05}


VIEW = {"title": "mt4-logs-*", "name": "MT4 logs", "timeFieldName": "@timestamp",
        "fieldFormats": {"bid": {"id": "number", "params": {"pattern": "0.00000"}}}, "allowNoIndex": True}


def view_props(conn: dict, **extra: object) -> dict:
    return {"object_id": "mt4-logs", "space": None, "connection": conn, "data_view": VIEW, **extra}


# --- data views ---------------------------------------------------------------------------

def test_data_view_create_posts_our_id_and_returns_what_kibana_holds(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    result = DataViewProvider().create(view_props(conn))
    post = [r for r in fake.requests if r.method == "POST"][0]
    assert post.path == "/api/data_views/data_view"
    assert json.loads(post.body) == {"data_view": {**VIEW, "id": "mt4-logs"}, "override": False}
    assert result.id == "mt4-logs" and result.outs["data_view"] == VIEW
    # A second `up` with the same inputs is a no-op: Kibana's added fields are not ours.
    assert DataViewProvider().diff("mt4-logs", result.outs, view_props(conn)).changes is False


def test_data_view_edited_by_hand_shows_as_drift_and_update_puts_ours_back(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    provider = DataViewProvider()
    provider.create(view_props(conn))
    fake.data_views[("default", "mt4-logs")]["timeFieldName"] = "event.ingested"
    read = provider.read("mt4-logs", view_props(conn))
    assert read.outs["data_view"]["timeFieldName"] == "event.ingested"
    diff = provider.diff("mt4-logs", read.outs, view_props(conn))
    assert diff.changes is True and diff.replaces == []
    provider.update("mt4-logs", read.outs, view_props(conn))
    assert fake.data_views[("default", "mt4-logs")]["timeFieldName"] == "@timestamp"
    assert [r.path for r in fake.writes()][-1] == "/api/data_views/data_view/mt4-logs"


def test_data_view_deleted_by_hand_reads_as_gone(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    DataViewProvider().create(view_props(conn))
    del fake.data_views[("default", "mt4-logs")]
    assert DataViewProvider().read("mt4-logs", view_props(conn)).id == ""


def test_an_existing_data_view_with_our_id_is_adopted_not_duplicated(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    fake.data_views[("default", "mt4-logs")] = fake.filled_view({"id": "mt4-logs", "title": "mt4-logs-*", "name": "by hand"})
    result = DataViewProvider().create(view_props(conn))
    assert [(r.method, r.path) for r in fake.writes()] == [("POST", "/api/data_views/data_view/mt4-logs")]
    assert result.outs["data_view"]["name"] == "MT4 logs" and len(fake.data_views) == 1


def test_a_409_on_create_adopts_the_object_created_meanwhile(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana

    class Racing(DataViewProvider):
        calls = 0

        def fetch(self, client, props):  # noqa: ANN001, ANN201 - the first look finds nothing
            Racing.calls += 1
            if Racing.calls == 1:
                fake.data_views[("default", "mt4-logs")] = fake.filled_view({"id": "mt4-logs", "title": "other"})
                return None
            return super().fetch(client, props)

    result = Racing().create(view_props(conn))
    assert [(r.method, r.path) for r in fake.writes()] == [
        ("POST", "/api/data_views/data_view"), ("POST", "/api/data_views/data_view/mt4-logs")]
    assert result.outs["data_view"]["title"] == "mt4-logs-*"


def test_a_wrong_id_is_refused_before_any_request(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    with pytest.raises(ValueError, match="data view id 'MT4 Logs/x' is not usable"):
        DataViewProvider().create(view_props(conn, object_id="MT4 Logs/x"))
    assert fake.requests == []


def test_space_and_id_force_replacement(kibana: tuple[FakeKibana, dict]) -> None:
    _, conn = kibana
    olds = view_props(conn)
    assert DataViewProvider().diff("x", olds, {**olds, "space": "trading"}).replaces == ["space"]
    assert DataViewProvider().diff("x", olds, {**olds, "object_id": "other"}).replaces == ["object_id"]


def test_data_view_delete_and_delete_of_a_missing_one(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    DataViewProvider().create(view_props(conn))
    DataViewProvider().delete("mt4-logs", view_props(conn))
    DataViewProvider().delete("mt4-logs", view_props(conn))
    assert fake.data_views == {}


def test_default_data_view_is_set_read_and_restored(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    props = {"object_id": "default-data-view", "space": None, "connection": conn, "data_view_id": "mt4-logs"}
    provider = DefaultDataViewProvider()
    outs = provider.create(props).outs
    assert fake.default_view["default"] == "mt4-logs" and outs["data_view_id"] == "mt4-logs"
    assert json.loads(fake.writes()[0].body) == {"data_view_id": "mt4-logs", "force": True}
    fake.default_view["default"] = "someone-elses"
    read = provider.read("default-data-view", props)
    assert provider.diff("default-data-view", read.outs, props).changes is True
    provider.delete("default-data-view", props)  # not ours any more: left alone
    assert fake.default_view["default"] == "someone-elses"


# --- saved objects import -----------------------------------------------------------------

PANELS = [{"type": "lens", "panelIndex": "p1", "gridData": {"x": 0, "y": 0, "w": 24, "h": 15, "i": "p1"},
           "embeddableConfig": {}, "panelRefName": "panel_p1"}]


def dashboard_props(conn: dict, **extra: object) -> dict:
    return {
        "object_type": "dashboard", "object_id": "mt4-market-data", "space": None, "connection": conn,
        "attributes": {"title": "MT4 Market Data", "panelsJSON": json.dumps(PANELS), "timeRestore": False},
        "references": [{"name": "p1:panel_p1", "type": "lens", "id": "mt4-tick-rate"}],
        "type_migration_version": "10.2.0", **extra,
    }


def test_import_sends_one_ndjson_file_with_overwrite_and_our_migration_version(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    result = SavedObjectProvider().create(dashboard_props(conn))
    post = fake.writes()[0]
    assert (post.method, post.path, post.query) == ("POST", "/api/saved_objects/_import", "overwrite=true")
    assert post.headers["kbn-xsrf"] and post.headers["content-type"].startswith("multipart/form-data; boundary=")
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + post.headers["content-type"].encode() + b"\r\n\r\n" + post.body)
    [part] = list(message.iter_parts())
    assert part.get_filename() == "elk-stack.ndjson" and part.get_content_type() == "application/ndjson"
    lines = part.get_payload(decode=True).decode().splitlines()
    assert [json.loads(line) for line in lines] == [{
        "type": "dashboard", "id": "mt4-market-data", "typeMigrationVersion": "10.2.0",
        "attributes": dashboard_props(conn)["attributes"], "references": dashboard_props(conn)["references"]}]
    assert result.id == "mt4-market-data"
    # Kibana re-serialized panelsJSON and added versions: still no diff on the second `up`.
    assert result.outs["attributes"] == dashboard_props(conn)["attributes"]
    assert SavedObjectProvider().diff("mt4-market-data", result.outs, dashboard_props(conn)).changes is False


def test_a_200_import_with_errors_fails_naming_type_id_title_and_reason(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    fake.import_failures[("dashboard", "mt4-market-data")] = {"type": "conflict", "destinationId": "abc"}
    with pytest.raises(RuntimeError) as error:
        SavedObjectProvider().create(dashboard_props(conn))
    expected = "Kibana refused the import of dashboard/mt4-market-data: dashboard/mt4-market-data ('MT4 Market Data'): conflict"
    assert expected in str(error.value)


def test_a_missing_data_view_reference_is_reported(kibana: tuple[FakeKibana, dict]) -> None:
    _, conn = kibana
    props = {**dashboard_props(conn), "object_type": "search", "object_id": "mt4-all-errors",
             "attributes": {"title": "All errors"},
             "references": [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern", "id": "mt4-logs"}]}
    with pytest.raises(RuntimeError, match=r"search/mt4-all-errors \('All errors'\): missing_references .*mt4-logs"):
        SavedObjectProvider().create(props)


def test_a_saved_search_re_serialized_by_kibana_is_no_diff_but_a_changed_query_is(kibana: tuple[FakeKibana, dict]) -> None:
    from components.render import saved_objects as so

    fake, conn = kibana
    fake.data_views[("default", "mt4-logs")] = fake.filled_view({"id": "mt4-logs", "title": "mt4-logs-*"})
    search = so.kql_search(so.SEARCHES[0])
    props = {"object_type": "search", "object_id": search["id"], "space": None, "connection": conn,
             "attributes": search["attributes"], "references": search["references"], "type_migration_version": "10.1.0"}
    provider = SavedObjectProvider()
    outs = provider.create(props).outs
    stored = fake.saved[("default", "search", search["id"])]["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"]
    assert stored != search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"]  # Kibana rewrote it
    assert provider.diff(search["id"], outs, props).changes is False
    source = json.loads(stored)
    source["query"]["query"] = "level:WARNING"
    fake.saved[("default", "search", search["id"])]["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"] = json.dumps(source)
    assert provider.diff(search["id"], provider.read(search["id"], props).outs, props).changes is True


def test_the_same_type_and_id_twice_is_refused_before_kibana_sees_it() -> None:
    obj = {"type": "lens", "id": "a", "attributes": {}, "references": []}
    with pytest.raises(ValueError, match="lens/a appears twice"):
        SavedObjectProvider.ndjson([obj, {**obj}])
    assert SavedObjectProvider.ndjson([obj, {**obj, "type": "search"}]).count(b"\n") == 2


def test_a_panel_changed_by_hand_is_drift_and_deleted_by_hand_is_gone(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    provider = SavedObjectProvider()
    provider.create(dashboard_props(conn))
    stored = fake.saved[("default", "dashboard", "mt4-market-data")]
    panels = json.loads(stored["attributes"]["panelsJSON"])
    panels[0]["gridData"]["w"] = 48
    stored["attributes"]["panelsJSON"] = json.dumps(panels)
    read = provider.read("mt4-market-data", dashboard_props(conn))
    assert provider.diff("mt4-market-data", read.outs, dashboard_props(conn)).changes is True
    provider.update("mt4-market-data", read.outs, dashboard_props(conn))
    assert json.loads(fake.saved[("default", "dashboard", "mt4-market-data")]["attributes"]["panelsJSON"])[0]["gridData"]["w"] == 24
    del fake.saved[("default", "dashboard", "mt4-market-data")]
    assert provider.read("mt4-market-data", dashboard_props(conn)).id == ""


def test_delete_removes_exactly_this_object(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    provider = SavedObjectProvider()
    provider.create(dashboard_props(conn))
    provider.create(dashboard_props(conn, object_id="mt4-security"))
    provider.delete("mt4-market-data", dashboard_props(conn))
    assert list(fake.saved) == [("default", "dashboard", "mt4-security")]
    assert [(r.method, r.path) for r in fake.writes()][-1] == ("DELETE", "/api/saved_objects/dashboard/mt4-market-data")


def test_type_change_forces_replacement(kibana: tuple[FakeKibana, dict]) -> None:
    _, conn = kibana
    olds = dashboard_props(conn)
    assert SavedObjectProvider().diff("x", olds, {**olds, "object_type": "lens"}).replaces == ["object_type"]


# --- connectors and rules -------------------------------------------------------------------

def connector_props(conn: dict, **extra: object) -> dict:
    return {"object_id": "mt4-alerts-index", "space": None, "connection": conn, "connector_type_id": ".index",
            "name": "MT4 alerts index", "config": {"index": "mt4-alerts-errors", "executionTimeField": "@timestamp", "refresh": False},
            "secrets": {}, **extra}


def test_connector_create_read_update_delete(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    provider = ConnectorProvider()
    result = provider.create(connector_props(conn))
    post = fake.writes()[0]
    assert (post.method, post.path) == ("POST", "/api/actions/connector/mt4-alerts-index")
    assert json.loads(post.body)["connector_type_id"] == ".index"
    assert provider.diff("mt4-alerts-index", result.outs, connector_props(conn)).changes is False
    fake.connectors[("default", "mt4-alerts-index")]["config"]["index"] = "elsewhere"
    read = provider.read("mt4-alerts-index", connector_props(conn))
    assert provider.diff("mt4-alerts-index", read.outs, connector_props(conn)).changes is True
    provider.update("mt4-alerts-index", read.outs, connector_props(conn))
    assert fake.writes()[-1].method == "PUT" and fake.connectors[("default", "mt4-alerts-index")]["config"]["index"] == "mt4-alerts-errors"
    assert provider.diff("x", read.outs, connector_props(conn, connector_type_id=".server-log")).replaces == ["connector_type_id"]
    provider.delete("mt4-alerts-index", connector_props(conn))
    assert fake.connectors == {}


def test_a_connector_with_our_id_of_another_type_is_a_clear_error(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    fake.connectors[("default", "mt4-alerts-index")] = {"id": "mt4-alerts-index", "name": "x", "connector_type_id": ".slack", "config": {}}
    with pytest.raises(RuntimeError, match="exists in Kibana as type '.slack', not '.index'"):
        ConnectorProvider().create(connector_props(conn))


#: As the program's inputs reach the provider: Pulumi drops the None ``throttle``.
FREQUENCY = {"summary": False, "notify_when": "onActionGroupChange"}


def rule_props(conn: dict, **extra: object) -> dict:
    return {
        "object_id": "mt4-error-rate", "space": None, "connection": conn, "rule_type_id": ".es-query",
        "consumer": "stackAlerts", "name": "MT4 errors", "tags": ["mt4"], "schedule": {"interval": "1m"},
        "params": {"searchType": "esQuery", "index": ["mt4-logs-*"], "timeField": "@timestamp", "threshold": [10],
                   "thresholdComparator": ">=", "timeWindowSize": 5, "timeWindowUnit": "m", "size": 0,
                   "excludeHitsFromPreviousRun": False, "esQuery": "{}"},
        "actions": [{"group": "query matched", "id": "mt4-alerts-index", "params": {"documents": [{}]}, "frequency": FREQUENCY}],
        "enabled": True, **extra,
    }


def test_rule_create_is_a_no_op_on_the_second_up_despite_kibanas_defaults(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    provider = RuleProvider()
    result = provider.create(rule_props(conn))
    body = json.loads(fake.writes()[0].body)
    assert body["rule_type_id"] == ".es-query" and body["consumer"] == "stackAlerts" and body["enabled"] is True
    assert body["actions"][0]["frequency"] == {**FREQUENCY, "throttle": None}
    assert fake.rules[("default", "mt4-error-rate")]["params"]["aggType"] == "count"  # added by Kibana
    assert provider.diff("mt4-error-rate", result.outs, rule_props(conn)).changes is False


def test_rule_drift_update_and_disable(kibana: tuple[FakeKibana, dict]) -> None:
    fake, conn = kibana
    provider = RuleProvider()
    provider.create(rule_props(conn))
    fake.rules[("default", "mt4-error-rate")]["params"]["threshold"] = [1000]
    read = provider.read("mt4-error-rate", rule_props(conn))
    assert provider.diff("mt4-error-rate", read.outs, rule_props(conn)).changes is True
    outs = provider.update("mt4-error-rate", read.outs, rule_props(conn, enabled=False)).outs
    assert outs["params"]["threshold"] == [10] and outs["enabled"] is False
    assert [(r.method, r.path) for r in fake.writes()][-2:] == [
        ("PUT", "/api/alerting/rule/mt4-error-rate"), ("POST", "/api/alerting/rule/mt4-error-rate/_disable")]
    assert set(json.loads(fake.writes()[-2].body)) == {"name", "tags", "schedule", "params", "actions"}


def test_an_action_without_frequency_is_refused_with_kibanas_message(kibana: tuple[FakeKibana, dict]) -> None:
    _, conn = kibana
    props = rule_props(conn)
    props["actions"] = [{k: v for k, v in props["actions"][0].items() if k != "frequency"}]
    with pytest.raises(RuntimeError, match="POST /api/alerting/rule/mt4-error-rate: HTTP 400: Bad Request: .*missing frequency"):
        RuleProvider().create(props)


def test_rule_type_and_consumer_force_replacement_and_404_is_gone(kibana: tuple[FakeKibana, dict]) -> None:
    _, conn = kibana
    olds = rule_props(conn)
    assert RuleProvider().diff("x", olds, {**olds, "consumer": "alerts"}).replaces == ["consumer"]
    assert RuleProvider().read("mt4-error-rate", olds).id == ""
