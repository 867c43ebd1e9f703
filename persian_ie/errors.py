"""The project's own exception type: every user-facing failure is one of these."""

from typing import Optional


class PersianIEError(Exception):
    """An error a user can act on: it names the file and the place in it when there is one."""

    def __init__(
        self,
        message: str,
        path: Optional[str] = None,
        line: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.offset = offset
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            if self.offset is not None:
                where += f" (byte {self.offset})"
            where += ": "
        return f"{where}{self.message}"
