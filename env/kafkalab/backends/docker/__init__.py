"""The docker backend: each node of the plan in its own container (docker SDK), no registry.

- ``backend``: :class:`DockerBackend`, the nodes' lifecycle and faults.
- ``engine``: whether an engine answers, labels, the watchdog and sweep that leave no orphans.
- ``images``: which image runs (official, or the local build) and where its jars are.
- ``node``: one container: readiness probes, files, logs.
"""

from .backend import DockerBackend
from .engine import LABEL, LABEL_CLUSTER, LABEL_OWNER, docker_available, sweep_stale

__all__ = ["LABEL", "LABEL_CLUSTER", "LABEL_OWNER", "DockerBackend", "docker_available",
           "sweep_stale"]
