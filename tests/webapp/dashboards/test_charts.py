"""The dashboards' SVG charts: well-formed, proportional, escaped, with a title and no script."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from webapp.common.charts import DONE, progress_svg, stacked_bars_svg

NS = "{http://www.w3.org/2000/svg}"


def _bars(root) -> list[ET.Element]:
    return [r for r in root.findall(f"{NS}rect") if r.find(f"{NS}title") is not None]


def test_stacked_bars_share_one_scale_and_name_each_segment():
    svg = stacked_bars_svg(
        [("Район <А>", [3, 1]), ("Район Б", [0, 2])],
        [("Черновик", "#aaaaaa"), ("Утверждён", "#2e7d32")],
        title="Документы & состояния",
    )
    root = ET.fromstring(str(svg))
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text == "Документы & состояния"
    bars = _bars(root)
    names = [b.find(f"{NS}title").text for b in bars]
    # A zero count draws no segment.
    assert names == ["Район <А>, Черновик: 3", "Район <А>, Утверждён: 1", "Район Б, Утверждён: 2"]
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == 3 * widths[1] and widths[2] == 2 * widths[1]
    # The second segment starts where the first ends.
    assert float(bars[1].get("x")) == float(bars[0].get("x")) + widths[0]
    assert "<script" not in svg and "style=" not in svg and "&lt;А&gt;" in svg


def test_progress_bars_show_the_done_share():
    svg = progress_svg([("Школа 1", 1, 4), ("Школа 2", 0, 0)], title="Мероприятия")
    root = ET.fromstring(str(svg))
    done = [r for r in root.findall(f"{NS}rect") if r.get("fill") == DONE]
    tracks = [r for r in root.findall(f"{NS}rect") if r.get("fill") != DONE]
    assert float(done[0].get("width")) == float(tracks[0].get("width")) / 4
    assert float(done[1].get("width")) == 0  # nothing planned: an empty bar, no division by zero
    texts = [t.text for t in root.findall(f"{NS}text")]
    assert "25 %" in texts and "0 %" in texts
    assert done[0].find(f"{NS}title").text == "Школа 1: 1 / 4"


def test_empty_charts_are_still_pictures():
    assert ET.fromstring(str(stacked_bars_svg([], [("a", "#000")], title="пусто")))
    assert ET.fromstring(str(progress_svg([], title="пусто")))
