"""Lesson 05 support: read Kafka's znodes with kazoo and record a live timeline of their changes.

ZooKeeper mode only (Kafka 3.x): the brokers register ephemeral ``/brokers/ids/<id>`` znodes,
race for the ephemeral ``/controller`` znode, and the controller writes each partition's
``/brokers/topics/<t>/partitions/<p>/state``. :class:`Timeline` watches those znodes (kazoo
watches, re-armed after every change) and stamps each change with the time it was seen.

For both modes (ZooKeeper and KRaft): :func:`measure_failover` times a controller kill with the
admin API (the same signal in both modes), :func:`failover_verdict` says what the times
allow, :func:`restore` brings killed brokers back, :func:`moving_parts` lists the processes and
their ports, :func:`metadata_quorum` runs Kafka's ``kafka-metadata-quorum`` tool.

Modules: ``znodes`` (connect, read, list), ``timeline`` (:class:`Timeline`), ``plots``
(:func:`plot_timeline`, what ``Timeline.plot`` draws), ``failover``
(:func:`describe_topics`, :func:`measure_failover`, :func:`restore`), ``inspection``
(:func:`broker_setting`, :func:`moving_parts`, :func:`metadata_quorum`, :func:`open_log_files`,
:func:`set_quotas`), ``exam`` (the exercises' ZooKeeper-only state: :func:`exam_state`,
:func:`written_state`, and the changes a test makes to it: :func:`elect_controller`,
:func:`move_leader`), ``verdicts`` (:func:`failover_verdict`).
"""

from .exam import ExamState, elect_controller, exam_state, is_ephemeral, move_leader, written_state
from .failover import describe_topics, measure_failover, restore
from .inspection import broker_setting, metadata_quorum, moving_parts, open_log_files, set_quotas
from .plots import plot_timeline
from .timeline import LANES, Event, Timeline
from .verdicts import failover_verdict
from .znodes import (
    connect,
    controller_id,
    decode,
    read,
    server_stats,
    znode_rows,
    znode_table,
)

__all__ = [
    "LANES",
    "Event",
    "ExamState",
    "Timeline",
    "broker_setting",
    "connect",
    "controller_id",
    "decode",
    "describe_topics",
    "elect_controller",
    "exam_state",
    "failover_verdict",
    "is_ephemeral",
    "measure_failover",
    "metadata_quorum",
    "moving_parts",
    "move_leader",
    "open_log_files",
    "plot_timeline",
    "read",
    "restore",
    "server_stats",
    "set_quotas",
    "written_state",
    "znode_rows",
    "znode_table",
]
