"""The error of one report format, so that a batch fails that unit only."""
from __future__ import annotations


class ReportFormatError(Exception):
    """A report format (html, pdf or pptx) could not be written; ``message`` says why and what to do."""

    def __init__(self, format: str, message: str):
        super().__init__(format, message)
        self.format = format
        self.message = message

    def __str__(self) -> str:
        return f"{self.format}: {self.message}"
