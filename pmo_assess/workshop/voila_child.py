"""Run Voilà as a child that ends with its parent: ``python -m pmo_assess.workshop.voila_child VOILA-ARGS``.

The parent (``pmo-assess workshop``, ``edit-roadmap``) holds the only write end of this process's stdin
and never writes to it. When the parent ends in any way, even killed with SIGKILL, the operating system
closes that pipe; a thread here reads end-of-file and stops Voilà as Ctrl-C would, which shuts its
kernels. A server left behind by a dead parent would otherwise run, unseen, until the machine stops.
"""
from __future__ import annotations

import os
import signal
import sys
import threading

#: Seconds Voilà gets to shut its kernels down after the parent went, before this process ends regardless.
GRACE_SECONDS = 10


def watch_parent(fd: int = 0) -> threading.Thread:
    """Start a daemon thread that stops this process once ``fd`` (stdin) reaches end-of-file."""

    def wait_for_parent() -> None:
        # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader aborts the interpreter's exit
        while os.read(fd, 4096):  # the parent never writes; anything read is ignored
            pass
        print("[pmo-assess] the workshop command ended: stopping this server", file=sys.stderr, flush=True)
        deadline = threading.Timer(GRACE_SECONDS, os._exit, args=(1,))
        deadline.daemon = True  # a clean exit before the deadline is not held up by it
        deadline.start()
        os.kill(os.getpid(), signal.SIGTERM)  # Voilà stops its loop and shuts its kernels down

    thread = threading.Thread(target=wait_for_parent, name="pmo-parent-watch", daemon=True)
    thread.start()
    return thread


def main() -> None:
    """Watch the parent, then run Voilà with this process's arguments."""
    from voila.app import main as voila_main

    watch_parent()
    sys.argv = ["voila", *sys.argv[1:]]
    voila_main()


if __name__ == "__main__":
    main()
