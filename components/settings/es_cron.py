"""Elasticsearch's cron grammar (SLM ``schedule``), checked before ``up`` instead of by the PUT.

Elasticsearch parses SLM schedules with ``org.elasticsearch.xpack.core.scheduler.Cron`` (a fork
of Quartz's ``CronExpression``): ``sec min hour day-of-month month day-of-week [year]``, case
insensitive. This module accepts exactly the forms documented there, with the value ranges its
``addToSet`` enforces (seconds/minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or
JAN-DEC, day-of-week 1-7 or SUN-SAT, year 1970 to this year + 100) and the increments its
``storeExpressionVals`` caps. It is stricter in one way, on purpose: Cron ignores whatever
follows a month or day name (``MON/2``) or an eighth field; such text is refused here, since it
never means what its author meant. Sources: Cron.java (x-pack core scheduler) and
https://www.elastic.co/guide/en/elasticsearch/reference/8.19/api-conventions.html#api-cron-expressions
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    max_increment: int
    names: dict[str, int]


_MONTHS = {m: i + 1 for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"))}
_DAYS = {d: i + 1 for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
#: Cron.MAX_YEAR: the current year + 100.
_MAX_YEAR = datetime.datetime.now(datetime.UTC).year + 100

SECONDS = _Field("seconds", 0, 59, 59, {})
MINUTES = _Field("minutes", 0, 59, 59, {})
HOURS = _Field("hours", 0, 23, 23, {})
DAY_OF_MONTH = _Field("day-of-month", 1, 31, 31, {})
MONTH = _Field("month", 1, 12, 12, _MONTHS)
DAY_OF_WEEK = _Field("day-of-week", 1, 7, 7, _DAYS)
YEAR = _Field("year", 1970, _MAX_YEAR, 10_000, {})
FIELDS = (SECONDS, MINUTES, HOURS, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR)

_VALUE = r"(?:\d+|[A-Z]{3})"
_ELEMENT = re.compile(rf"^(?:(?P<all>\*)|(?P<start>{_VALUE})(?:-(?P<end>{_VALUE}))?)(?:/(?P<step>\d+))?$")
_LAST_DAY = re.compile(r"^L(?:-(?P<offset>\d+))?(?P<weekday>W)?$")
_NEAREST_WEEKDAY = re.compile(r"^(?P<day>\d+)W$")
_LAST_WEEKDAY_OF_MONTH = re.compile(rf"^(?P<day>{_VALUE})L$")
_NTH_WEEKDAY = re.compile(rf"^(?P<day>{_VALUE})#(?P<nth>\d+)$")

EXAMPLE = "e.g. '0 30 1 * * ?' (nightly 01:30)"


class CronError(ValueError):
    """What is wrong with the expression, said the way the stack file's author can fix it."""


def check(expression: str) -> None:
    """Raise ``CronError`` unless Elasticsearch's Cron accepts ``expression`` as written."""
    fields = expression.upper().split()
    if len(fields) not in (6, 7):
        raise CronError(
            f"has {len(fields)} fields; Elasticsearch cron needs seconds first: "
            f"'sec min hour day-of-month month day-of-week [year]', {EXAMPLE}"
        )
    dom, dow = fields[3], fields[5]
    if (dom == "?") == (dow == "?"):
        which = "both" if dom == "?" else "neither"
        raise CronError(f"has '?' in {which} of day-of-month and day-of-week; exactly one of them must be '?', {EXAMPLE}")
    for field, text in zip(FIELDS, fields, strict=False):
        _check_field(field, text)


def _check_field(field: _Field, text: str) -> None:
    if text == "?":
        if field not in (DAY_OF_MONTH, DAY_OF_WEEK):
            raise CronError(f"{field.name} {text!r}: '?' is allowed only in day-of-month or day-of-week")
        return
    if field is DAY_OF_MONTH and _day_of_month_special(text):
        return
    if field is DAY_OF_WEEK and _day_of_week_special(text):
        return
    for element in text.split(","):
        _check_element(field, element, text)


def _check_element(field: _Field, element: str, text: str) -> None:
    match = _ELEMENT.match(element)
    if not match:
        raise CronError(f"{field.name} {text!r}: {element!r} is not a value, a range a-b, '*' or a step like */15")
    if match["start"] is not None:
        start = _value(field, match["start"], text)
        if match["end"] is not None:
            end = _value(field, match["end"], text)
            if field is YEAR and end < start:
                raise CronError(f"year {text!r}: the range must go forward")
        elif match["start"].isalpha() and match["step"] is not None:
            raise CronError(f"{field.name} {text!r}: a step after a name is ignored by Elasticsearch; write a numeric range")
    if match["step"] is not None:
        step = int(match["step"])
        if not 1 <= step <= field.max_increment:
            raise CronError(f"{field.name} {text!r}: the step {step} must be from 1 to {field.max_increment}")


def _value(field: _Field, token: str, text: str) -> int:
    if token.isalpha():
        if token not in field.names:
            allowed = "-".join((next(iter(field.names)), list(field.names)[-1])) if field.names else "numbers only"
            raise CronError(f"{field.name} {text!r}: {token!r} is not a name here (allowed: {allowed})")
        return field.names[token]
    value = int(token)
    if not field.low <= value <= field.high:
        raise CronError(f"{field.name} {text!r}: {value} is out of range; allowed {field.low}-{field.high}")
    return value


def _day_of_month_special(text: str) -> bool:
    """``L`` (last day), ``L-3`` (third to last, offset <= 30), ``LW``, ``15W`` (nearest weekday)."""
    last = _LAST_DAY.match(text)
    if last:
        if last["offset"] is not None and int(last["offset"]) > 30:
            raise CronError(f"day-of-month {text!r}: the offset from the last day must be at most 30")
        return True
    nearest = _NEAREST_WEEKDAY.match(text)
    if nearest:
        _value(DAY_OF_MONTH, nearest["day"], text)
        return True
    if "L" in text or "W" in text:
        raise CronError(f"day-of-month {text!r}: 'L' and 'W' stand alone (L, L-3, LW, 15W), never in a list or range")
    return False


def _day_of_week_special(text: str) -> bool:
    """``L`` (Saturday), ``6L`` (last Friday), ``6#3`` (third Friday, 1-5)."""
    if text == "L":
        return True
    last = _LAST_WEEKDAY_OF_MONTH.match(text)
    if last:
        _value(DAY_OF_WEEK, last["day"], text)
        return True
    nth = _NTH_WEEKDAY.match(text)
    if nth:
        _value(DAY_OF_WEEK, nth["day"], text)
        if not 1 <= int(nth["nth"]) <= 5:
            raise CronError(f"day-of-week {text!r}: a number from 1 to 5 must follow '#'")
        return True
    if "L" in text or "#" in text:  # no day name holds an L
        raise CronError(f"day-of-week {text!r}: 'L' and '#' stand alone (L, 6L, 6#3), never in a list or range")
    return False
