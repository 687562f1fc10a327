"""The workshop's defaults, in a module light enough for the command line to read at start-up."""
from __future__ import annotations

#: How many days a link works after the run that (re)issued it.
DEFAULT_VALID_DAYS = 7
#: A kernel with no browser connected for this long is shut down.
CULL_IDLE_SECONDS = 900
