"""Lesson 02 support: the four publish-subscribe models built on Kafka, and what they cost.

Modules:

* ``orders``: :func:`make_orders` / :func:`fill` a reproducible stream of JSON orders keyed by
  customer (:data:`REGIONS`, :data:`CATEGORIES`).
* ``rules``: :class:`Rule` content filters (field conditions), :func:`subscriber_rules`;
  :func:`filter_router` writes each event to the derived topic of every rule it matches
  (content-based routing), :func:`region_processor` filters and routes by a field (hybrid).
* ``readers``: :class:`Reader`, :func:`read` one subscriber, :func:`route` a stream processor,
  :func:`queue_split` a consumer group of workers sharing a topic, :func:`partition_sizes`.
* ``models``: :data:`MODELS`, :func:`measure` runs one model with N subscribers and counts its
  work.
* ``ranking``: :func:`rankings` per measure and the verdicts on them: :func:`notes_verdict`
  (the notes' ranking against the run), :func:`robustness_verdict` (which measures repeat),
  :func:`rule_cost_verdict` (growing rules).
* ``shares``: share groups (KIP-932): :func:`configure_group` (GROUP configs via the admin
  API), :func:`share_config`, :func:`spread` (share vs classic group, more consumers than
  partitions), :func:`kill_holder` (redelivery after an acquisition lock expires),
  :func:`release_until_archived` (the delivery-count limit), :class:`Jobs` (the exercise's
  good, transient and poison jobs), :class:`TransientError`, :class:`PoisonError`.
* ``plots``: :func:`plot_scaling`, :func:`plot_spread`.
"""

from .models import MODELS, in_threads, measure
from .orders import CATEGORIES, REGIONS, fill, make_orders
from .plots import plot_scaling, plot_spread
from .ranking import notes_verdict, rankings, robustness_verdict, rule_cost_verdict
from .readers import Reader, partition_sizes, queue_split, read, route
from .rules import Rule, filter_router, region_processor, subscriber_rules
from .shares import (
    GROUP_DEFAULTS,
    Jobs,
    PoisonError,
    TransientError,
    applied_group_config,
    broker_limits,
    configure_group,
    dead_letter_probe,
    group_config,
    kill_holder,
    redelivery_verdict,
    release_until_archived,
    share_config,
    spread,
    spread_verdict,
)

__all__ = [
    "CATEGORIES",
    "GROUP_DEFAULTS",
    "MODELS",
    "REGIONS",
    "Jobs",
    "PoisonError",
    "Reader",
    "Rule",
    "TransientError",
    "applied_group_config",
    "broker_limits",
    "configure_group",
    "dead_letter_probe",
    "fill",
    "filter_router",
    "group_config",
    "in_threads",
    "kill_holder",
    "make_orders",
    "measure",
    "notes_verdict",
    "partition_sizes",
    "plot_scaling",
    "plot_spread",
    "queue_split",
    "rankings",
    "redelivery_verdict",
    "read",
    "region_processor",
    "release_until_archived",
    "robustness_verdict",
    "route",
    "rule_cost_verdict",
    "share_config",
    "spread",
    "spread_verdict",
    "subscriber_rules",
]
