"""Growth against the same period last year, stated the ways a regulator's report states it (pure).

For 25,649 complaints against 8,962: percent 186.2, ratio 2.86, and the texts "+186.2 %",
"2.86 × last year", "increased by 1.86 times" (Chinese reports: "增长1.86倍"). A fall is stated as a
percentage ("decreased by 37.5 %", "下降37.5%"): "decreased by 0.38 times" is not how anyone says it.
"""

from decimal import ROUND_HALF_UP, Decimal


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def growth(current: int, previous: int) -> dict:
    """The change from `previous` to `current`. Figures are rounded half up (186.19… → 186.2)."""
    if previous == 0:
        text = "no complaints in the same period last year"
        return {
            "percent": None,
            "ratio": None,
            "text_percent": "n/a",
            "text_ratio": "n/a",
            "text_times": text,
            "text_times_zh": "去年同期无投诉",
        }
    cur, prev = Decimal(current), Decimal(previous)
    percent = _round((cur - prev) * 100 / prev, 1)
    ratio = _round(cur / prev, 2)
    if cur > prev:
        times = _round((cur - prev) / prev, 2)
        text_times, text_zh = f"increased by {times} times", f"增长{times}倍"
    elif cur < prev:
        text_times, text_zh = f"decreased by {-percent} %", f"下降{-percent}%"
    else:
        text_times, text_zh = "unchanged", "与去年同期持平"
    sign = "+" if percent >= 0 else "-"
    return {
        "percent": float(percent),
        "ratio": float(ratio),
        "text_percent": f"{sign}{abs(percent)} %",
        "text_ratio": f"{ratio} × last year",
        "text_times": text_times,
        "text_times_zh": text_zh,
    }
