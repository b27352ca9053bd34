"""Progress bars that suit where they are shown.

In Jupyter a widget (``tqdm.auto``), on a terminal a bar redrawn in place; anywhere else (a log
file, CI, a pipe) a bar would write a new line at every redraw (a download once printed one per
64 KiB chunk), so there :class:`LogBar` writes one line per state change: when it starts, when
its description or postfix changes (``set_description``/``set_postfix``), and when it ends.
"""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm as std_tqdm


def _in_jupyter() -> bool:
    shell = sys.modules.get("IPython")
    get = getattr(shell, "get_ipython", None)
    ip = get() if get else None
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


class LogBar(std_tqdm):
    """A tqdm bar that prints whole lines, only when its state changes (never on update)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(mininterval=float("inf"), maxinterval=0, miniters=None, ascii=True,
                      dynamic_ncols=False, ncols=100)
        self._said = ""
        super().__init__(*args, **kwargs)

    def display(self, msg: str | None = None, pos: int | None = None) -> bool:
        text = (msg or self.__str__()).strip()
        state = (self.desc, self.postfix, self.n >= (self.total or float("inf")))
        if state != getattr(self, "_state", None) and not self.disable:
            self._state = state
            if text != self._said:
                self.fp.write(text + "\n")
                self.fp.flush()
                self._said = text
        return True

    def close(self) -> None:
        if not self.disable and not getattr(self, "_closed_once", False):
            self._closed_once = True
            self.display()  # the final line, unless the last line already said it
        self.disable = True
        super().close()


def bar(*args: Any, file: Any = None, **kwargs: Any) -> std_tqdm:
    """A progress bar (tqdm's arguments) for where it will be seen."""
    stream = file if file is not None else sys.stderr
    if _in_jupyter():
        from tqdm.auto import tqdm

        return tqdm(*args, file=file, **kwargs)
    if getattr(stream, "isatty", lambda: False)():
        return std_tqdm(*args, file=stream, **kwargs)
    return LogBar(*args, file=stream, **kwargs)


__all__ = ["LogBar", "bar"]
