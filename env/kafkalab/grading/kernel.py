"""The kernel manager nbgrader's Execute step uses: the kernel runs inside the submission's
sandbox (see :mod:`kafkalab.grading.sandbox`), the grader stays outside.

In a sandbox (bwrap or docker) the kernel has no network but loopback, so its ZeroMQ sockets
are Unix sockets (transport ``ipc``) in the submission's scratch folder, reachable from both
sides. Interrupts go as messages (``interrupt_request``): a signal sent to bwrap would end the
whole sandbox, and docker's client is not the kernel.
"""

from __future__ import annotations

import os
from typing import Any

import psutil
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

from . import dockerbox
from .sandbox import SandboxKind, SandboxSpec

_current: SandboxSpec | None = None


def use(spec: SandboxSpec | None) -> None:
    """The sandbox for the kernels started from now on in this process (one submission at a
    time per grading worker)."""
    global _current
    _current = spec


class SandboxedKernelManager(AsyncKernelManager):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sandbox = _current
        if self.sandbox is not None and self.sandbox.kind is not SandboxKind.NONE:
            self.transport = "ipc"
            self.ip = str(self.sandbox.scratch / "k")
            self.connection_file = str(self.sandbox.scratch / "kernel.json")

    @property
    def kernel_spec(self) -> KernelSpec | None:
        spec = super().kernel_spec
        if spec is not None and self.sandbox is not None and \
                self.sandbox.kind is not SandboxKind.NONE:
            spec.interrupt_mode = "message"
        return spec

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        return self.sandbox.wrap(cmd) if self.sandbox is not None else cmd

    def net_pid(self) -> int | None:
        """A process in the kernel's network namespace, for the grader's probe
        (:mod:`kafkalab.grading.probe`); None without a sandbox (the probe runs on the host)."""
        if self.sandbox is None or self.sandbox.kind is SandboxKind.NONE:
            return None
        if self.sandbox.kind is SandboxKind.DOCKER:
            return dockerbox.container_pid(self.sandbox.name)
        process = getattr(self.provisioner, "process", None)
        if process is None:
            return None
        own = os.readlink("/proc/self/ns/net")
        try:
            tree = psutil.Process(process.pid).children(recursive=True)
        except psutil.Error:
            return None
        for p in tree:
            try:
                if os.readlink(f"/proc/{p.pid}/ns/net") != own:
                    return p.pid
            except OSError:
                continue
        return None
