"""Read answers (CSV, XLSX, or the per-unit YAML form) into the canonical long table, validated.

The canonical table has one row per answer and the columns of :data:`COLUMNS`, all categorical,
plus ``source`` (file) and ``row`` (row or line in that file) so every problem can be located.
Validation runs over whole columns: a problem costs work, a good row costs almost nothing.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_assess.errors import InputErrors, InputProblem, ProblemCollector
from pmo_assess.io.csv_arrow import (COLUMNS, ParsingAhead, csv_header, locate_csv_problem, normalise_column,
                                     parse_csv_table, read_csv_table_streamed)
from pmo_assess.io.files import line_of, read_yaml
from pmo_assess.io.limits import MAX_FIELD_CHARS, MAX_TABLE_BYTES, read_input_bytes
from pmo_assess.io.tables import csv_rows, duplicate_columns, formula_problem, open_xlsx, uncached_formulas
from pmo_assess.model import Questionnaire
from pmo_assess.sanitize import control_character_problem

REQUIRED_COLUMNS = ("business_unit", "respondent", "question", "answer")
OPTIONAL_COLUMNS = ("role", "comment", "questionnaire")

#: Answer status codes, as produced by :func:`answer_codes`.
COUNTED, NOT_APPLICABLE, DONT_KNOW, INVALID = 0, 1, 2, 3
#: The reserved respondent under which the workshop records the room's agreed answers.
CONSENSUS_RESPONDENT = "consensus"
NA_WORDS = {"na", "n/a"}
DK_WORDS = {"dk", ""}


def classify_answer(text: str) -> tuple[int, float, str]:
    """One answer's (status, value, problem): ``'3.0'`` → counted 3, ``'na'`` → n/a, ``'2.5'`` → invalid."""
    word = str(text).strip().lower()
    if word in NA_WORDS:
        return NOT_APPLICABLE, np.nan, ""
    if word in DK_WORDS:
        return DONT_KNOW, np.nan, ""
    try:
        number = float(word)
    except ValueError:
        return INVALID, np.nan, f"answer {text!r} is not one of 1, 2, 3, 4, na, dk or empty"
    if not math.isfinite(number) or number != int(number):
        return INVALID, np.nan, f"answer {text!r} is not a whole number (levels are 1, 2, 3, 4)"
    if not 1 <= number <= 4:
        return INVALID, np.nan, f"answer {text!r} is outside the levels 1-4"
    return COUNTED, float(number), ""


def answer_code_tables(answers: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's code, and per code its status and value (NaN unless counted): each distinct text is classified
    once, and the last entry of both tables stands for a missing answer (code -1, "don't know")."""
    cat = answers if isinstance(answers.dtype, pd.CategoricalDtype) else answers.astype("category")
    classified = [classify_answer(c) for c in cat.cat.categories]
    status = np.array([c[0] for c in classified] + [DONT_KNOW], dtype=np.int8)
    values = np.array([c[1] for c in classified] + [np.nan], dtype=np.float64)
    return cat.cat.codes.to_numpy(), status, values


def answer_codes(answers: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Status codes and values (NaN unless counted) for a whole column, classifying each distinct text once."""
    codes, status, values = answer_code_tables(answers)
    return status[codes], values[codes]


def constant_column(value: str, length: int) -> pd.Categorical:
    """A categorical column holding one value in every row (cheap for millions of rows)."""
    return pd.Categorical.from_codes(np.zeros(length, dtype=np.int8), categories=[value])


def _categorical(values: pd.Series) -> pd.Series:
    """Strip surrounding blanks from a text column and make it categorical (cheap: per distinct value)."""
    cat = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    categories = cat.cat.categories
    stripped = pd.Index([str(c).strip() for c in categories])
    if not stripped.equals(pd.Index(categories.astype(str))) or not stripped.is_unique:
        cat = pd.Categorical(stripped.to_numpy()[cat.cat.codes.to_numpy()])
        cat = pd.Series(cat, index=values.index)
    return cat.cat.add_categories([""]).fillna("") if cat.isna().any() else cat


def _read_csv(path: Path, ahead: ParsingAhead | None = None) -> pd.DataFrame:
    """A CSV answers file as categorical text columns plus ``row`` (its table taken from ``ahead`` when parsed there).

    A regular file within the size limit and without blank lines is parsed straight from disk, with no
    copy of the whole file in memory and no scan for row numbers; every other file, and every problem,
    takes the path through the file's bytes, which counts blank lines and finds the rows to name.
    """
    import pyarrow as pa

    table = ahead.table(path) if ahead is not None and ahead.covers(path) else read_csv_table_streamed(path)
    try:
        frame = table.to_pandas() if table is not None else None
    except (pa.ArrowException, UnicodeDecodeError):  # the path through the bytes says what is wrong
        frame = None
    if frame is not None and not _has_empty_records(frame):  # then data record i sits on row i + 2
        frame["row"] = np.arange(2, len(frame) + 2, dtype=np.int64)
        return frame
    return _read_csv_bytes(path, read_input_bytes(path, MAX_TABLE_BYTES, "CSV file"))


def _read_csv_bytes(path: Path, raw: bytes) -> pd.DataFrame:
    """The answers of a CSV file's bytes, rows counted as a spreadsheet does (blank lines included)."""
    import pyarrow as pa

    delimiter, header = csv_header(path, raw)
    try:
        # Parallel parsing first; a quoted comment spanning lines needs the slower serial mode.
        try:
            frame = parse_csv_table(pa.py_buffer(raw), delimiter, header).to_pandas()
        except (pa.ArrowInvalid, UnicodeDecodeError):
            frame = parse_csv_table(pa.py_buffer(raw), delimiter, header, newlines_in_values=True).to_pandas()
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:  # UnicodeDecodeError: a column title that is not UTF-8
        raise InputErrors(locate_csv_problem(path, raw, delimiter, exc)) from None
    frame["row"] = _record_rows(path, raw, delimiter, len(frame))
    return frame


def _has_empty_records(frame: pd.DataFrame) -> bool:
    """True when some record has every field empty (a blank line, or a line of bare delimiters)."""
    empty = None
    for position in range(frame.shape[1]):  # by position: two untitled columns share the name ''
        column = frame.iloc[:, position]
        categories = column.cat.categories
        if "" not in categories:
            return False
        hit = column.cat.codes.to_numpy() == categories.get_loc("")
        empty = hit if empty is None else empty & hit
    return empty is not None and bool(empty.any())


def _record_rows(path: Path, raw: bytes, delimiter: str, count: int) -> np.ndarray:
    """The spreadsheet row of each data record: blank lines (skipped by the fast reader) still count as rows."""
    if b"\n\n" not in raw and b"\n\r\n" not in raw:
        return np.arange(2, count + 2, dtype=np.int64)
    records = csv_rows(path, raw.decode("utf-8-sig"), delimiter)
    rows = [number for number, (_, fields) in enumerate(records, start=1) if fields and number > 1]
    return np.asarray(rows, dtype=np.int64) if len(rows) == count else np.arange(2, count + 2, dtype=np.int64)


def _read_xlsx(path: Path) -> pd.DataFrame:
    workbook = open_xlsx(path, data_only=True)
    sheet = workbook["answers"] if "answers" in workbook.sheetnames else workbook.worksheets[0]
    formulas = uncached_formulas(path, sheet)
    if formulas:
        workbook.close()
        raise InputErrors([formula_problem(path, sheet.title, formulas)])
    rows = sheet.iter_rows(values_only=True)
    header = [str(h) if h is not None else "" for h in next(rows, ())]
    duplicates = duplicate_columns(path, header, normalise_column, sheet.title)
    if duplicates:
        workbook.close()
        raise InputErrors(duplicates)
    records = []
    for row in rows:
        if row and any(v is not None and str(v).strip() for v in row):
            records.append(["" if v is None else _cell_text(v) for v in row[: len(header)]])
        else:
            records.append(None)
    workbook.close()
    numbers = [i + 2 for i, r in enumerate(records) if r is not None]
    frame = pd.DataFrame([r for r in records if r is not None], columns=header, dtype="category")
    frame["row"] = np.asarray(numbers, dtype=np.int64)
    frame.attrs["sheet"] = sheet.title
    return frame


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _scalar_text(value: object) -> str | None:
    """A YAML scalar as text (``3.0`` → ``'3'``, None → ``''``); None for a list or mapping."""
    if value is None:
        return ""
    if isinstance(value, (list, dict, set, tuple)):
        return None
    return _cell_text(value)


def _read_yaml_form(path: Path) -> pd.DataFrame:
    data = read_yaml(path)
    problems = ProblemCollector(path)
    if not isinstance(data, dict) or not isinstance(data.get("respondents"), list):
        problems.add("", "an answers YAML file needs business_unit and a respondents list")
        problems.raise_if_any()
    unit = _scalar_text(data.get("business_unit"))
    if unit is None:
        problems.add(f"business_unit (line {line_of(data, 'business_unit')})", "must be text, not a list or mapping")
        problems.raise_if_any()
    unit = unit.strip()
    if not unit:
        problems.add("business_unit", "missing or empty")
    records = []
    for i, resp in enumerate(data["respondents"]):
        place = f"respondents[{i}] (line {line_of(data['respondents'], i)})"
        if not isinstance(resp, dict):
            problems.add(place, "must be a mapping with id, role, answers")
            continue
        rid, role = _scalar_text(resp.get("id")), _scalar_text(resp.get("role"))
        answers = resp.get("answers") or {}
        comments = resp.get("comments") or {}
        if rid is None or role is None:
            problems.add(place, "id and role must be text, not a list or mapping")
            continue
        rid = rid.strip()
        if not rid:
            problems.add(place, "respondent id is missing")
        if not isinstance(answers, dict) or not isinstance(comments, dict):
            problems.add(place, "answers and comments must be mappings of question id to value")
            continue
        for kind, node in (("answers", answers), ("comments", comments)):
            for qid, value in node.items():
                if _scalar_text(qid) is None or _scalar_text(value) is None:
                    problems.add(f"{place}.{kind} (line {line_of(node, qid)})",
                                 "question ids and their values must be text or numbers, not lists or mappings")
        if problems:
            continue
        for qid in comments:
            if qid not in answers:
                records.append((unit, rid, role, str(qid), "", _scalar_text(comments[qid]), line_of(comments, qid)))
        for qid, value in answers.items():
            records.append((unit, rid, role, str(qid), _scalar_text(value), _scalar_text(comments.get(qid)),
                            line_of(answers, qid)))
    problems.raise_if_any()
    frame = pd.DataFrame(records, columns=[*COLUMNS, "row"])
    for column in COLUMNS:
        frame[column] = frame[column].astype(str).astype("category")
    frame["row"] = frame["row"].fillna(0).astype(np.int64)
    if data.get("questionnaire") is not None:
        questionnaire = _scalar_text(data["questionnaire"])
        if questionnaire is None:
            problems.add(f"questionnaire (line {line_of(data, 'questionnaire')})", "must be text (an id)")
            problems.raise_if_any()
        frame["questionnaire"] = constant_column(questionnaire, len(frame))
    frame.attrs["row_word"] = "line"
    return frame


READERS = {".csv": _read_csv, ".txt": _read_csv, ".xlsx": _read_xlsx, ".xlsm": _read_xlsx,
           ".yaml": _read_yaml_form, ".yml": _read_yaml_form}


def read_answer_file(path: str | Path, ahead: ParsingAhead | None = None) -> pd.DataFrame:
    """One answers file as the canonical columns (categorical) plus ``source`` and ``row``; unvalidated values.

    ``ahead``: CSV files already being parsed in the background (:func:`~pmo_assess.io.csv_arrow.start_parsing`).
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputErrors([InputProblem(str(path), "", f"unknown answers format {path.suffix!r}; "
                                        f"use {', '.join(sorted(READERS))}")])
    if not path.exists():
        raise InputErrors([InputProblem(str(path), "", "file not found")])
    frame = _read_csv(path, ahead) if ahead is not None and ahead.covers(path) else reader(path)
    row_word = frame.attrs.get("row_word", "row")
    frame = frame.rename(columns={c: normalise_column(c) for c in frame.columns if c != "row"})
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputErrors([InputProblem(str(path), "header", f"missing column(s) {', '.join(missing)}; "
                                        f"expected {', '.join(COLUMNS)}")])
    for column in ("role", "comment"):
        if column not in frame.columns:
            frame[column] = constant_column("", len(frame))
    keep = [*COLUMNS, *(["questionnaire"] if "questionnaire" in frame.columns else []), "row"]
    frame = frame[keep]  # a new frame (copy-on-write): the columns set below leave the reader's alone
    for column in keep[:-1]:
        frame[column] = _categorical(frame[column])
    frame["source"] = constant_column(str(path), len(frame))
    frame.attrs["source"] = str(path)
    frame.attrs["row_word"] = row_word
    long_fields = [p for column in keep[:-1] for p in _problems_by_category(frame, column, {
        c: f"{column} is {len(c):,} characters long; a field may hold at most {MAX_FIELD_CHARS:,} "
           f"({MAX_FIELD_CHARS // 1024} KiB)" for c in frame[column].cat.categories if len(c) > MAX_FIELD_CHARS})]
    if long_fields:
        raise InputErrors(long_fields)
    return frame


def combine_answer_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack canonical answer tables from several files, keeping every text column categorical."""
    if len(frames) == 1:
        return frames[0]
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    combined = {}
    for column in columns:
        parts = [f[column] if column in f.columns else pd.Series(constant_column("", len(f)))
                 for f in frames]
        if column == "row":
            combined[column] = np.concatenate([p.to_numpy() for p in parts])
        else:
            combined[column] = pd.api.types.union_categoricals(
                [p.astype("category") for p in parts], ignore_order=True)
    result = pd.DataFrame(combined)
    result.attrs["row_word"] = frames[0].attrs.get("row_word", "row")
    return result


def read_answers(paths: list[str | Path] | str | Path, questionnaire: Questionnaire | None = None,
                 ahead: ParsingAhead | None = None) -> pd.DataFrame:
    """Read and validate answer files into one canonical table; raises InputErrors listing every problem.

    ``ahead``: the CSV files among ``paths`` already being parsed in the background: their tables are taken
    from there (a file named twice is parsed again the second time).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    frames, problems = [], []
    for path in paths:
        try:
            frame = read_answer_file(path, ahead)
        except InputErrors as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(validate_answers(frame, questionnaire))
        frames.append(frame)
    if frames:
        combined = combine_answer_frames(frames)
        problems.extend(duplicate_problems(combined))
    if problems:
        raise InputErrors(sorted(problems, key=_problem_order))
    if not frames:
        return pd.DataFrame({c: pd.Categorical([]) for c in COLUMNS})
    return combined


#: Rows named for one problem before the rest are counted ("rows 2, 5, 9 and 40 more").
ROWS_NAMED = 5


def _rows_text(word: str, rows: list[int]) -> str:
    named = ", ".join(str(r) for r in rows[:ROWS_NAMED])
    more = f" and {len(rows) - ROWS_NAMED} more" if len(rows) > ROWS_NAMED else ""
    return f"{word}{'s' if len(rows) > 1 else ''} {named}{more}"


def _place(frame: pd.DataFrame, positions: np.ndarray) -> list[str]:
    word = frame.attrs.get("row_word", "row")
    rows = frame["row"].to_numpy()[positions]
    return [f"{word} {r}" for r in rows]


def _problems_by_category(frame: pd.DataFrame, column: str, bad: dict[str, str]) -> list[InputProblem]:
    """One problem per bad value of ``column`` (value → message) and file, naming the rows that hold it.

    Costs O(rows + bad values): the rows holding any bad value are picked in one pass and grouped by a
    single stable sort, so a file where every row is wrong in its own way is still reported quickly.
    """
    if not bad:
        return []
    cat = frame[column].cat
    position_of = {value: index for index, value in enumerate(cat.categories)}
    bad_codes = np.array(sorted(position_of[v] for v in bad if v in position_of), dtype=np.int64)
    if not len(bad_codes):
        return []
    codes = cat.codes.to_numpy().astype(np.int64)
    is_bad = np.zeros(len(cat.categories) + 1, dtype=bool)
    is_bad[bad_codes] = True
    positions = np.flatnonzero(is_bad[codes])  # code -1 (missing) looks at the trailing False
    if not len(positions):  # bad values only among another unit's rows (categories shared by a split frame)
        return []
    sources = frame["source"].cat.codes.to_numpy().astype(np.int64)[positions]
    order = np.lexsort((positions, sources, codes[positions]))  # by value, then file, then row
    positions, sources, held = positions[order], sources[order], codes[positions][order]
    starts = np.flatnonzero(np.r_[True, (held[1:] != held[:-1]) | (sources[1:] != sources[:-1])])
    ends = np.r_[starts[1:], len(positions)]
    word = frame.attrs.get("row_word", "row")
    rows = frame["row"].to_numpy()
    categories, source_names = cat.categories.tolist(), frame["source"].cat.categories.tolist()
    return [InputProblem(str(source_names[sources[a]]), _rows_text(word, rows[positions[a:b]].tolist()),
                         bad[categories[held[a]]])
            for a, b in zip(starts, ends)]


def _problem_order(problem: InputProblem) -> tuple[str, int]:
    """Problems sorted by file, then by the first row or line they name."""
    number = re.search(r"\d+", problem.place)
    return problem.file, int(number.group()) if number else 0


def validate_answers(frame: pd.DataFrame, questionnaire: Questionnaire | None) -> list[InputProblem]:
    """Every problem in one file's canonical table: empty keys, bad answers, unknown questions and roles."""
    problems: list[InputProblem] = []
    if len(frame) == 0:
        return [InputProblem(frame.attrs["source"], "", "no answer rows (only a header)")]
    for column in ("business_unit", "respondent", "question"):
        problems += _problems_by_category(frame, column, {"": f"{column} is empty"})
    for column in ("business_unit", "respondent", "role", "question"):
        problems += _problems_by_category(frame, column, {
            c: message for c in frame[column].cat.categories
            if (message := control_character_problem(c, column))})
    bad_answers = {}
    for text in frame["answer"].cat.categories:
        status, _, message = classify_answer(text)
        if status == INVALID:
            bad_answers[text] = message
    problems += _problems_by_category(frame, "answer", bad_answers)
    if questionnaire is None:
        return problems
    if "questionnaire" in frame.columns:
        problems += _problems_by_category(frame, "questionnaire", {
            c: f"answers are for questionnaire {c!r}, not {questionnaire.id!r}"
            for c in frame["questionnaire"].cat.categories if c and c != questionnaire.id})
    known = questionnaire.question_index
    problems += _problems_by_category(frame, "question", {
        c: f"unknown question id {c!r} (not in questionnaire {questionnaire.id!r})"
        for c in frame["question"].cat.categories if c and c not in known})
    if questionnaire.roles:
        roles = questionnaire.role_weights
        problems += _problems_by_category(frame, "role", {
            c: f"role {c!r} is not defined by the questionnaire (roles: {', '.join(roles)})"
            for c in frame["role"].cat.categories if c and c not in roles})
    problems += _role_conflicts(frame)
    return problems


def run_starts(*columns: np.ndarray) -> np.ndarray:
    """The rows where a run begins: a row that differs from the one before in any of the (equally long) columns."""
    if not len(columns[0]):
        return np.array([], dtype=np.int64)
    changed = columns[0][1:] != columns[0][:-1]
    for column in columns[1:]:
        changed |= column[1:] != column[:-1]
    return np.flatnonzero(np.r_[True, changed])


def factorize_runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes numbered in order of first appearance, the key each code stands for and the row where it first
    appears. Only the first key of each run of equal keys is hashed: answer files keep a unit's and a
    respondent's rows together, so there are few runs, but any order gives the same codes."""
    if not len(keys):
        return np.array([], dtype=np.int64), keys[:0], np.array([], dtype=np.int64)
    starts = run_starts(keys)
    run_codes, uniques = pd.factorize(keys[starts])
    codes = np.repeat(run_codes.astype(np.int64, copy=False), np.diff(np.r_[starts, len(keys)]))
    first_runs = np.flatnonzero(np.r_[True, np.diff(np.maximum.accumulate(run_codes)) != 0])
    return codes, uniques, starts[first_runs]


def _respondent_keys(frame: pd.DataFrame) -> np.ndarray:
    """One integer per (unit, respondent) pair, built in place from the small category codes."""
    people = frame["respondent"].cat
    keys = np.multiply(frame["business_unit"].cat.codes.to_numpy(), len(people.categories) + 1, dtype=np.int64)
    keys += people.codes.to_numpy()
    return keys


def _role_conflicts(frame: pd.DataFrame) -> list[InputProblem]:
    """A respondent must keep one role within a unit; name the first row that disagrees."""
    keys = _respondent_keys(frame)
    roles = frame["role"].cat.codes.to_numpy()
    respondent, _, first_rows = factorize_runs(keys)
    first_role = roles[first_rows][respondent]
    positions = np.flatnonzero(first_role != roles)
    if not len(positions):
        return []
    categories = frame["role"].cat.categories.tolist()
    texts = {c: _texts_at(frame, c, positions) for c in ("source", "respondent", "business_unit")}
    seen, problems = set(), []
    for i, (pos, place) in enumerate(zip(positions.tolist(), _place(frame, positions))):
        if keys[pos] in seen:
            continue
        seen.add(keys[pos])
        problems.append(InputProblem(
            texts["source"][i], place,
            f"respondent {texts['respondent'][i]!r} of {texts['business_unit'][i]!r} has role "
            f"{categories[roles[pos]]!r} here but {categories[first_role[pos]]!r} on an earlier row"))
    return problems


#: Largest key for which duplicates are found by counting (an array this long) rather than hashing.
DENSE_KEY_LIMIT = 50_000_000


def duplicate_problems(frame: pd.DataFrame) -> list[InputProblem]:
    """Rows answering the same question twice for the same respondent of a unit (across all files)."""
    keys = _respondent_keys(frame)
    keys *= len(frame["question"].cat.categories) + 1
    keys += frame["question"].cat.codes.to_numpy()
    if keys.max(initial=0) < DENSE_KEY_LIMIT:  # counting beats hashing when the keys are dense
        counts = np.bincount(keys)
        if counts.max(initial=0) < 2:
            return []
        duplicated = counts[keys] > 1
    else:
        duplicated = pd.Series(keys).duplicated(keep=False).to_numpy()
        if not duplicated.any():
            return []
    positions = np.flatnonzero(duplicated)
    first: dict[int, str] = {}
    problems = []
    texts = {c: _texts_at(frame, c, positions) for c in ("source", "respondent", "business_unit", "question")}
    for i, (pos, place) in enumerate(zip(positions.tolist(), _place(frame, positions))):
        where = f"{texts['source'][i]} {place}"
        key = int(keys[pos])
        if key not in first:
            first[key] = where
            continue
        problems.append(InputProblem(
            texts["source"][i], place,
            f"duplicate answer: respondent {texts['respondent'][i]!r} of "
            f"{texts['business_unit'][i]!r} already answered {texts['question'][i]!r} at {first[key]}"))
    return problems


def _texts_at(frame: pd.DataFrame, column: str, positions: np.ndarray) -> list[str]:
    """The texts of a categorical column at ``positions``, as plain strings (no per-row pandas lookups)."""
    categories = frame[column].cat.categories.tolist()
    return [str(categories[c]) for c in frame[column].cat.codes.to_numpy()[positions].tolist()]
