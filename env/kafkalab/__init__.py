"""Kafka Lab: real Apache Kafka clusters for the course, in one call.

    from kafkalab import start_cluster
    with start_cluster(brokers=3) as cluster:
        cluster.create_topic("orders", partitions=3, min_insync_replicas=2)
        cluster.broker(1).kill()

The wings (see DEVELOPING.md): ``backends`` (where nodes run, one plan), ``cluster`` (the one
door), ``clients``/``procs`` (shared Kafka and process idioms), ``lessons`` (one package per
lesson), ``course`` and ``grading`` (instructor tooling), ``cli`` (the `kafka-lab` command).
"""

import sys

from .api import start_cluster
from .cluster import Cluster, Node
from .describe import ClusterDescription, PartitionState
from .exceptions import KafkaLabError

__all__ = ["start_cluster", "Cluster", "Node", "ClusterDescription", "PartitionState",
           "KafkaLabError"]
__version__ = "0.1.0"

# jsonschema (under nbformat, which the course and grading tools import) checks the "iri" string
# format with rfc3987-syntax when that is installed (jupyter-events pulls it in), and that
# package compiles an Earley grammar when imported: 1 to 3 s in every process that reads a
# notebook, several per grading run. Notebook schemas never use that format: keep the package
# out of this process (jsonschema then skips that one check, as it does when it is absent).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
