"""The student's path in a real browser: `python lab.py lab`, open 00_welcome, Run All Cells,
and read what the page shows (the blank release, then the notebook with answers filled in)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .conftest import ROOT, SHOTS, Lab
from .jupyterlab import cells, dismiss_popups, open_notebook, run_all, wait_for

pytestmark = pytest.mark.browser
NOTEBOOK = "/lab/tree/00_welcome/00_welcome.ipynb"


def _shot(driver, name: str) -> Path:  # noqa: ANN001
    path = SHOTS / name
    driver.save_screenshot(str(path))
    return path


def _cell(views, needle: str):  # noqa: ANN001, ANN202
    return next(c for c in views if needle in c.source)


def test_blank_release_runs_until_the_first_answer_and_says_what_to_do(browser,
                                                                       student_lab: Lab) -> None:
    open_notebook(browser, student_lab.page(NOTEBOOK))
    dismiss_popups(browser)
    views = run_all(browser, timeout=240)
    _shot(browser, "00_welcome-blank.png")
    # the answer cell only defines the stub; the locked cell after it calls it
    answer = _cell(views, "ex1_placed = produce_keyed(")
    assert not _cell(views, "def produce_keyed").errors
    assert answer.errors and "NotImplementedError" in answer.errors[0], answer
    before = [c for c in views if c.kind == "code" and c.index < answer.index]
    assert before and all(not c.errors for c in before), [c.errors for c in before]
    assert all(c.prompt.strip("[]: ").isdigit() for c in before), [c.prompt for c in before]
    setup = _cell(views, "cluster = start_cluster(")
    assert "answered after" in setup.text and "Cluster kraft 1 broker" in setup.text
    assert _cell(views, "description = cluster.describe()").html_tables >= 1
    assert "the broker stored it at (partition, offset) = [(0, 0)]" in _cell(
        views, "producer.produce(topic").text
    after = [c for c in views if c.kind == "code" and c.index > answer.index]
    assert all(c.prompt.strip() in ("[ ]:", "[]:", "") for c in after), \
        "Run All must stop at the first error, leaving later cells unrun"


def test_solved_notebook_shows_every_self_check_and_no_error(browser, student_lab: Lab) -> None:
    shutil.copyfile(ROOT / "solutions" / "00_welcome" / "00_welcome.ipynb",
                    student_lab.folder / "00_welcome" / "00_welcome.ipynb")
    open_notebook(browser, student_lab.page(NOTEBOOK))
    dismiss_popups(browser)
    views = run_all(browser, timeout=300)
    code = [c for c in views if c.kind == "code"]
    assert all(not c.errors for c in code), [(c.index, c.errors) for c in code if c.errors]
    assert all(c.prompt.strip("[]: ").isdigit() for c in code), [c.prompt for c in code]
    # the self-checks run in the locked cells that call the two functions
    checks = [_cell(views, "ex1_placed = produce_keyed("), _cell(views, "ex2_read = read_from(")]
    assert all("ok: " in c.text for c in checks), [c.text for c in checks]
    assert "user-0" in checks[0].text
    # A progress bar, as the lessons draw them, renders as a widget in this JupyterLab.
    last = browser.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")[-1]
    last.click()
    browser.switch_to.active_element.send_keys(Keys.ESCAPE, "b")
    wait_for("a new cell", lambda: len(cells(browser)) == len(views) + 1, 10)
    editor = browser.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")[-1] \
        .find_element(By.CSS_SELECTOR, ".cm-content")
    editor.click()
    editor.send_keys("from tqdm.auto import tqdm\nfor _ in tqdm(range(3), desc='bars'):\n"
                     "pass")
    editor.send_keys(Keys.SHIFT, Keys.ENTER)
    bar = wait_for("the progress bar widget", lambda: [
        c for c in cells(browser) if "tqdm(range(3)" in c.source and c.widgets], 60)
    assert not bar[0].errors and "3/3" in bar[0].text, bar[0]
    _shot(browser, "00_welcome-solved.png")
