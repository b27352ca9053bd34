"""Kafka's own Java command-line tools (kafka-consumer-groups, kafka-metadata-quorum, ...),
run on the locked jars of one Kafka version with the course's Java and its class archive.

Use :meth:`kafkalab.cluster.Cluster.run_tool`, which passes the cluster's address, version and
security settings.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from .backends.cache import cds_flags
from .exceptions import ToolError
from .jars import ensure_jars
from .java import find_java

TOOL_JVM_FLAGS = ["-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                  "-Dlog4j2.level=error", "-Dlog4j.rootLogger=ERROR"]


def java_client_config(security: dict[str, str]) -> dict[str, str]:
    """librdkafka security settings (as the course's clients use them) in the Java clients'
    spelling: ``sasl.mechanisms`` -> ``sasl.mechanism``, username and password -> a JAAS line,
    a PEM CA file -> a PEM trust store."""
    conf = dict(security)
    if "sasl.mechanisms" in conf:
        conf["sasl.mechanism"] = conf.pop("sasl.mechanisms")
    user, password = conf.pop("sasl.username", None), conf.pop("sasl.password", None)
    if user is not None:
        module = {"PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule"}.get(
            conf.get("sasl.mechanism", "PLAIN"),
            "org.apache.kafka.common.security.scram.ScramLoginModule")
        conf["sasl.jaas.config"] = (f'{module} required username="{user}" '
                                    f'password="{password or ""}";')
    if (ca := conf.pop("ssl.ca.location", None)) is not None:
        conf["ssl.truststore.type"] = "PEM"
        conf["ssl.truststore.location"] = ca
    if conf.pop("enable.ssl.certificate.verification", "true") == "false":
        conf["ssl.endpoint.identification.algorithm"] = ""
    return conf


def run_tool(version: str, main_class: str, args: list[str], bootstrap: str | None = None,
             security: dict[str, str] | None = None, timeout: float = 90.0, check: bool = True,
             command_config_flag: str = "--command-config") -> subprocess.CompletedProcess[str]:
    """Run ``main_class`` with ``args``. ``bootstrap`` comes first as ``--bootstrap-server``
    (some tools, such as kafka-metadata-quorum, take it only before their subcommand); with
    ``security`` settings, they are written to a private properties file passed as
    ``command_config_flag FILE``, also before ``args``."""
    libs = ensure_jars(f"kafka-{version}", quiet=True)
    lead = ["--bootstrap-server", bootstrap] if bootstrap else []
    # the brokers' class archive serves the tools too (the same class path): measured, a
    # consumer-groups listing in 0.5 s against 1.1 s without it on Java 25
    cmd = [str(find_java()), *TOOL_JVM_FLAGS, *cds_flags(version), "-cp", str(libs / "*"),
           main_class, *lead]
    conf: Path | None = None
    try:
        if security:
            fd, name = tempfile.mkstemp(prefix="kafka-lab-tool-", suffix=".properties")
            conf = Path(name)
            with os.fdopen(fd, "w") as f:  # mode 0600: it may hold a secret
                f.write("".join(f"{k}={v}\n" for k, v in java_client_config(security).items()))
            cmd += [command_config_flag, str(conf)]
        cmd += args
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    finally:
        if conf is not None:
            conf.unlink(missing_ok=True)
    if check and out.returncode != 0:
        raise ToolError(main_class.rsplit(".", 1)[-1], out.returncode, out.stderr or out.stdout)
    return out
