"""Content filters and routers: :class:`Rule`, :func:`subscriber_rules`, :func:`filter_router`
(content-based routing) and :func:`region_processor` (hybrid)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .orders import CATEGORIES, REGIONS


@dataclass(frozen=True)
class Rule:
    """A content filter: every condition ``(field, op, value)`` must hold (op: ==, !=, <, <=,
    >, >=, in). ``evaluate`` counts the conditions it checks in ``counter[0]``."""

    conditions: tuple[tuple[str, str, Any], ...]

    def evaluate(self, event: dict[str, Any], counter: list[int] | None = None) -> bool:
        for name, op, value in self.conditions:
            if counter is not None:
                counter[0] += 1
            if not _OPS[op](event.get(name), value):
                return False
        return True


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "in": lambda a, b: a in b}


def subscriber_rules(n: int, conditions: int = 2) -> list[Rule]:
    """``n`` different rules of ``conditions`` conditions each (region, category, amount...)."""
    rules = []
    for i in range(n):
        conds: list[tuple[str, str, Any]] = [("region", "==", REGIONS[i % 3]),
                                             ("category", "==", CATEGORIES[(i // 3) % 4]),
                                             ("amount", ">=", 50 * (i % 5))]
        conds += [("amount", "<=", 500 - j) for j in range(max(0, conditions - 3))]
        rules.append(Rule(tuple(conds[:conditions])))
    return rules


def filter_router(rules: dict[str, Rule]) -> Callable[[dict, list[int]], list[str]]:
    """Content-based routing: the derived topics (dict keys) of every rule the event matches."""
    def targets(event: dict, counter: list[int]) -> list[str]:
        return [topic for topic, rule in rules.items() if rule.evaluate(event, counter)]
    return targets


def region_processor(topics: dict[str, str], min_amount: int = 0
                     ) -> Callable[[dict, list[int]], list[str]]:
    """Hybrid: keep orders of at least ``min_amount`` and route each to its region's topic."""
    def targets(event: dict, counter: list[int]) -> list[str]:
        counter[0] += 1
        return [topics[event["region"]]] if event["amount"] >= min_amount else []
    return targets
