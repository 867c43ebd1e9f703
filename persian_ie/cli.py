"""What every command shares: one-line errors instead of tracebacks, and exit codes."""

import functools
import sys
from typing import Any, Callable, Optional, TypeVar

from wasabi import Printer, color

from .errors import PersianIEError

F = TypeVar("F", bound=Callable[..., Any])



class OneLinePrinter(Printer):
    """wasabi's Printer, except that failures go to stderr on one line (wasabi wraps at 80 columns)."""

    def fail(self, title: Any = "", text: Any = "", show: bool = True, spaced: bool = False,
             exits: Optional[int] = None) -> None:
        if show:
            line = " ".join(str(part) for part in ("✘", title, text) if part != "")
            print(color(line, fg="red") if sys.stderr.isatty() else line, file=sys.stderr, flush=True)
        if exits is not None:
            sys.exit(exits)


msg = OneLinePrinter()


def friendly_errors(func: F) -> F:
    """Turn the project's errors, file-system errors and Ctrl-C into one line and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PersianIEError as err:
            msg.fail(str(err))
            sys.exit(1)
        except OSError as err:
            where = f"{err.filename}: " if err.filename else ""
            msg.fail(f"{where}{err.strerror or err}")
            sys.exit(1)
        except KeyboardInterrupt:
            msg.fail("interrupted")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
