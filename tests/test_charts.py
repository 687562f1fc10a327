"""Charts legible in a document: radar names never overlap, the level scale is shown, heatmaps say names."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from pmo_assess.charts.heatmap import heatmap
from pmo_assess.charts.radar import radar_chart
from pmo_assess.io.questionnaire import load_questionnaire
from conftest import BANK

CAPABILITIES = [c.name for c in load_questionnaire(BANK).capabilities]


def drawn_text(figure) -> tuple[list, object]:
    """Every visible text artist of a drawn figure, and the renderer (to measure them)."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = [t for t in figure.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent"))
             if t.get_visible() and t.get_text().strip()]
    return texts, renderer


def overlaps(boxes) -> list[tuple[int, int]]:
    return [(i, j) for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2)
            if a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1]


@pytest.mark.parametrize("labels, key", [(["People", "Process", "Technology", "Governance"], False),
                                         (CAPABILITIES, True), (CAPABILITIES[:8], False), (CAPABILITIES, False)])
def test_radar_spoke_labels_never_overlap(labels, key):
    figure = radar_chart(labels, [2.0] * len(labels), [3.0] * len(labels), title="Unit", key=key)
    ax = figure.axes[0]
    texts, renderer = drawn_text(figure)
    spokes = [t for t in ax.get_xticklabels() if t.get_text()]
    assert len(spokes) == len(labels)
    boxes = [t.get_window_extent(renderer) for t in spokes]
    assert overlaps(boxes + [ax.get_legend().get_window_extent(renderer)]) == []  # nor the legend under the chart
    centre = ax.transData.transform((0, 0))
    radius = np.hypot(*(ax.transData.transform((np.pi / 2, 4)) - centre))
    for box in boxes:  # outside the outer ring: no name is drawn over the chart
        nearest = np.clip(centre, [box.x0, box.y0], [box.x1, box.y1])
        assert np.hypot(*(nearest - centre)) >= radius - 1
    everything = " ".join(t.get_text() for t in texts)
    assert "1 ad hoc" in everything and "4 optimizing" in everything  # the level scale is spelled out
    if key:  # numbered spokes, names in the key beside the chart
        assert [t.get_text() for t in spokes] == [str(i) for i in range(1, 19)]
        assert "18  Decision support" in everything
    else:
        assert "Governance" in everything or "Customer\norientation" in everything


def test_heatmap_labels_by_name_and_shows_the_level_scale():
    matrix = pd.DataFrame({"a": [1.2, np.nan], "b": [3.4, 2.5]}, index=["benefits-management", "automation"])
    figure = heatmap(matrix, names={"benefits-management": "Benefits management", "automation": "Automation"},
                     thresholds=(1.75, 2.5, 3.25))
    texts, _ = drawn_text(figure)
    said = [t.get_text() for t in texts]
    assert "Benefits management" in said and "benefits-management" not in said
    assert {"1 ad hoc", "2 evolving", "3 operationalizing", "4 optimizing"} <= set(said)
    assert {"1.2", "3.4", "2.5"} <= set(said) and "nan" not in " ".join(said)
    assert any("thresholds 1.75, 2.5, 3.25" in s and "grey: no score" in s for s in said)
