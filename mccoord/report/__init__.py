"""A self-contained HTML report of a store: scenario, top mixes, attribution, figures.

Figures are embedded as base64 PNG ``data:`` URIs, so the page is one file that works
offline. :func:`write_report` never overwrites an existing file.
"""

from .html import FIGURES, render_report, top_mixes, write_report

__all__ = ["FIGURES", "render_report", "top_mixes", "write_report"]
