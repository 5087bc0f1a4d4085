"""What every Kibana object provider shares: create/read/update/delete around fetch and write,
a diff that looks only at what we own, and pickling by value.

The contract, for every object kind:

- ``create`` adopts an object that already exists with our id (it is updated to our values, never
  duplicated) and refuses an id Kibana could not hold, with a message that says why;
- after every write the object is read back, and the outputs are what Kibana holds (projected
  onto the fields we own), so a hand edit shows up as a diff after ``pulumi refresh``;
- ``read`` answers "gone" (empty id) on 404, so ``refresh`` sees a deleted object and the next
  ``up`` creates it again;
- ``diff`` compares only owned fields; fields Kibana fills in (timestamps, versions, migration
  fields, defaults it adds to params) are projected away; the space and the id force replacement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.providers.cluster_health import pickled_by_value
from components.providers.kibana.client import KibanaClient, KibanaError


class KibanaObjectProvider(ResourceProvider):
    """Subclasses set ``KIND``, ``OWNED``, ``REPLACE_ON`` and implement ``fetch``, ``write``, ``remove``."""

    serialize_as_secret_always = True
    client_class = KibanaClient
    error_class = KibanaError
    #: Shown in messages: "data view", "saved object", ...
    KIND = "object"
    #: Inputs whose values Kibana holds; compared by ``diff`` against what was last read back.
    OWNED: tuple[str, ...] = ()
    #: Inputs that name the object: a change means another object, so replace.
    REPLACE_ON: tuple[str, ...] = ("space", "object_id")
    #: Kibana's saved-object ids in URLs: lowercase letters, digits, ``.``, ``_``, ``-``; we keep
    #: ours to that so they read the same in URLs, NDJSON and state.
    ID_PATTERN = r"[a-z0-9][a-z0-9._-]{0,99}"

    # -- to implement -----------------------------------------------------------------------
    def fetch(self, client: Any, props: dict[str, Any]) -> dict[str, Any] | None:
        """What Kibana holds for the owned inputs, or None when the object does not exist."""
        raise NotImplementedError

    def write(self, client: Any, props: dict[str, Any], exists: bool) -> None:
        """Make Kibana hold ``props``; ``exists`` says whether to create or to update."""
        raise NotImplementedError

    def remove(self, client: Any, props: dict[str, Any]) -> None:
        raise NotImplementedError

    # -- shared -----------------------------------------------------------------------------
    @staticmethod
    def project(ours: Any, theirs: Any) -> Any:
        """``theirs`` cut down to the shape of ``ours``: dict keys we did not set are dropped at
        every depth, lists are projected item by item. Equal to ``ours`` when Kibana holds our
        values, whatever it added around them."""
        project = KibanaObjectProvider.project
        if isinstance(ours, dict) and isinstance(theirs, dict):
            return {k: project(v, theirs[k]) for k, v in ours.items() if k in theirs}
        if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
            return [project(o, t) for o, t in zip(ours, theirs, strict=True)]
        return theirs

    def client(self, props: dict[str, Any]) -> Any:
        return type(self).client_class({**props["connection"], "space": props.get("space")})

    def check_id(self, props: dict[str, Any]) -> None:
        import re

        object_id = str(props.get("object_id", ""))
        if not re.fullmatch(type(self).ID_PATTERN, object_id):
            raise ValueError(
                f"{type(self).KIND} id {object_id!r} is not usable: ids are 1-100 characters of lowercase "
                "letters, digits, '.', '_' and '-', starting with a letter or digit"
            )

    def observed(self, client: Any, props: dict[str, Any], after: str) -> dict[str, Any]:
        held = self.fetch(client, props)
        if held is None:
            raise RuntimeError(f"{type(self).KIND} {props['object_id']!r} is not in Kibana right after {after}")
        return {**props, **held}

    def create(self, props: dict[str, Any]) -> CreateResult:
        self.check_id(props)
        client = self.client(props)
        self.write(client, props, exists=self.fetch(client, props) is not None)
        return CreateResult(id_=str(props["object_id"]), outs=self.observed(client, props, "create"))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        held = self.fetch(self.client(props), props)
        if held is None:
            return ReadResult(id_="", outs={})
        return ReadResult(id_=id_, outs={**props, **held})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client(news)
        self.write(client, news, exists=self.fetch(client, news) is not None)
        return UpdateResult(outs=self.observed(client, news, "update"))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        cls = type(self)
        replaces = [k for k in cls.REPLACE_ON if olds.get(k) != news.get(k)]
        changed = [k for k in (*cls.OWNED, "connection") if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(replaces or changed), replaces=replaces, delete_before_replace=True)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        self.remove(self.client(props), props)


@contextmanager
def by_value(*classes: type) -> Iterator[None]:
    """Pickle the client, the error, the base and the provider classes by value together (a
    base class pickled by reference would make the provider process import this project)."""
    with ExitStack() as stack:
        for cls in (KibanaClient, KibanaError, KibanaObjectProvider, *classes):
            stack.enter_context(pickled_by_value(cls))
        yield


def connection(
    url: str, password: Any, ca_pem: Any, *, startup_timeout_seconds: int = 600, username: str = "elastic"
) -> dict[str, Any]:
    """The ``connection`` input of every Kibana resource (the password must be a secret Output)."""
    return {"url": url, "username": username, "password": password, "ca_pem": ca_pem,
            "startup_timeout_seconds": startup_timeout_seconds}
