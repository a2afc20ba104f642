"""The report in a real browser: headless Chromium (Debian's) driven by Playwright.

Skipped where /usr/bin/chromium is missing, unless ``CI`` is set: then the
test fails, so that CI cannot pass without having opened the report.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ssisim.report.build import build_report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

pytestmark = pytest.mark.browser


def _browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing and CI is set: install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    return playwright.sync_playwright()


def test_the_report_opens_offline_with_every_figure(run_folder: Path, tmp_path: Path):
    html = build_report(run_folder, tmp_path / "report.html", draw=False)
    errors: list[str] = []
    requests: list[str] = []
    with _browser() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(html.as_uri(), wait_until="load")
            sizes = page.eval_on_selector_all(
                "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
            )
            verdicts = page.inner_text("#verdicts")
            pdf = page.pdf(format="A4")
        finally:
            browser.close()
    assert errors == []
    # data: URIs are not requests; the only one is the file itself
    assert [u for u in requests if not u.startswith("data:")] == [html.as_uri()]
    assert len(sizes) >= 9 and all(done and w > 0 and h > 0 for done, w, h in sizes)
    assert "open-bar brought more opportunities than club-select" in verdicts
    assert pdf[:5] == b"%PDF-" and len(pdf) > 50_000
