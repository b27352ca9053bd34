"""Lesson 01 support: a real HTTP service on 127.0.0.1 whose "pods" have fixed capacity.

* :class:`Service` runs the service in a child process (uvicorn) that dies with the kernel. A
  pod of ``cpu`` units serves ``cpu`` requests at a time, each taking ``service_ms`` (a sleep, so
  capacity is exact even on a busy machine); requests wait in one bounded queue, and a full
  queue answers 503 (dropped).
  ``scale(pods, cpu)`` adds pods (HPA, each ready after ``pod_start_s``) or resizes them (VPA,
  Recreate mode: each pod restarts, unready for ``restart_s``), never beyond ``node_cpus``.
  ``POST /submit`` is the Kafka front door: it appends the request to a topic, waits for the
  broker's acknowledgement and answers 202 with a request id.
* :func:`run_load` an open-loop load generator (:func:`ramp` schedules) that counts answers,
  drops (503) and client timeouts, with an optional HPA or VPA autoscaler; :class:`LoadRun`
  holds the measurement records, ``timeline()`` bins them, :func:`plot_run` draws them.
* :class:`KafkaWorkers` pods that consume the front door's topic at their own pace,
  :class:`LagMonitor` samples the group's lag, :func:`plot_kafka_run` draws the Kafka run.
* :func:`crash_run` crashes a pod on purpose between its steps (exercise 1's graded test);
  :func:`one_pod_run` has one pod own several partitions (does it commit each one it served?).
* :func:`fill_producer_queue` (``BufferError``) and :func:`give_up_while_frozen`
  (``message.timeout.ms``): a buffer's limits, live.
* ``verdicts``: text that follows a measurement (:func:`after_full_verdict`,
  :func:`front_door_verdict`, :func:`buffer_verdict`, :func:`timeout_verdict`) and exercise 2's
  self-check :func:`check_capacity`.

Modules: ``server`` (the service's own process: pods, queue, scaling, front door), ``service``
(:class:`Service`, its handle), ``load`` and ``records`` (load generator, autoscaler decision,
measurement records), ``workers`` and ``lag`` (Kafka consumers and their lag), ``plots``,
``crashtest``, ``onepod``, ``buffer``, ``verdicts``.
``python -m kafkalab.lessons.request_response`` runs the service (see ``__main__``).
"""

from .buffer import fill_producer_queue, give_up_while_frozen, retention_ms
from .crashtest import CrashingProducer, CrashRun, PodCrash, crash_run
from .lag import LagMonitor, group_lag, topic_size
from .load import desired_scale, ramp, run_load
from .onepod import OnePodRun, one_pod_run
from .plots import end_to_end, plot_kafka_run, plot_run
from .records import LoadRun, RequestRecord
from .server import ServiceConfig
from .service import Service
from .verdicts import (
    after_full_verdict,
    buffer_verdict,
    check_capacity,
    front_door_verdict,
    full_since,
    timeout_verdict,
)
from .workers import KafkaWorkers, PodLoop, process

__all__ = [
    "CrashRun",
    "CrashingProducer",
    "PodCrash",
    "after_full_verdict",
    "buffer_verdict",
    "check_capacity",
    "crash_run",
    "fill_producer_queue",
    "front_door_verdict",
    "full_since",
    "give_up_while_frozen",
    "retention_ms",
    "timeout_verdict",
    "KafkaWorkers",
    "LagMonitor",
    "LoadRun",
    "OnePodRun",
    "PodLoop",
    "RequestRecord",
    "Service",
    "ServiceConfig",
    "desired_scale",
    "end_to_end",
    "group_lag",
    "one_pod_run",
    "plot_kafka_run",
    "plot_run",
    "process",
    "ramp",
    "run_load",
    "topic_size",
]
