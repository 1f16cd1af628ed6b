"""Domain exceptions: the error half of the public interface.

Every exception carries a stable ``code`` (used in the JSON error shape), and, where it is about
input, the file and record it concerns, so a person can act on it.
"""

from __future__ import annotations


class LunshuError(Exception):
    """Base of every error lunshu raises on purpose."""

    code = "error"
    http_status = 400
    exit_code = 1  # the CLI's exit status

    def __init__(self, message: str, *, path: str | None = None, record: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.record = record

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.record is not None:
                where += f" (record {self.record})"
            where += ": "
        return f"{where}{self.message}"

    def to_dict(self) -> dict[str, object]:
        err: dict[str, object] = {"code": self.code, "message": str(self)}
        return {"error": err}


class InputError(LunshuError):
    """A file or record could not be read or understood."""

    code = "bad_input"


class DecodeError(InputError):
    """Bytes that no tried encoding decodes."""

    code = "decode_error"


class QueryError(LunshuError):
    """A search query (or other user expression, a filter) that cannot be parsed: a usage error."""

    code = "bad_query"
    exit_code = 2


class NotFoundError(LunshuError):
    """A document or other object that does not exist."""

    code = "not_found"
    http_status = 404


class StoreError(LunshuError):
    """The database file is unusable (not lunshu's, too new, corrupt)."""

    code = "store_error"
    http_status = 500


class MissingDependency(LunshuError):
    """An optional extra (e.g. pyspark) that this operation needs is not installed."""

    code = "missing_dependency"
    http_status = 501


class AuthError(LunshuError):
    code = "forbidden"
    http_status = 403
