"""Lesson 08 support: a managed-style cluster seen from the client's side.

Modules: ``probes`` (:func:`first_error`: what a client reports, and after how long),
``access`` (:func:`acl`, :func:`acls_of`, :func:`grant`: ACLs with the admin API),
``quota`` (:func:`produce_under_quota`, :class:`QuotaRun`, :func:`plot_quota`: throughput and
the throttle time the broker reports in librdkafka's statistics).
``read_client_properties`` loads a Confluent Cloud-shaped ``client.properties`` file.
"""

from ...backends.security import ApiKey, read_client_properties
from .access import acl, acls_of, grant
from .probes import Attempt, first_error, try_produce
from .quota import QuotaRun, plot_quota, produce_under_quota

__all__ = [
    "ApiKey",
    "Attempt",
    "QuotaRun",
    "acl",
    "acls_of",
    "first_error",
    "grant",
    "plot_quota",
    "produce_under_quota",
    "read_client_properties",
    "try_produce",
]
