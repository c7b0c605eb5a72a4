"""Charts as inline SVG, drawn on the server: no script, no CDN, no inline styles (CSP), just classes.

Readable without colour: series differ by fill pattern (solid, hatched, dotted, crossed: the patterns
are defined once per page in `templates/dashboards/_defs.html`) and by line style and marker shape; every
bar and point carries a <title> with its value, every chart a caption, and the pages print the same
numbers in a table next to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 44
MARKERS = ("circle", "square", "diamond")


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _svg(title: str, body: list[str], height: int = HEIGHT) -> Markup:
    label = escape(title)
    return Markup(f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{label}" '
                  f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{"".join(body)}</svg>')


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 2.5, 5, 10):
        magnitude = 10 ** (len(str(int(value))) - 1)
        if value <= step * magnitude:
            return step * magnitude
    return value


def _axis(y_max: float, y_format: Callable, plot_h: int) -> list[str]:
    parts = []
    for n in range(5):
        value = y_max * n / 4
        y = TOP + plot_h - plot_h * n / 4
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(y_format(value))}</text>')
    return parts


def _x_labels(categories: Sequence[str], xs: list[float], plot_h: int) -> list[str]:
    every = max(1, -(-len(categories) // 10))
    return [f'<text class="axis" x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{escape(c)}</text>'
            for i, (c, x) in enumerate(zip(categories, xs, strict=True)) if i % every == 0 or i == len(categories) - 1]


def _legend(names: Sequence[str], y: int, kind: str = "bar") -> list[str]:
    parts, x = [], LEFT
    for i, name in enumerate(names):
        if kind == "bar":
            parts.append(f'<rect class="bar s{i}" x="{x}" y="{y - 10}" width="14" height="12"/>')
        else:
            parts.append(f'<line class="line s{i}" x1="{x}" x2="{x + 14}" y1="{y - 4}" y2="{y - 4}"/>'
                         + _marker(i, x + 7, y - 4))
        parts.append(f'<text class="legend" x="{x + 20}" y="{y}">{escape(name)}</text>')
        x += 28 + 7 * len(name)
    return parts


def _marker(i: int, x: float, y: float, tip: str = "") -> str:
    title = f"<title>{escape(tip)}</title>" if tip else ""
    shape = MARKERS[i % len(MARKERS)]
    if shape == "circle":
        return f'<circle class="marker s{i}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">{title}</circle>'
    if shape == "square":
        return f'<rect class="marker s{i}" x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7">{title}</rect>'
    return (f'<polygon class="marker s{i}" points="{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 4.5:.1f} '
            f'{x - 4.5:.1f},{y:.1f}">{title}</polygon>')


def bars(title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
         y_format: Callable = _fmt) -> Markup:
    """Grouped vertical bars: one group per category, one bar per series."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    y_max = _nice_max(max((v for _, values in series for v in values), default=0))
    slot = plot_w / max(len(categories), 1)
    bar_w = max(slot * 0.8 / max(len(series), 1), 1)
    body = _axis(y_max, y_format, plot_h)
    for s, (name, values) in enumerate(series):
        for i, value in enumerate(values):
            h = plot_h * value / y_max
            x = LEFT + slot * i + slot * 0.1 + bar_w * s
            body.append(f'<rect class="bar s{s}" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" '
                        f'height="{h:.1f}"><title>{escape(categories[i])} · {escape(name)}: '
                        f'{escape(y_format(value))}</title></rect>')
    body += _x_labels(categories, [LEFT + slot * (i + 0.5) for i in range(len(categories))], plot_h)
    body += _legend([name for name, _ in series], HEIGHT - 6)
    return _svg(title, body)


def line(title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
         y_max: float, y_format: Callable = _fmt, reference: tuple[float, str] | None = None) -> Markup:
    """Lines with markers (a gap where a value is None) and an optional dashed reference line."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(categories), 1)
    xs = [LEFT + step * (i + 0.5) for i in range(len(categories))]
    body = _axis(y_max, y_format, plot_h)

    def y_of(value: float) -> float:
        return TOP + plot_h - plot_h * min(value, y_max) / y_max

    if reference is not None:
        y = y_of(reference[0])
        body.append(f'<line class="reference" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                    f'<text class="reference-label" x="{WIDTH - RIGHT - 4}" y="{y - 4:.1f}" text-anchor="end">'
                    f'{escape(reference[1])}</text>')
    for s, (name, values) in enumerate(series):
        segments, current = [], []
        for x, value in zip(xs, values, strict=True):
            if value is None:
                segments, current = segments + [current] if current else segments, []
                continue
            current.append(f"{x:.1f},{y_of(value):.1f}")
            body.append(_marker(s, x, y_of(value), f"{name}: {y_format(value)}"))
        segments += [current] if current else []
        body += [f'<polyline class="line s{s}" points="{" ".join(points)}"/>' for points in segments if len(points) > 1]
    body += _x_labels(categories, xs, plot_h)
    body += _legend([name for name, _ in series] + ([reference[1]] if reference else []), HEIGHT - 6, "line")
    return _svg(title, body)


def histogram(title: str, labels: Sequence[str], counts: Sequence[int], marker_after: int | None = None,
              marker_label: str = "") -> Markup:
    """Bars per bucket with their count on top; a dashed line after bucket `marker_after` (the target)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    y_max = _nice_max(max(counts, default=0))
    slot = plot_w / max(len(labels), 1)
    body = _axis(y_max, _fmt, plot_h)
    for i, count in enumerate(counts):
        h = plot_h * count / y_max
        x = LEFT + slot * i + slot * 0.1
        late = " late" if marker_after is not None and i > marker_after else ""
        body.append(f'<rect class="bar s0{late}" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{slot * 0.8:.1f}" '
                    f'height="{h:.1f}"><title>{escape(labels[i])}: {count}</title></rect>'
                    f'<text class="value" x="{x + slot * 0.4:.1f}" y="{TOP + plot_h - h - 4:.1f}" '
                    f'text-anchor="middle">{count}</text>')
    if marker_after is not None:
        x = LEFT + slot * (marker_after + 1)
        body.append(f'<line class="reference" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}"/>'
                    f'<text class="reference-label" x="{x + 4:.1f}" y="{TOP + 12}">{escape(marker_label)}</text>')
    body += _x_labels(labels, [LEFT + slot * (i + 0.5) for i in range(len(labels))], plot_h)
    return _svg(title, body)


def stacked(title: str, rows: Sequence[tuple[str, Sequence[int]]], segment_names: Sequence[tuple[str, str]]) -> Markup:
    """Horizontal stacked bars (one per row) with a pattern per segment and the count written in it."""
    row_h, label_w = 26, 200
    height = TOP + row_h * len(rows) + 36
    total_max = max((sum(values) for _, values in rows), default=0) or 1
    plot_w = WIDTH - label_w - RIGHT - 40
    body = []
    for r, (label, values) in enumerate(rows):
        y, x = TOP + r * row_h, label_w
        body.append(f'<text class="axis" x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(label[:30])}</text>')
        for (code, name), value in zip(segment_names, values, strict=True):
            w = plot_w * value / total_max
            if value:
                body.append(f'<rect class="seg seg-{code}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 8}">'
                            f'<title>{escape(label)} · {escape(name)}: {value}</title></rect>')
                if w > 18:
                    body.append(f'<text class="seg-value" x="{x + w / 2:.1f}" y="{y + 13}" text-anchor="middle">{value}</text>')
            x += w
        body.append(f'<text class="value" x="{x + 6:.1f}" y="{y + 13}">{sum(values)}</text>')
    legend_x, legend_y = LEFT, height - 10
    for code, name in segment_names:
        body.append(f'<rect class="seg seg-{code}" x="{legend_x}" y="{legend_y - 10}" width="14" height="12"/>'
                    f'<text class="legend" x="{legend_x + 20}" y="{legend_y}">{escape(name)}</text>')
        legend_x += 34 + 7 * len(str(name))
    return _svg(title, body, height)
