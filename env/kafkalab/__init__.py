"""Kafka Lab: real Apache Kafka clusters for the course, in one call.

    from kafkalab import start_cluster
    with start_cluster(brokers=3) as cluster:
        cluster.create_topic("orders", partitions=3, min_insync_replicas=2)
        cluster.broker(1).kill()

The wings (see DEVELOPING.md): ``backends`` (where nodes run, one plan), ``cluster`` (the one
door), ``clients``/``procs`` (shared Kafka and process idioms), ``lessons`` (one package per
lesson), ``course`` and ``grading`` (instructor tooling), ``cli`` (the `kafka-lab` command).
"""

from .api import start_cluster
from .cluster import Cluster, Node
from .describe import ClusterDescription, PartitionState
from .exceptions import KafkaLabError

__all__ = ["start_cluster", "Cluster", "Node", "ClusterDescription", "PartitionState",
           "KafkaLabError"]
__version__ = "0.1.0"
