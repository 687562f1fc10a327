"""Read answers (CSV, XLSX, or the per-unit YAML form) into the canonical long table, validated.

The canonical table has one row per answer and the columns of :data:`COLUMNS`, all categorical,
plus ``source`` (file) and ``row`` (row or line in that file) so every problem can be located.
Validation runs over whole columns: a problem costs work, a good row costs almost nothing.
"""
from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_assess.errors import InputErrors, InputProblem, ProblemCollector
from pmo_assess.io.files import line_of, read_yaml
from pmo_assess.model import Questionnaire

COLUMNS = ("business_unit", "respondent", "role", "question", "answer", "comment")
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


def answer_codes(answers: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Status codes and values (NaN unless counted) for a whole column, classifying each distinct text once."""
    cat = answers if isinstance(answers.dtype, pd.CategoricalDtype) else answers.astype("category")
    classified = [classify_answer(c) for c in cat.cat.categories]
    status = np.array([c[0] for c in classified] + [DONT_KNOW], dtype=np.int8)
    values = np.array([c[1] for c in classified] + [np.nan], dtype=np.float64)
    codes = cat.cat.codes.to_numpy()  # -1 (missing) picks the trailing "don't know" entry
    return status[codes], values[codes]


def constant_column(value: str, length: int) -> pd.Categorical:
    """A categorical column holding one value in every row (cheap for millions of rows)."""
    return pd.Categorical.from_codes(np.zeros(length, dtype=np.int8), categories=[value])


def _normalise_column(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _categorical(values: pd.Series) -> pd.Series:
    """Strip surrounding blanks from a text column and make it categorical (cheap: per distinct value)."""
    cat = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    categories = cat.cat.categories
    stripped = pd.Index([str(c).strip() for c in categories])
    if not stripped.equals(pd.Index(categories.astype(str))) or not stripped.is_unique:
        cat = pd.Categorical(stripped.to_numpy()[cat.cat.codes.to_numpy()])
        cat = pd.Series(cat, index=values.index)
    return cat.cat.add_categories([""]).fillna("") if cat.isna().any() else cat


def _read_csv(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    raw = path.read_bytes()
    try:
        header_line = raw[: raw.find(b"\n")].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputErrors(_locate_csv_problem(path, raw, ",", None)) from None
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = next(csv.reader([header_line], delimiter=delimiter), [])
    text_type = pa.dictionary(pa.int32(), pa.string())
    convert = pacsv.ConvertOptions(column_types={name: text_type for name in header}, strings_can_be_null=False)
    try:
        # Parallel parsing first; a quoted comment spanning lines needs the slower serial mode.
        table = pacsv.read_csv(pa.py_buffer(raw), convert_options=convert,
                               parse_options=pacsv.ParseOptions(delimiter=delimiter))
    except pa.ArrowInvalid:
        try:
            table = pacsv.read_csv(pa.py_buffer(raw), convert_options=convert,
                                   parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True))
        except pa.ArrowInvalid as exc:
            raise InputErrors(_locate_csv_problem(path, raw, delimiter, exc)) from None
    frame = table.to_pandas()
    frame["row"] = np.arange(2, len(frame) + 2, dtype=np.int64)
    return frame


def _locate_csv_problem(path: Path, raw: bytes, delimiter: str, exc: Exception | None) -> list[InputProblem]:
    """Find the rows that broke the fast reader (bad encoding, wrong field count), so the message names them."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return [InputProblem(str(path), f"row {line}", "is not UTF-8 text; save the file as CSV UTF-8 "
                             "(Excel: File > Save As > CSV UTF-8)")]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    bad = [InputProblem(str(path), f"row {number}", f"has {len(r)} fields, the header has {len(header)}")
           for number, r in enumerate(reader, start=2) if r and len(r) != len(header)]
    return bad or [InputProblem(str(path), "", f"cannot be read as CSV: {exc}")]


def _read_xlsx(path: Path) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    from zipfile import BadZipFile

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError) as exc:
        raise InputErrors([InputProblem(str(path), "", f"cannot be opened as an Excel workbook: {exc}")]) from None
    sheet = workbook["answers"] if "answers" in workbook.sheetnames else workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h) if h is not None else "" for h in next(rows, ())]
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


def _read_yaml_form(path: Path) -> pd.DataFrame:
    data = read_yaml(path)
    problems = ProblemCollector(path)
    if not isinstance(data, dict) or not isinstance(data.get("respondents"), list):
        problems.add("", "an answers YAML file needs business_unit and a respondents list")
        problems.raise_if_any()
    unit = str(data.get("business_unit") or "").strip()
    if not unit:
        problems.add("business_unit", "missing or empty")
    records = []
    for i, resp in enumerate(data["respondents"]):
        place = f"respondents[{i}] (line {line_of(data['respondents'], i)})"
        if not isinstance(resp, dict):
            problems.add(place, "must be a mapping with id, role, answers")
            continue
        rid = str(resp.get("id") or "").strip()
        if not rid:
            problems.add(place, "respondent id is missing")
        answers = resp.get("answers") or {}
        comments = resp.get("comments") or {}
        if not isinstance(answers, dict) or not isinstance(comments, dict):
            problems.add(place, "answers and comments must be mappings of question id to value")
            continue
        for qid in comments:
            if qid not in answers:
                answers_line = line_of(comments, qid)
                records.append((unit, rid, resp.get("role") or "", str(qid), "",
                                str(comments[qid] or ""), answers_line))
        for qid, value in answers.items():
            records.append((unit, rid, resp.get("role") or "", str(qid),
                            "" if value is None else _cell_text(value),
                            str(comments.get(qid) or ""), line_of(answers, qid)))
    problems.raise_if_any()
    frame = pd.DataFrame(records, columns=[*COLUMNS, "row"])
    for column in COLUMNS:
        frame[column] = frame[column].astype(str).astype("category")
    frame["row"] = frame["row"].fillna(0).astype(np.int64)
    if data.get("questionnaire") is not None:
        frame["questionnaire"] = constant_column(str(data["questionnaire"]), len(frame))
    frame.attrs["row_word"] = "line"
    return frame


READERS = {".csv": _read_csv, ".txt": _read_csv, ".xlsx": _read_xlsx, ".xlsm": _read_xlsx,
           ".yaml": _read_yaml_form, ".yml": _read_yaml_form}


def read_answer_file(path: str | Path) -> pd.DataFrame:
    """One answers file as the canonical columns (categorical) plus ``source`` and ``row``; unvalidated values."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputErrors([InputProblem(str(path), "", f"unknown answers format {path.suffix!r}; "
                                        f"use {', '.join(sorted(READERS))}")])
    if not path.exists():
        raise InputErrors([InputProblem(str(path), "", "file not found")])
    frame = reader(path)
    row_word = frame.attrs.get("row_word", "row")
    frame = frame.rename(columns={c: _normalise_column(c) for c in frame.columns if c != "row"})
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputErrors([InputProblem(str(path), "header", f"missing column(s) {', '.join(missing)}; "
                                        f"expected {', '.join(COLUMNS)}")])
    for column in ("role", "comment"):
        if column not in frame.columns:
            frame[column] = constant_column("", len(frame))
    keep = [*COLUMNS, *(["questionnaire"] if "questionnaire" in frame.columns else []), "row"]
    frame = frame[keep].copy()
    for column in keep[:-1]:
        frame[column] = _categorical(frame[column])
    frame["source"] = constant_column(str(path), len(frame))
    frame.attrs["source"] = str(path)
    frame.attrs["row_word"] = row_word
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


def read_answers(paths: list[str | Path] | str | Path, questionnaire: Questionnaire | None = None) -> pd.DataFrame:
    """Read and validate answer files into one canonical table; raises InputErrors listing every problem."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    frames, problems = [], []
    for path in paths:
        try:
            frame = read_answer_file(path)
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
    """One problem per bad value of ``column`` (value → message), naming the rows that hold it."""
    if not bad:
        return []
    cat = frame[column].cat
    categories = list(cat.categories)
    codes = cat.codes.to_numpy()
    word = frame.attrs.get("row_word", "row")
    rows = frame["row"].to_numpy()
    sources = frame["source"].cat.codes.to_numpy()
    source_names = frame["source"].cat.categories
    problems = []
    for value, message in bad.items():
        if value not in categories:
            continue
        positions = np.flatnonzero(codes == categories.index(value))
        for source in np.unique(sources[positions]):
            in_source = positions[sources[positions] == source]
            problems.append(InputProblem(str(source_names[source]),
                                         _rows_text(word, rows[in_source].tolist()), message))
    return problems


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


def _respondent_keys(frame: pd.DataFrame) -> np.ndarray:
    units = frame["business_unit"].cat.codes.to_numpy().astype(np.int64)
    people = frame["respondent"].cat.codes.to_numpy().astype(np.int64)
    return units * (len(frame["respondent"].cat.categories) + 1) + people


def _role_conflicts(frame: pd.DataFrame) -> list[InputProblem]:
    """A respondent must keep one role within a unit; name the first row that disagrees."""
    keys = _respondent_keys(frame)
    roles = frame["role"].cat.codes.to_numpy()
    pair = pd.DataFrame({"key": keys, "role": roles})
    first_role = pair.groupby("key", sort=False)["role"].transform("first").to_numpy()
    positions = np.flatnonzero(first_role != roles)
    if not len(positions):
        return []
    categories = frame["role"].cat.categories.to_numpy()
    seen, problems = set(), []
    for pos, place in zip(positions, _place(frame, positions)):
        if keys[pos] in seen:
            continue
        seen.add(keys[pos])
        problems.append(InputProblem(
            str(frame["source"].iloc[pos]), place,
            f"respondent {frame['respondent'].iloc[pos]!r} of {frame['business_unit'].iloc[pos]!r} has role "
            f"{categories[roles[pos]]!r} here but {categories[first_role[pos]]!r} on an earlier row"))
    return problems


#: Largest key for which duplicates are found by counting (an array this long) rather than hashing.
DENSE_KEY_LIMIT = 50_000_000


def duplicate_problems(frame: pd.DataFrame) -> list[InputProblem]:
    """Rows answering the same question twice for the same respondent of a unit (across all files)."""
    keys = _respondent_keys(frame) * (len(frame["question"].cat.categories) + 1) \
        + frame["question"].cat.codes.to_numpy()
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
    sources = frame["source"].to_numpy()
    for pos, place in zip(positions, _place(frame, positions)):
        where = f"{sources[pos]} {place}"
        if keys[pos] not in first:
            first[keys[pos]] = where
            continue
        problems.append(InputProblem(
            str(sources[pos]), place,
            f"duplicate answer: respondent {frame['respondent'].iloc[pos]!r} of "
            f"{frame['business_unit'].iloc[pos]!r} already answered {frame['question'].iloc[pos]!r} "
            f"at {first[keys[pos]]}"))
    return problems
