"""The instructor's path in a real browser: `python lab.py lab --solutions` (run from grader/,
where nbgrader's extensions find the course's configuration), the formgrader lists the course's
assignments, and nbgrader's Validate button passes a solved notebook."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from .conftest import ROOT, SHOTS, Lab, start_lab, stop_lab
from .jupyterlab import dismiss_popups, open_notebook, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def instructor_lab(tmp_path: Path) -> Iterator[Lab]:
    """`python lab.py lab --solutions` on the course folder itself (nbgrader's formgrader needs
    the course root inside the server's root). Validate saves the notebook first, and a save
    fills in the kernel's language_info: the file is restored afterwards, and its cells must be
    unchanged."""
    solution = ROOT / "solutions" / "00_welcome" / "00_welcome.ipynb"
    before = solution.read_bytes()
    lab, proc = start_lab(None, tmp_path / "lab.log", solutions=True)
    try:
        yield lab
    finally:
        stop_lab(proc)
        after = solution.read_bytes()
        solution.write_bytes(before)
        assert json.loads(after)["cells"] == json.loads(before)["cells"], \
            "the browser session changed the solution notebook's cells"


def test_formgrader_lists_the_course(browser, instructor_lab: Lab) -> None:
    browser.get(instructor_lab.page("/formgrader"))
    lessons = sorted(p.name for p in (ROOT / "solutions").iterdir()
                     if re.fullmatch(r"\d\d_\w+", p.name))
    body = wait_for("the assignment table", lambda: (
        t := browser.find_element(By.TAG_NAME, "body").text) and all(n in t for n in lessons)
        and t, 60)
    browser.save_screenshot(str(SHOTS / "formgrader.png"))
    assert "Manage Assignments" in body
    assert "exchange directory" not in body, "the formgrader cannot release or collect"


def test_validate_button_passes_a_solved_notebook(browser, instructor_lab: Lab) -> None:
    open_notebook(browser, instructor_lab.page("/lab/tree/solutions/00_welcome/00_welcome.ipynb"))
    dismiss_popups(browser)
    button = wait_for("nbgrader's Validate button", lambda: [
        b for b in browser.find_elements(By.CSS_SELECTOR, ".jp-Toolbar button, "
                                                            ".jp-Toolbar jp-button")
        if b.text.strip() == "Validate"], 30)[0]
    button.click()
    dialog = wait_for("the validation result", lambda: [
        d for d in browser.find_elements(By.CSS_SELECTOR, ".jp-Dialog")
        if "Validat" in d.text and "ing" not in d.text.split("\n")[0][-3:]
        and ("Success" in d.text or "fail" in d.text.lower() or "error" in d.text.lower())],
        300, every=1.0)[0]
    browser.save_screenshot(str(SHOTS / "validate.png"))
    assert "Success! Your notebook passes all the tests." in dialog.text, dialog.text
