"""io/files: the YAML a new file gets, the indentation a hand-written file keeps, and the lines messages name.

Added for issue 17 from the mutation run's survivors in pmo_assess/io/files.py (benchmarks/mutation.py
--generated --only io/files): each test fails on one of the changes that every test used to let through.
"""
from __future__ import annotations

import pytest

from pmo_assess.errors import InputErrors
from pmo_assess.io.files import line_of, read_yaml, write_yaml


def test_a_new_yaml_file_gets_the_house_style(tmp_path):
    # mappings indented by 2, list dashes indented by 2 under their key (ruamel: sequence=4, offset=2)
    path = tmp_path / "new.yaml"
    write_yaml(path, {"units": {"Retail": {"owners": ["Ana", "Ben"]}}})
    assert path.read_text() == "units:\n  Retail:\n    owners:\n      - Ana\n      - Ben\n"


@pytest.mark.parametrize("text, key, value, expected", [
    # the file shows its dash offset (0) but no nested mapping: new mappings are indented by 2
    ("kpis:\n- a\n- b\n", "owners", {"Retail": "Ana"}, "kpis:\n- a\n- b\nowners:\n  Retail: Ana\n"),
    # the file shows 4-space mappings but no list: a new list gets dashes 2 in from its key
    ("units:\n    Retail:\n        people: 3\n", "names", ["a"],
     "units:\n    Retail:\n        people: 3\nnames:\n  - a\n"),
])
def test_what_a_file_does_not_show_gets_the_house_style(tmp_path, text, key, value, expected):
    path = tmp_path / "edited.yaml"
    path.write_text(text)
    data = read_yaml(path)
    data[key] = value
    write_yaml(path, data)
    assert path.read_text() == expected


def test_a_one_space_indent_is_kept(tmp_path):
    path = tmp_path / "terse.yaml"
    path.write_text("units:\n Retail:\n  people: 3\n")
    data = read_yaml(path)
    data["units"]["Retail"]["process"] = 2
    write_yaml(path, data)
    assert path.read_text() == "units:\n Retail:\n  people: 3\n  process: 2\n"


def test_an_empty_key_before_an_indented_block_does_not_hide_the_indent(tmp_path):
    # "notes:" with no value is followed by a sibling (a step of 0): the 4-space step below is the indent
    path = tmp_path / "plan.yaml"
    path.write_text("notes:\nunits:\n    Retail:\n        people: 3\n")
    data = read_yaml(path)
    data["units"]["Retail"]["process"] = 2
    write_yaml(path, data)
    assert path.read_text() == "notes:\nunits:\n    Retail:\n        people: 3\n        process: 2\n"


def test_an_impossible_date_is_named_with_its_line(tmp_path):
    path = tmp_path / "round.yaml"
    path.write_text("label: Q1\n# assessed on\nassessed_on: 2027-02-30\n")  # February has no 30th: line 3
    with pytest.raises(InputErrors) as raised:
        read_yaml(path)
    assert "line 3 (2027-02-30)" in raised.value.render()


def test_line_of_names_a_keys_line_and_falls_back_to_its_mappings_first_line(tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text("a: 1\nunits:\n  Retail: 3\n  Bank: 4\nnames:\n  - x\n  - y\n")
    data = read_yaml(path)
    assert line_of(data["units"], "Bank") == 4  # "  Bank: 4" is the 4th line
    assert line_of(data["units"], "Missing") == 3  # no such key: the mapping's first line ("  Retail: 3")
    assert line_of(data["names"], 1) == 7 and line_of(data["names"], 5) == 6  # item 1 is "  - y"; no item 5
    assert line_of({"a": 1}, "a") is None  # a plain dict has no lines
