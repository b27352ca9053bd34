"""Resolve the Kafka jar sets with Maven once and write the pinned locks (maintainers only).

    kafka-lab lock            # rewrites env/kafkalab/locks/*.json

Students never run this: the package downloads the locked jars and checks their SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from pathlib import Path

from .jars import LOCK_DIR, SETS

POM = """<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>kafkalab</groupId><artifactId>lock</artifactId><version>1</version><packaging>pom</packaging>
<dependencies>{deps}</dependencies></project>"""
DEP = ("<dependency><groupId>{g}</groupId><artifactId>{a}</artifactId>"
       "<version>{v}</version></dependency>")


def resolve(roots: list[str]) -> list[dict[str, object]]:
    """Return [{coords, path, sha256, size}] for the runtime closure of ``roots`` (g:a:v)."""
    deps = "".join(DEP.format(g=g, a=a, v=v) for g, a, v in (r.split(":") for r in roots))
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "pom.xml").write_text(POM.format(deps=deps))
        out = Path(tmp, "list.txt")
        subprocess.run(
            ["mvn", "-q", "-B", "dependency:list", "-DincludeScope=runtime",
             "-DoutputAbsoluteArtifactFilename=true", f"-DoutputFile={out}"],
            cwd=tmp, check=True,
        )
        lines = out.read_text().splitlines()
    entries = []
    for line in lines:
        parts = line.strip().split(":")
        if len(parts) < 6 or parts[2] != "jar":
            continue
        g, a, _, v, _scope, path = parts[:6]
        data = Path(path).read_bytes()
        rel = f"{g.replace('.', '/')}/{a}/{v}/{a}-{v}.jar"
        entries.append({"coords": f"{g}:{a}:{v}", "path": rel,
                        "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    return sorted(entries, key=lambda e: str(e["coords"]))


def main() -> None:
    for name, roots in SETS.items():
        entries = resolve(roots)
        lock = {"name": name, "roots": roots, "jars": entries}
        (LOCK_DIR / f"{name}.json").write_text(json.dumps(lock, indent=1) + "\n")
        total = sum(int(e["size"]) for e in entries) / 1e6
        print(f"{name}: {len(entries)} jars, {total:.1f} MB")

