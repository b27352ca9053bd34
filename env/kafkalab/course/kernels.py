"""The kernel manager the course's headless runs use (`kafka-lab course run`, `kafka-lab check`).

Its ZeroMQ channels are Unix sockets (transport ``ipc``) in a private temporary folder instead
of TCP on loopback: nothing else on the machine can connect to the kernel, and the kernel has
no reason to warn that it is "running over TCP without encryption" into the run's output.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from jupyter_client.manager import AsyncKernelManager


class IpcKernelManager(AsyncKernelManager):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if os.name == "posix":  # Windows has no ipc transport: TCP as before
            self._sockets = tempfile.mkdtemp(prefix="kafka-lab-kernel-")
            self.transport = "ipc"
            self.ip = os.path.join(self._sockets, "k")

    def cleanup_ipc_files(self) -> None:
        """Remove the socket files, and their folder unless a restart reuses it."""
        super().cleanup_ipc_files()
        if getattr(self, "_sockets", None) and not self.has_kernel:
            shutil.rmtree(self._sockets, ignore_errors=True)


__all__ = ["IpcKernelManager"]
