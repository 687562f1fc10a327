"""Atomic writes under a concurrent reader: every read sees the whole old file or the whole new one.

Issue 17: replacing atomic_write_* by an in-place write passed every test, as they only checked the
final content. Here a reader thread reads the file in a loop while it is rewritten, many times, with
large contents of different lengths: an in-place write (truncate, then write) shows the reader an empty
or half-written file. The reader and writer meet on events, so the overlap never depends on timing.
"""
from __future__ import annotations

import threading
from pathlib import Path

from pmo_assess.io.files import atomic_write_bytes, atomic_write_text

#: Two large contents of different sizes and bytes: any mix, truncation or prefix of them is detectable.
OLD = b"o" * (3 * 1024 * 1024)
NEW = b"n" * (5 * 1024 * 1024 + 7)
WRITES = 24


def read_while_writing(path: Path, write) -> tuple[int, set[int]]:
    """Rewrite ``path`` WRITES times (alternating NEW and OLD) while a thread reads it; (reads, bad sizes seen)."""
    done, reading = threading.Event(), threading.Event()
    bad: set[int] = set()
    reads = 0

    def reader() -> None:
        nonlocal reads
        while not done.is_set():
            data = path.read_bytes()
            reads += 1
            if data != OLD and data != NEW:
                bad.add(len(data))
            reading.set()

    thread = threading.Thread(target=reader, name="torn-write-reader")
    thread.start()
    try:
        reading.wait(timeout=60)  # the reader is in its loop before the first rewrite
        for i in range(WRITES):
            write(path, NEW if i % 2 == 0 else OLD)
    finally:
        done.set()
        thread.join(timeout=60)
    return reads, bad


def test_a_reader_never_sees_a_torn_file_while_it_is_rewritten(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_bytes(OLD)
    reads, bad = read_while_writing(path, atomic_write_bytes)
    assert reads > 1
    assert not bad, f"a reader saw {len(bad)} torn version(s) of the file, of sizes {sorted(bad)[:5]}"
    assert path.read_bytes() == OLD  # the last of 24 alternating writes
    assert [p.name for p in tmp_path.iterdir()] == ["answers.csv"]  # no temp file left


def test_text_writes_are_atomic_too(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes(OLD)
    reads, bad = read_while_writing(path, lambda p, data: atomic_write_text(p, data.decode("ascii")))
    assert reads > 1 and not bad


def test_the_reader_loop_catches_an_in_place_write(tmp_path):
    """The check above can fail: the same loop against a plain truncate-and-write sees torn files."""
    path = tmp_path / "answers.csv"
    path.write_bytes(OLD)
    _, bad = read_while_writing(path, Path.write_bytes)
    assert bad
