"""The inline SVG charts: one bar per value, escaped text, boundaries marked, no script."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from webapp.common.charts import MARK_BAR, diverging_svg, histogram_svg

NS = "{http://www.w3.org/2000/svg}"


def test_histogram_has_one_bar_per_total_and_marks_the_boundaries():
    svg = histogram_svg([1, 0, 4, 2], {3: 2}, title="Школа <№1>")
    root = ET.fromstring(str(svg))  # well-formed XML
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text == "Школа <№1>"
    bars = root.findall(f"{NS}rect")
    assert [b.find(f"{NS}title").text for b in bars] == ["0: 1", "1: 0", "2: 4", "3: 2"]
    assert [b.get("fill") == MARK_BAR for b in bars] == [False, False, True, False]
    heights = [float(b.get("height")) for b in bars]
    assert heights[1] == 0 and heights[2] == max(heights) and heights[0] == heights[2] / 4
    assert "«3»" in svg and "<script" not in svg and "style=" not in svg


def test_histogram_of_nothing_is_still_a_picture():
    root = ET.fromstring(str(histogram_svg([], title="пусто")))
    assert root.findall(f"{NS}rect") == []


def test_diverging_bars_go_left_for_negative_values():
    svg = diverging_svg([("A", 2.0), ("B&C", -1.0)], title="Разница")
    root = ET.fromstring(str(svg))
    a, b = root.findall(f"{NS}rect")
    zero = float(root.find(f"{NS}line").get("x1"))
    assert float(a.get("x")) == zero and float(b.get("x")) < zero
    assert float(a.get("width")) == 2 * float(b.get("width"))
    assert "B&amp;C" in svg
    assert re.search(r"<title>B&amp;C: -1</title>", svg)
