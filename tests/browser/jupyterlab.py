"""Driving JupyterLab as a person does: open a notebook, use the menus, read what the page
shows. Only selectors of JupyterLab's own DOM (``jp-*`` / ``lm-*`` classes)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

_ERROR = re.compile(r"^\w*(Error|Exception)\b.*$", re.M)


@dataclass
class CellView:
    index: int
    kind: str  # "code" | "markdown"
    source: str
    prompt: str  # "[3]:", "[*]:", "[ ]:"
    text: str  # every output's text
    stderr: list[str]  # stderr outputs (JupyterLab renders errors there too)
    widgets: int  # rendered ipywidgets (tqdm bars render as widgets)
    html_tables: int

    @property
    def errors(self) -> list[str]:
        """Error outputs: an exception's traceback (JupyterLab shows it as stderr), not
        warnings."""
        return [t for t in self.stderr if "Traceback" in t or _ERROR.search(t)]


def wait_for(what: str, predicate, timeout: float, every: float = 0.5):  # noqa: ANN001
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (WebDriverException, StaleElementReferenceException) as exc:
            last = exc
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}"
                         + (f" (last error: {last})" if last else ""))


def open_notebook(driver: WebDriver, url: str) -> None:
    driver.get(url)
    wait_for("the notebook to open with a kernel", lambda: driver.find_elements(
        By.CSS_SELECTOR, ".jp-Notebook .jp-Cell") and _kernel_status(driver) == "idle", 120)


def _kernel_status(driver: WebDriver) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook-ExecutionIndicator")
    if found:
        return (found[0].get_attribute("data-status") or "").lower()
    status = driver.find_elements(By.CSS_SELECTOR, ".jp-StatusBar-TextItem")
    return "idle" if any("Idle" in s.text for s in status) else "busy"


def menu(driver: WebDriver, top: str, item: str) -> None:
    """Click the menu bar's ``top`` menu, then its ``item`` (exact labels)."""
    bar = next(e for e in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel")
               if e.text == top)
    bar.click()
    wait_for(f"menu item {item!r}", lambda: any(
        e.text == item for e in driver.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel")), 10)
    next(e for e in driver.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel")
         if e.text == item).click()


def dismiss_popups(driver: WebDriver) -> None:
    """The 'notified about Jupyter news?' toast covers the page: answer it."""
    for b in driver.find_elements(By.CSS_SELECTOR, ".jp-toast-button"):
        if b.text.strip() == "No":
            b.click()


def cells(driver: WebDriver) -> list[CellView]:
    out = []
    for i, cell in enumerate(driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")):
        classes = cell.get_attribute("class") or ""
        kind = "code" if "jp-CodeCell" in classes else "markdown"
        out.append(CellView(
            i, kind, _text(cell, ".jp-InputArea-editor"), _text(cell, ".jp-InputPrompt"),
            "\n".join(e.text for e in cell.find_elements(By.CSS_SELECTOR,
                                                          ".jp-OutputArea-output")),
            [e.text for e in cell.find_elements(
                By.CSS_SELECTOR, '.jp-OutputArea-output[data-mime-type="application/'
                                 'vnd.jupyter.stderr"]')],
            len(cell.find_elements(By.CSS_SELECTOR, ".jupyter-widgets, .widget-html-content")),
            len(cell.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output table"))))
    return out


def _text(cell: WebElement, selector: str) -> str:
    found = cell.find_elements(By.CSS_SELECTOR, selector)
    return found[0].text if found else ""


def run_all(driver: WebDriver, timeout: float) -> list[CellView]:
    """Run > Run All Cells, then wait until no cell is queued or running and the kernel is
    idle; return what every cell shows."""
    menu(driver, "Run", "Run All Cells")
    wait_for("cells to start", lambda: any("*" in c.prompt for c in cells(driver))
             or all(c.prompt.strip() not in ("", "[ ]:") for c in cells(driver)
                    if c.kind == "code"), 30)
    return wait_for("every cell to finish", lambda: (
        (views := cells(driver)) and not any("*" in c.prompt for c in views)
        and _kernel_status(driver) == "idle" and views), timeout, every=1.0)
