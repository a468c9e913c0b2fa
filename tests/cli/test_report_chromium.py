"""The HTML report loads in headless Chromium with every figure decoded and every section."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mccoord.plots import PLOT_KINDS
from mccoord.report import write_report

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HEADINGS = {"Scenario", "Top mixes", "Attribution", "Figures"}

#: Appended to a copy of the page: after the load event, count the decoded images.
CHECK = """<script>window.addEventListener('load', function () {
  var imgs = Array.from(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  var p = document.createElement('p'); p.id = 'img-check';
  p.textContent = 'decoded ' + ok.length + ' of ' + imgs.length;
  document.body.appendChild(p);
});</script>"""


def _chromium() -> str:
    exe = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if exe is None:
        pytest.skip("no chromium binary (.ci/run installs it with apt-get install -y chromium)")
    return exe


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.headings, self.check = [], [], ""
        self._tag = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a)
        self._tag = (tag, a.get("id"))

    def handle_endtag(self, tag):
        self._tag = None

    def handle_data(self, data):
        if self._tag and self._tag[0] in ("h1", "h2"):
            self.headings.append(data.strip())
        if self._tag and self._tag[1] == "img-check":
            self.check += data


def _run(exe, tmp_path, *args, timeout=90):
    cmd = [exe, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.parametrize("store", ["grid_store", "sobol_store"])
@pytest.mark.slow
def test_report_in_chromium(request, tmp_path, store):
    exe = _chromium()
    out = write_report(request.getfixturevalue(store), tmp_path / "report.html")
    page = out.read_text()
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", CHECK + "</body>"))
    res = _run(exe, tmp_path, "--dump-dom", probe.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    dom = _Page()
    dom.feed(res.stdout)
    assert HEADINGS <= set(dom.headings), dom.headings
    shown = [k.name for k in PLOT_KINDS if not k.per_path_parameters]  # no [uncertainty] table
    assert len(dom.imgs) == len(shown)
    assert {i["alt"] for i in dom.imgs} == set(shown)
    assert all(i["src"].startswith("data:image/png;base64,") for i in dom.imgs)
    assert dom.check.strip() == f"decoded {len(shown)} of {len(shown)}"


@pytest.mark.slow
def test_report_screenshot(grid_store, tmp_path):
    exe = _chromium()
    out = write_report(grid_store, tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    res = _run(exe, tmp_path, "--window-size=1200,3000", f"--screenshot={shot}", out.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000
