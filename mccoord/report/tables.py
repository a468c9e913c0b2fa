"""Tables of the HTML report: a DataFrame as an HTML table, numbers to four significant digits."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd


def _cell(v: object) -> str:
    if isinstance(v, float | np.floating):
        if not np.isfinite(v):
            return ""
        return "0" if abs(v) < 1e-12 else f"{v:.4g}"
    return html.escape(str(v))


def html_table(frame: pd.DataFrame, left: tuple[str, ...] = ()) -> str:
    """The rows of ``frame`` as an HTML table; the columns in ``left`` are left-aligned."""
    head = "".join(
        f'<th class="{"l" if c in left else ""}">{html.escape(str(c))}</th>' for c in frame.columns
    )
    rows = []
    for _, r in frame.iterrows():
        cells = "".join(f'<td class="{"l" if c in left else ""}">{_cell(r[c])}</td>' for c in frame.columns)
        rows.append(f"<tr>{cells}</tr>")
    return (
        f"<div class='wide'><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
