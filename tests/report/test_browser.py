"""The run report in a real browser: headless Chromium draws every chart, logs no error or Vega warning, and
the page fits a 420-px-wide screen (no horizontal scrolling of the page; wide tables scroll in their box).

The report is loaded in a 420-px-wide iframe (headless Chromium's window is at least 500 px wide) with a
probe script added before Vega's bundle (it records errors, console.error and console.warn, where Vega
logs its warnings) and after the charts' boot script (after 4 s of the browser's virtual time it posts
what it found to the outer page, which `--dump-dom` prints).

Needs Chromium (`apt-get install chromium`; `make test` installs it where it can); skipped without it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WIDTH = 420

PROBE_HEAD = """<script>
window.__probe = {errors: [], warnings: []};
window.addEventListener('error', function (e) { __probe.errors.push('error: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) { __probe.errors.push('rejection: ' + e.reason); });
(function () {
  var err = console.error, warn = console.warn;
  var join = function (args) { return Array.prototype.join.call(args, ' '); };
  console.error = function () { __probe.errors.push(join(arguments)); err.apply(console, arguments); };
  console.warn = function () { __probe.warnings.push(join(arguments)); warn.apply(console, arguments); };
})();
</script>"""

PROBE_TAIL = """<script>
setTimeout(function () {
  var charts = Array.prototype.map.call(document.querySelectorAll("div[id^='chart-']"), function (d) {
    return {id: d.id, drawn: !!d.querySelector('svg, canvas'), text: d.textContent.slice(0, 200)};
  });
  parent.postMessage(JSON.stringify({charts: charts, errors: __probe.errors, warnings: __probe.warnings,
    scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
    innerWidth: window.innerWidth}), '*');
}, 4000);
</script>"""

OUTER = """<!DOCTYPE html><html><body style='margin:0'>
<iframe src='report.html' style='width:{width}px;height:3000px;border:0'></iframe>
<script>window.addEventListener('message', function (e) {{
  var out = document.createElement('pre'); out.id = 'probe'; out.textContent = e.data; document.body.appendChild(out);
}});</script></body></html>"""

pytestmark = pytest.mark.slow  # starts headless Chromium (make test-fast skips it)


def _browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def with_probe(page: str) -> str:
    """The page with the probe's scripts: first in <head>, last in <body>."""
    head, tag, rest = page.partition("<head>")
    before, end, after = (head + tag + PROBE_HEAD + rest).rpartition("</body>")
    return before + PROBE_TAIL + end + after


def render(page: str, folder: Path) -> dict:
    """What the probe found after loading ``page`` in a WIDTH-px iframe of headless Chromium."""
    browser = _browser()
    assert browser is not None
    (folder / "report.html").write_text(with_probe(page), encoding="utf-8")
    (folder / "outer.html").write_text(OUTER.format(width=WIDTH), encoding="utf-8")
    command = [
        browser,
        "--headless",
        "--no-sandbox",  # root in a container
        "--disable-gpu",
        "--window-size=800,3000",
        "--virtual-time-budget=20000",
        "--dump-dom",
        (folder / "outer.html").as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    found = re.search(r"<pre id=\"probe\">(.*?)</pre>", done.stdout, re.DOTALL)
    assert found, f"the probe did not report (exit {done.returncode}): {done.stderr[-2000:]}"
    import html

    return json.loads(html.unescape(found.group(1)))


@pytest.mark.skipif(
    _browser() is None,
    reason="needs Chromium for the headless-browser check of report.html: `apt-get install chromium` "
    "(Debian/Ubuntu; `make test` does it when run as root with apt)",
)
def test_report_renders_in_chromium_at_420_px(report_page, tmp_path) -> None:
    probe = render(report_page, tmp_path)
    assert probe["innerWidth"] == WIDTH
    charts = probe["charts"]
    assert len(charts) == report_page.count("data-chart-for=")
    assert [c["id"] for c in charts if not c["drawn"]] == [], charts
    assert probe["errors"] == []
    assert probe["warnings"] == []  # Vega's warnings (a conflicting scale, an infinite extent) included
    assert probe["scrollWidth"] <= probe["clientWidth"], "the page scrolls sideways at 420 px"


@pytest.mark.skipif(_browser() is None, reason="needs Chromium (`apt-get install chromium`)")
def test_the_probe_sees_a_chart_that_fails(tmp_path) -> None:
    """A page with a good chart and one Vega cannot draw: the probe reports the second as not drawn, with the
    boot script's message, so the test above would fail on a broken chart."""
    import altair as alt
    import pandas as pd

    from venturesim.report import render_report

    class Broken:
        def to_dict(self) -> dict:
            return {"mark": "no-such-mark", "data": {"values": [{"a": 1}]}}

    good = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_bar().encode(x="a:Q")
    summary = pd.DataFrame(columns=["section", "metric", "statistic", "value", "se", "unit"])
    probe = render(render_report("t", "s", summary, {"good": good, "broken": Broken()}), tmp_path)  # type: ignore[dict-item]
    assert [c["drawn"] for c in probe["charts"]] == [True, False]
    assert "Chart failed to render" in probe["charts"][1]["text"]
