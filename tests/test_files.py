"""Atomic writes and round-trip YAML keep what users wrote."""
from __future__ import annotations

import os

from pmo_assess.io.files import atomic_write_text, read_yaml, write_yaml


def test_atomic_write_replaces_whole_file_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "out" / "answers.csv"
    atomic_write_text(path, "first\n")
    atomic_write_text(path, "second\n")
    assert path.read_text() == "second\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["answers.csv"]


def test_atomic_write_keeps_permissions_and_gives_new_files_normal_ones(tmp_path):
    path = tmp_path / "plan.yaml"
    atomic_write_text(path, "a: 1\n")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o640)
    atomic_write_text(path, "a: 2\n")
    assert path.stat().st_mode & 0o777 == 0o640


def test_round_trip_yaml_keeps_comments_order_and_quotes(tmp_path):
    path = tmp_path / "targets.yaml"
    text = ("# agreed with the sponsors\nquestionnaire: value-driven-pmo\nunits:\n"
            "  Retail Banking:   # the pilot\n    dimensions: {governance: 3, process: 4}\n"
            "    note: 'keep: quoted'\n")
    path.write_text(text)
    data = read_yaml(path)
    write_yaml(path, data)
    assert path.read_text() == text
    data["units"]["Retail Banking"]["dimensions"]["people"] = 2
    write_yaml(path, data)
    assert path.read_text().startswith("# agreed with the sponsors\n")
    assert "# the pilot" in path.read_text() and "people: 2" in path.read_text()


def test_write_back_keeps_a_hand_written_files_indentation(tmp_path):
    path = tmp_path / "votes.yaml"
    text = "units:\n    Retail Banking:\n        Ann: {automation: 2}\nnames:\n  - a\n  - b\n"
    path.write_text(text)
    data = read_yaml(path)
    data["units"]["Retail Banking"]["Bob"] = {"leadership": 1}
    write_yaml(path, data)
    assert path.read_text().startswith("units:\n    Retail Banking:\n        Ann: {automation: 2}\n        Bob:")


def test_write_back_keeps_a_flush_left_sequence_style(tmp_path):
    path = tmp_path / "library.yaml"
    text = "kpis:\n- id: a\n  name: A\n- id: b\n  name: B\n"
    path.write_text(text)
    write_yaml(path, read_yaml(path))
    assert path.read_text() == text
