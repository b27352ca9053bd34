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
* ``plots``: :func:`plot_scaling`.
"""

from .models import MODELS, in_threads, measure
from .orders import CATEGORIES, REGIONS, fill, make_orders
from .plots import plot_scaling
from .readers import Reader, partition_sizes, queue_split, read, route
from .rules import Rule, filter_router, region_processor, subscriber_rules

__all__ = [
    "CATEGORIES",
    "MODELS",
    "REGIONS",
    "Reader",
    "Rule",
    "fill",
    "filter_router",
    "in_threads",
    "make_orders",
    "measure",
    "partition_sizes",
    "plot_scaling",
    "queue_split",
    "read",
    "region_processor",
    "route",
    "subscriber_rules",
]
