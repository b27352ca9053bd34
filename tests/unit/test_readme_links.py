"""The repository's address is written in one place, the README's `Repository:` line, and the
Binder link points at that repository (a fork changes the one line and the test says what else
to change)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def repository() -> tuple[str, str]:
    found = re.findall(r"^Repository: https://github\.com/([\w.-]+)/([\w.-]+?)/?$",
                       README.read_text(), re.M)
    assert len(found) == 1, "the README names the repository once, on a `Repository:` line"
    return found[0]


def test_binder_links_point_at_the_repository() -> None:
    owner, name = repository()
    links = re.findall(r"https://mybinder\.org/v2/gh/([^)\s]+)", README.read_text())
    assert links, "the README has a Binder link"
    for link in links:
        assert link.startswith(f"{owner}/{name}/"), \
            f"Binder link {link} does not point at {owner}/{name} (the Repository: line)"

