"""A small recursive-descent parser for Logstash's pipeline configuration language (tests only).

It follows the PEG grammar Logstash itself uses (``logstash-core/lib/logstash/compiler/lscl/
lscl_grammar.treetop`` on the 8.19 branch; prose version:
https://www.elastic.co/guide/en/logstash/8.19/configuration-file-structure.html and
https://www.elastic.co/guide/en/logstash/8.19/event-dependent-configuration.html), closely
enough that text it rejects would not load in Logstash either: sections, plugins, attributes,
barewords, strings, numbers, arrays, hashes, plugin values (codecs), ``if``/``else if``/``else``
and conditions (``and``/``or``/``xor``/``nand``, ``!``, ``in``, ``not in``, comparisons,
regexp matches, selectors). Comments (``#`` to end of line) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

SECTION_TYPES = ("input", "filter", "output")


class ConfigSyntaxError(ValueError):
    """The text is not valid Logstash configuration."""


@dataclass(frozen=True)
class Bareword:
    """An unquoted word value (``true``, ``false``, ``server`` ...)."""

    text: str


@dataclass
class Plugin:
    """A plugin block: ``name { key => value ... }`` (attributes keep their order, may repeat)."""

    name: str
    attributes: list[tuple[str, object]] = field(default_factory=list)

    @property
    def options(self) -> dict[str, object]:
        """Attributes as a dict (raises if a key is repeated, which Logstash would merge)."""
        keys = [key for key, _ in self.attributes]
        duplicates = {key for key in keys if keys.count(key) > 1}
        if duplicates:
            raise ConfigSyntaxError(f"repeated attributes in {self.name}: {sorted(duplicates)}")
        return dict(self.attributes)


@dataclass
class Branch:
    """``if`` / ``else if`` / ``else``: a list of (condition text or None for else, body)."""

    arms: list[tuple[str | None, list[Plugin | Branch]]]


@dataclass
class Config:
    """A parsed pipeline: section type -> nodes (sections of one type are concatenated)."""

    sections: dict[str, list[Plugin | Branch]]


@dataclass(frozen=True)
class PluginUse:
    """A plugin with its section and the conditions (arm texts) that guard it."""

    section: str
    plugin: Plugin
    guards: tuple[str, ...]


def parse_config(text: str) -> Config:
    """Parse a whole pipeline configuration."""
    return _Parser(text).config()


def iter_plugins(config: Config) -> Iterator[PluginUse]:
    """Every plugin of every section, depth first, with its guarding conditions."""
    for section, nodes in config.sections.items():
        yield from _walk(section, nodes, ())


def _walk(section: str, nodes: list[Plugin | Branch], guards: tuple[str, ...]) -> Iterator[PluginUse]:
    """Depth-first walk of plugins under branches (an else arm is recorded as ``else``)."""
    for node in nodes:
        if isinstance(node, Plugin):
            yield PluginUse(section, node, guards)
            continue
        for condition, body in node.arms:
            yield from _walk(section, body, (*guards, condition or "else"))


_NAME = re.compile(r"[A-Za-z0-9_-]+")
_BAREWORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]*)?")
_SELECTOR_ELEMENT = re.compile(r"\[[^\]\[,]+\]")
_COMPARE = ("==", "!=", "<=", ">=", "<", ">")
_BOOLEAN = ("and", "or", "xor", "nand")


class _Parser:
    """PEG-style parser with backtracking on a position index."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # -- lexical helpers ---------------------------------------------------------------------

    def error(self, message: str) -> ConfigSyntaxError:
        line = self.text.count("\n", 0, self.pos) + 1
        snippet = self.text[self.pos : self.pos + 40].replace("\n", "\\n")
        return ConfigSyntaxError(f"line {line}: {message} at {snippet!r}")

    def skip(self) -> None:
        """Skip whitespace and ``#`` comments (``cs`` in the grammar)."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end + 1
            else:
                return

    def peek(self, literal: str) -> bool:
        return self.text.startswith(literal, self.pos)

    def expect(self, literal: str) -> None:
        if not self.peek(literal):
            raise self.error(f"expected {literal!r}")
        self.pos += len(literal)

    def match(self, pattern: re.Pattern[str]) -> str | None:
        found = pattern.match(self.text, self.pos)
        if not found:
            return None
        self.pos = found.end()
        return found.group(0)

    def keyword(self, word: str) -> bool:
        """Consume ``word`` if it is not the prefix of a longer name."""
        end = self.pos + len(word)
        if self.text.startswith(word, self.pos) and not _NAME.match(self.text, end):
            self.pos = end
            return True
        return False

    # -- structure ------------------------------------------------------------------------------

    def config(self) -> Config:
        sections: dict[str, list[Plugin | Branch]] = {}
        self.skip()
        while self.pos < len(self.text):
            kind = next((word for word in SECTION_TYPES if self.keyword(word)), None)
            if kind is None:
                raise self.error("expected input, filter or output")
            self.skip()
            self.expect("{")
            sections.setdefault(kind, []).extend(self.body())
            self.expect("}")
            self.skip()
        return Config(sections)

    def body(self) -> list[Plugin | Branch]:
        nodes: list[Plugin | Branch] = []
        self.skip()
        while not self.peek("}"):
            nodes.append(self.branch() if self.peek_keyword("if") else self.plugin())
            self.skip()
        return nodes

    def peek_keyword(self, word: str) -> bool:
        start = self.pos
        found = self.keyword(word)
        self.pos = start
        return found

    def plugin(self) -> Plugin:
        name = self.name()
        self.skip()
        self.expect("{")
        plugin = Plugin(name)
        self.skip()
        while not self.peek("}"):
            before = self.pos
            key = self.name()
            self.skip()
            self.expect("=>")
            self.skip()
            plugin.attributes.append((key, self.value()))
            if self.pos == before:
                raise self.error("no progress")
            after_value = self.pos
            self.skip()
            if not self.peek("}") and self.pos == after_value:
                raise self.error("attributes must be separated by whitespace")
        self.expect("}")
        return plugin

    def name(self) -> str:
        word = self.match(_NAME)
        if word is not None:
            return word
        if self.peek('"') or self.peek("'"):
            return self.string()
        raise self.error("expected a name")

    def branch(self) -> Branch:
        arms: list[tuple[str | None, list[Plugin | Branch]]] = []
        self.keyword("if")
        arms.append(self.arm())
        while True:
            start = self.pos
            self.skip()
            if not self.keyword("else"):
                self.pos = start
                return Branch(arms)
            self.skip()
            if self.keyword("if"):
                arms.append(self.arm())
            else:
                self.expect("{")
                arms.append((None, self.body()))
                self.expect("}")
                return Branch(arms)

    def arm(self) -> tuple[str, list[Plugin | Branch]]:
        self.skip()
        start = self.pos
        self.condition()
        condition = " ".join(self.text[start : self.pos].split())
        self.skip()
        self.expect("{")
        body = self.body()
        self.expect("}")
        return condition, body

    # -- values -------------------------------------------------------------------------------

    def value(self) -> object:
        start = self.pos
        word = self.match(_BAREWORD)
        if word is not None:
            self.skip()
            if self.peek("{"):  # a plugin used as a value (codec => json_lines { ... })
                self.pos = start
                return self.plugin()
            self.pos = start + len(word)
            return Bareword(word)
        return self.array_value()

    def array_value(self) -> object:
        if self.peek('"') or self.peek("'"):
            return self.string()
        if self.peek("["):
            return self.array()
        if self.peek("{"):
            return self.hash()
        number = self.match(_NUMBER)
        if number is not None:
            return float(number) if "." in number else int(number)
        word = self.match(_BAREWORD)
        if word is not None:
            return Bareword(word)
        raise self.error("expected a value")

    def string(self) -> str:
        quote = self.text[self.pos]
        self.pos += 1
        chars: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise self.error("unterminated string")
            if self.text.startswith("\\" + quote, self.pos):
                chars.append("\\" + quote)
                self.pos += 2
                continue
            char = self.text[self.pos]
            self.pos += 1
            if char == quote:
                return "".join(chars)
            chars.append(char)

    def array(self) -> list[object]:
        self.expect("[")
        self.skip()
        items: list[object] = []
        if not self.peek("]"):
            items.append(self.value())
            self.skip()
            while self.peek(","):
                self.pos += 1
                self.skip()
                items.append(self.value())
                self.skip()
        self.expect("]")
        return items

    def hash(self) -> dict[str, object]:
        self.expect("{")
        self.skip()
        entries: dict[str, object] = {}
        while not self.peek("}"):
            if self.peek('"') or self.peek("'"):
                key: object = self.string()
            else:
                key = self.match(_NUMBER) or self.match(_BAREWORD)
                if key is None:
                    raise self.error("expected a hash key")
            self.skip()
            self.expect("=>")
            self.skip()
            if str(key) in entries:
                raise self.error(f"repeated hash key {key!r}")
            entries[str(key)] = self.value()
            self.skip()
        self.expect("}")
        return entries

    # -- conditions ---------------------------------------------------------------------------

    def condition(self) -> None:
        self.expression()
        while True:
            start = self.pos
            self.skip()
            if not any(self.keyword(op) for op in _BOOLEAN):
                self.pos = start
                return
            self.skip()
            self.expression()

    def expression(self) -> None:
        if self.peek("("):
            self.pos += 1
            self.skip()
            self.condition()
            self.skip()
            self.expect(")")
            return
        if self.peek("!") and not self.peek("!=") and not self.peek("!~"):
            self.pos += 1
            self.skip()
            if self.peek("("):
                self.expression()
            elif self.match_selector() is None:
                raise self.error("expected a selector or ( after !")
            return
        self.rvalue()
        start = self.pos
        self.skip()
        if self.keyword("in"):
            self.skip()
            self.rvalue()
        elif self.keyword("not"):
            self.skip()
            if not self.keyword("in"):
                raise self.error("expected 'in' after 'not'")
            self.skip()
            self.rvalue()
        elif self.peek("=~") or self.peek("!~"):
            self.pos += 2
            self.skip()
            if self.peek("/"):
                self.regexp()
            else:
                self.string()
        elif any(self.peek(op) for op in _COMPARE):
            operator = next(op for op in _COMPARE if self.peek(op))
            self.pos += len(operator)
            self.skip()
            self.rvalue()
        else:
            self.pos = start

    def rvalue(self) -> None:
        if self.peek('"') or self.peek("'"):
            self.string()
        elif self.match(_NUMBER) is not None:
            return
        elif self.match_selector() is not None:
            return
        elif self.peek("["):
            self.array()
        elif self.peek("/"):
            self.regexp()
        elif self.match(_BAREWORD) is not None:  # method call
            self.skip()
            self.expect("(")
            self.skip()
            if not self.peek(")"):
                self.rvalue()
                self.skip()
                while self.peek(","):
                    self.pos += 1
                    self.skip()
                    self.rvalue()
                    self.skip()
            self.expect(")")
        else:
            raise self.error("expected a value in condition")

    def match_selector(self) -> str | None:
        start = self.pos
        while self.match(_SELECTOR_ELEMENT) is not None:
            pass
        return self.text[start : self.pos] if self.pos > start else None

    def regexp(self) -> None:
        self.expect("/")
        while not self.peek("/"):
            if self.pos >= len(self.text):
                raise self.error("unterminated regexp")
            self.pos += 2 if self.peek("\\/") else 1
        self.pos += 1
