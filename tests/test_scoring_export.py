"""The scores@1 JSON text, written unit by unit for speed, is exactly the dumped scores@1 object."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from pmo_assess.export.scores import scores_to_dict, scores_to_json
from pmo_assess.io.answers import read_answers
from pmo_assess.io.questionnaire import load_questionnaire
from pmo_assess.io.targets import load_targets
from pmo_assess.rounds.round_info import RoundInfo
from pmo_assess.scoring import compute_gaps, score_answers
from conftest import BANK, EXAMPLES


@pytest.fixture(scope="module")
def bundled():
    bank = load_questionnaire(BANK)
    scores = score_answers(read_answers(sorted((EXAMPLES / "answers").glob("*.csv")), bank), bank)
    return scores, compute_gaps(scores, load_targets(EXAMPLES / "targets.yaml", bank))


@pytest.mark.parametrize("with_gaps", [False, True])
@pytest.mark.parametrize("units", [None, [3, 0], []])
@pytest.mark.parametrize("round_info", [None, RoundInfo("2026-Q4", dt.date(2026, 11, 2))])
def test_json_text_is_the_dumped_object(bundled, with_gaps, units, round_info):
    scores, gaps = bundled
    gaps = gaps if with_gaps else None
    text = scores_to_json(scores, gaps, units, round_info=round_info)
    document = scores_to_dict(scores, gaps, units, round_info=round_info)
    # one line, compact separators, non-ASCII kept as is: the format scores@1 files have always had
    assert text == json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert [u["business_unit"] for u in json.loads(text)["units"]] == \
        [scores.units[u] for u in (range(len(scores.units)) if units is None else units)]
