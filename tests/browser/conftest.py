"""A real browser for the browser tier: headless Chromium and its driver from the operating
system's packages (never a browser download at run time), and JupyterLab started the way a
student or an instructor starts it, `python lab.py lab [--solutions]`.

On Debian/Ubuntu as root, missing `chromium` and `chromium-driver` packages are installed with
apt-get (as the docker tier installs Docker); elsewhere the tier skips with the reason.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ospackages import apt_install, root_on_debian

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "browser"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)


def _which(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name) or next(
            (str(p) for p in (Path("/usr/bin") / name, Path("/usr/lib/chromium") / name)
             if p.exists()), None)
        if found:
            return found
    return None


def system_browser() -> tuple[str, str] | str:
    """(browser, driver) paths, installing Debian's packages where we may; else why not."""
    browser, driver = _which(BROWSERS), _which(DRIVERS)
    if browser and driver:
        return browser, driver
    if not root_on_debian():
        return ("no Chromium and chromedriver found (install your system's chromium and "
                "chromium-driver packages)")
    try:
        apt_install("chromium", "chromium-driver")
    except (subprocess.SubprocessError, OSError) as exc:
        return f"apt-get install chromium chromium-driver failed: {exc}"
    browser, driver = _which(BROWSERS), _which(DRIVERS)
    return (browser, driver) if browser and driver else "chromium installed but not found"


@pytest.fixture(scope="session")
def browser() -> Iterator:
    found = system_browser()
    if isinstance(found, str):
        pytest.skip(found)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = found[0]
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1400,2200", "--disable-gpu"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(found[1]), options=opts)
    driver.set_page_load_timeout(120)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    url: str
    token: str
    folder: Path
    log: Path

    def page(self, path: str) -> str:
        return f"{self.url}{path}{'&' if '?' in path else '?'}token={self.token}"


def start_lab(folder: Path | None, log: Path,
              solutions: bool = False) -> tuple[Lab, subprocess.Popen]:
    """`python lab.py lab` as a person types it, on a private port and token (and, when
    ``folder`` is given, on a copy of the notebooks so that autosave never touches the repo)."""
    port, token = _free_port(), secrets.token_hex(12)
    args = [sys.executable, str(ROOT / "lab.py"), "lab", "--no-browser", f"--port={port}",
            "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}"]
    if folder is not None:
        args.append(f"--notebook-dir={folder}")
    if solutions:
        args.append("--solutions")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")  # CI runs as root; a student's machine does not
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "KAFKA_BOOTSTRAP_SERVERS")}
    env["KAFKA_LAB_FRESH"] = "1"  # the notebook starts its own cluster
    out = open(log, "wb")  # noqa: SIM115 (kept open for the server's lifetime)
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", token,
              folder or (ROOT if solutions else ROOT / "notebooks"), log)
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(lab.page("/api/status"), timeout=2)
            return lab, proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_lab(proc)
                raise RuntimeError("JupyterLab did not start:\n"
                                   + log.read_text(errors="replace")[-3000:]) from None
            time.sleep(0.5)


def stop_lab(proc: subprocess.Popen) -> None:
    """The server, its kernels and whatever they started (each kernel's cluster dies with it)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


@pytest.fixture
def student_lab(tmp_path: Path) -> Iterator[Lab]:
    folder = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks" / "00_welcome", folder / "00_welcome")
    lab, proc = start_lab(folder, tmp_path / "lab.log")
    try:
        yield lab
    finally:
        stop_lab(proc)
