"""Light server-side charts (objectivity report, dashboards): inline SVG, no script, no
library; a table always sits beside them.

Every chart is an ``<svg role="img">`` whose ``<title>`` names it; the numbers themselves are in
the table next to it (screen readers and people without the picture read those).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#2f6fb0"
MARK_BAR = "#b05a2f"
AXIS = "#6c757d"
TEXT = "#212529"
DONE = "#2e7d32"
TRACK = "#e9ecef"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def histogram_svg(
    counts: Sequence[int],
    boundaries: dict[int, int] | None = None,
    *,
    title: str,
    width: int = 480,
    height: int = 160,
) -> Markup:
    """Vertical bars per primary total 0 … n; dashed lines at the mark boundaries (mark → total),
    the bar at a boundary drawn in the second colour."""
    boundaries = boundaries or {}
    at_boundary = set(boundaries.values())
    pad_left, pad_bottom, pad_top = 28, 20, 14
    plot_w, plot_h = width - pad_left - 4, height - pad_bottom - pad_top
    n = max(len(counts), 1)
    step = plot_w / n
    top = max(max(counts, default=0), 1)
    parts = [_open(width, height, title)]
    base = pad_top + plot_h
    for i, c in enumerate(counts):
        h = plot_h * c / top
        x = pad_left + i * step
        fill = MARK_BAR if i in at_boundary else BAR
        parts.append(
            f'<rect x="{_fmt(x + 1)}" y="{_fmt(base - h)}" width="{_fmt(max(step - 2, 1))}"'
            f' height="{_fmt(h)}" fill="{fill}"><title>{i}: {c}</title></rect>'
        )
    label_every = max(1, round(n / 12))
    for i in range(0, n, label_every):
        x = pad_left + i * step + step / 2
        parts.append(_text(x, height - 6, str(i), anchor="middle"))
    for mark, total in sorted(boundaries.items()):
        x = pad_left + total * step
        parts.append(
            f'<line x1="{_fmt(x)}" y1="{pad_top - 4}" x2="{_fmt(x)}" y2="{_fmt(base)}"'
            f' stroke="{AXIS}" stroke-dasharray="3 2"/>'
        )
        parts.append(_text(x + 2, pad_top - 4, f"«{mark}»"))
    parts.append(_text(pad_left - 4, pad_top + 4, str(top), anchor="end"))
    parts.append(_axis(pad_left, base, pad_left + plot_w))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def diverging_svg(
    rows: Sequence[tuple[str, float]], *, title: str, width: int = 480, row_height: int = 18
) -> Markup:
    """Horizontal bars around zero, one per labelled row (e.g. the mean difference per school)."""
    label_w = min(200, width // 2)
    height = row_height * max(len(rows), 1) + 8
    span = max((abs(v) for _, v in rows), default=0) or 1
    plot_w = width - label_w - 8
    zero = label_w + plot_w / 2
    parts = [_open(width, height, title)]
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_height
        w = (plot_w / 2) * abs(value) / span
        x = zero if value >= 0 else zero - w
        fill = MARK_BAR if value > 0 else BAR
        parts.append(_text(label_w - 6, y + row_height * 0.7, _short(label, 30), anchor="end"))
        parts.append(
            f'<rect x="{_fmt(x)}" y="{y + 2}" width="{_fmt(w)}" height="{row_height - 4}"'
            f' fill="{fill}"><title>{escape(label)}: {_fmt(value)}</title></rect>'
        )
    parts.append(
        f'<line x1="{_fmt(zero)}" y1="0" x2="{_fmt(zero)}" y2="{height}" stroke="{AXIS}"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def stacked_bars_svg(
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[tuple[str, str]],
    *,
    title: str,
    width: int = 480,
    row_height: int = 18,
) -> Markup:
    """Horizontal stacked bars, one per labelled row; ``series`` gives each segment's label and
    colour in the order of the row's values. Bars share one scale (the largest row total), so the
    length shows the volume and the colours its make-up; a legend line sits on top."""
    label_w = min(170, width // 3)
    plot_w = width - label_w - 36
    per_line = 2  # legend entries per line: a state's name is up to ~35 characters
    legend_h = 16 * -(-len(series) // per_line)
    height = legend_h + row_height * max(len(rows), 1) + 4
    top = max((sum(values) for _, values in rows), default=0) or 1
    parts = [_open(width, height, title)]
    for i, (name, colour) in enumerate(series):
        x, y = 4 + (i % per_line) * (width - 8) / per_line, 4 + (i // per_line) * 16
        parts.append(f'<rect x="{_fmt(x)}" y="{y}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(x + 14, y + 9, _short(name, 38)))
    for r, (label, values) in enumerate(rows):
        y = legend_h + r * row_height
        parts.append(_text(label_w - 6, y + row_height * 0.7, _short(label, 28), anchor="end"))
        x = float(label_w)
        for (name, colour), value in zip(series, values, strict=True):
            if not value:
                continue
            w = plot_w * value / top
            parts.append(
                f'<rect x="{_fmt(x)}" y="{y + 2}" width="{_fmt(w)}" height="{row_height - 4}"'
                f' fill="{colour}"><title>{escape(label)}, {escape(name)}: {value}</title></rect>'
            )
            x += w
        parts.append(_text(x + 3, y + row_height * 0.7, str(sum(values))))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def progress_svg(
    rows: Sequence[tuple[str, int, int]], *, title: str, width: int = 480, row_height: int = 18
) -> Markup:
    """One done-of-planned bar per labelled row (``label, done, total``), the percent beside it."""
    label_w = min(170, width // 3)
    plot_w = width - label_w - 44
    height = row_height * max(len(rows), 1) + 4
    parts = [_open(width, height, title)]
    for r, (label, done, total) in enumerate(rows):
        y = r * row_height
        share = done / total if total else 0.0
        parts.append(_text(label_w - 6, y + row_height * 0.7, _short(label, 28), anchor="end"))
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{plot_w}" height="{row_height - 6}"'
            f' fill="{TRACK}"/>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{_fmt(plot_w * share)}"'
            f' height="{row_height - 6}" fill="{DONE}"><title>{escape(label)}: {done} / {total}'
            f"</title></rect>"
        )
        parts.append(_text(label_w + plot_w + 4, y + row_height * 0.7, f"{round(100 * share)} %"))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>'
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start") -> str:
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="10" fill="{TEXT}"'
        f' text-anchor="{anchor}">{escape(text)}</text>'
    )


def _axis(x1: float, y: float, x2: float) -> str:
    return f'<line x1="{_fmt(x1)}" y1="{_fmt(y)}" x2="{_fmt(x2)}" y2="{_fmt(y)}" stroke="{AXIS}"/>'


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
