"""Figures written to files: matplotlib without a display, and the one PNG writer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .io import atomic_path  # noqa: E402

__all__ = ["plt", "write_png", "write_svg"]


def write_png(fig, path, tight: bool = True) -> None:
    """Write a figure as a PNG (120 dpi) atomically, then close it; ``tight``: lay it out tightly first."""
    if tight:
        fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)


def write_svg(fig, path) -> None:
    """Write a figure as an SVG atomically (its text as text, so that it scales and can be inlined), then close it."""
    fig.tight_layout()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "difficulty"}), atomic_path(path) as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None})
    plt.close(fig)
