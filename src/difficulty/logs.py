"""Logging into a rule's log file, with progress lines for long steps."""

import logging
import os
import sys
import time

from .errors import ConfigError, DataError


def setup(path=None, level=logging.INFO) -> logging.Logger:
    """Send log records, warnings and an uncaught exception to ``path`` (or stderr).

    A ConfigError or DataError (bad config or input, its message says what to do) is logged and printed as
    one line, without a traceback unless the environment variable ``DIFFICULTY_TRACEBACK`` is set.
    """
    handler = logging.FileHandler(path, mode="w") if path else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    default_hook = sys.excepthook

    def log_exception(kind, value, tb):
        if issubclass(kind, (ConfigError, DataError)) and not os.environ.get("DIFFICULTY_TRACEBACK"):
            root.critical("%s: %s", kind.__name__, value)
            print(f"{kind.__name__}: {value}\n(set DIFFICULTY_TRACEBACK=1 for the traceback)", file=sys.stderr)
            return
        root.critical("%s: %s", kind.__name__, value, exc_info=(kind, value, tb))
        default_hook(kind, value, tb)

    sys.excepthook = log_exception
    return logging.getLogger("difficulty")


class Progress:
    """Log ``done/total`` at most every ``every`` seconds, and at the end."""

    def __init__(self, total: int, what: str, logger: logging.Logger | None = None, every: float = 5.0):
        self.total, self.what, self.every = total, what, every
        self.log = logger or logging.getLogger("difficulty")
        self.start = self.last = time.monotonic()
        self.done = 0

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every or self.done >= self.total:
            self.last = now
            rate = self.done / max(now - self.start, 1e-9)
            self.log.info("%s: %d/%d (%.1f/s)", self.what, self.done, self.total, rate)
