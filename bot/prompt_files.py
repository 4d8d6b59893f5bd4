"""Reading and checking the hand-edited TOML files in `prompts/`: the one error type,
the field types every file shares, and the wording of pydantic's errors for an editor.

Every problem ends in a `KitError` whose one line names the file, the field and the
problem; start-up and `python -m bot check` show it.
"""

import re
import tomllib
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Strict,
    StringConstraints,
    ValidationError,
)
from pydantic_core import ErrorDetails

MAX_ID = 40

_ID = re.compile(r"[a-z][a-z0-9_]*")
_TOML_POSITION = re.compile(
    r"(?P<problem>.*) \(at (?:line (?P<line>\d+), column \d+|end of document)\)"
)


class KitError(Exception):
    """A prompts file is unusable. `str()` is one line: `file: field path: problem`."""

    def __init__(self, file: str, problem: str, path: str = "") -> None:
        self.file = file
        self.path = path
        self.problem = problem
        message = ": ".join(part for part in (file, path, problem) if part)
        # Field names and values come from hand-edited files; a newline in one must not
        # break the promise of one line in a log or a terminal.
        super().__init__(" ".join(message.split()))


class FieldProblem(ValueError):
    """A model validator's complaint about a field below it, so the error can name it."""

    def __init__(self, path: tuple[str | int, ...], problem: str) -> None:
        super().__init__(problem)
        self.path = path


def check_id(value: str) -> str:
    if len(value) > MAX_ID or not _ID.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id (a-z, 0-9 and _, starting with a letter, "
            f"at most {MAX_ID} characters)"
        )
    return value


def text_constraints(max_length: int) -> StringConstraints:
    # Stripping makes a blank text "empty" and drops the newline before a closing """.
    return StringConstraints(
        strict=True, strip_whitespace=True, min_length=1, max_length=max_length
    )


Id = Annotated[str, Strict(), AfterValidator(check_id)]


def require_unique(within: tuple[str, ...], noun: str, ids: Sequence[str]) -> None:
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            raise FieldProblem((*within, index, "id"), f"duplicate {noun} id {item_id!r}")
        seen.add(item_id)


class PromptModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_Model = TypeVar("_Model", bound=BaseModel)


def load_file(directory: Path, file: str, model: type[_Model]) -> _Model:
    data = read_toml(directory, file)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        loc, problem = first_problem(exc)
        raise KitError(file, problem, field_path(loc)) from exc


def read_toml(directory: Path, file: str) -> dict[str, Any]:
    """The TOML document ``file`` under ``directory``; KitError when it cannot be read."""
    try:
        with (directory / file).open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise KitError(file, "file not found") from exc
    except OSError as exc:
        raise KitError(file, f"cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise KitError(file, "not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error has no line attribute; the position ends its message.
        match = _TOML_POSITION.fullmatch(str(exc))
        if match is None:
            raise KitError(file, f"invalid TOML ({exc})") from exc
        where = f"line {match['line']}" if match["line"] else "end of file"
        raise KitError(file, f"invalid TOML ({match['problem']})", where) from exc


def first_problem(exc: ValidationError) -> tuple[tuple[str | int, ...], str]:
    """The field path and wording of the error to show first."""
    # A misspelt field is also reported missing; naming the misspelling says why.
    first = min(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
    return describe(first)


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "tuple_type": "a list",
    "model_type": "a table",
}


def describe(error: ErrorDetails) -> tuple[tuple[str | int, ...], str]:
    """The field path and an editor-friendly wording of one pydantic error."""
    loc = tuple(error["loc"])
    ctx = error.get("ctx", {})
    value = error["input"]
    match error["type"]:
        case "missing":
            return loc[:-1], f"missing field {loc[-1]!r}"
        case "extra_forbidden":
            return loc[:-1], f"unknown field {loc[-1]!r}"
        case "value_error":
            cause = ctx["error"]
            extra = cause.path if isinstance(cause, FieldProblem) else ()
            return loc + extra, str(cause)
        case "string_too_short":
            return loc, "empty text"
        case "string_too_long":
            return loc, f"{len(value.strip())} characters; at most {ctx['max_length']}"
        case "too_short":
            return loc, f"at least {ctx['min_length']} needed, found {ctx['actual_length']}"
        case "too_long":
            return loc, f"at most {ctx['max_length']} allowed, found {ctx['actual_length']}"
        case "greater_than":
            return loc, f"must be more than {ctx['gt']}"
        case "less_than_equal":
            return loc, f"must be at most {ctx['le']}"
        case kind if kind in _EXPECTED:
            return loc, f"expected {_EXPECTED[kind]}, found {_toml_type(value)}"
    return loc, error["msg"]


def _toml_type(value: object) -> str:
    match value:
        case bool():
            return "true/false"
        case int():
            return "a whole number"
        case float():
            return "a decimal number"
        case str():
            return "text"
        case list():
            return "a list"
        case dict():
            return "a table"
        case date() | datetime() | time():
            return "a date or time"
    return type(value).__name__


def field_path(loc: Sequence[str | int]) -> str:
    """`("competencies", 2, "id")` as `competencies[2].id`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path
