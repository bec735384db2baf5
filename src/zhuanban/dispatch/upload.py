"""Reading a unit's filled-in Excel file back: every problem at once, by sheet cell.

`read_unit_workbook()` checks the file (size, type by content, zip bomb, a password, a
damaged workbook), that it belongs to this unit, table and period (the very hidden
sheet `workbook.py` writes), finds the header row and matches the columns by their
headings in whatever order, reads the rows and checks them with the same
`validation.check_rows` the screen and the API use. Each problem names the cell as
Excel shows it (D7). Nothing is stored: the view confirms a valid file separately.

Formulas are never evaluated, and never read as data either: the value Excel cached
with a formula may be anything its author wrote into the file, so a formula cell in
the table is a problem at that cell ("paste it as a value"), and the file is refused.
The file is read in openpyxl's read-only mode, row by row, and reading stops as soon
as the table is over the row limit.

`rows_to_read()` tells, without reading the rows, how many the check would read: the
view checks a small file at once and a large one in a background job
(`import_jobs.py`), which passes its `progress` to report each row read.
"""

import io
import itertools
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from zhuanban.core.excel import formula_refused, is_formula, sheet_title
from zhuanban.core.files import as_file, check_upload
from zhuanban.dispatch.models import Submission
from zhuanban.dispatch.periods import Period
from zhuanban.dispatch.services import check_submission_rows, table_of
from zhuanban.dispatch.validation import CellProblem, Checked, max_rows
from zhuanban.dispatch.workbook import LISTS_SHEET, META_FORMAT, META_SHEET

logger = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names an encrypted Office file keeps in its OLE directory (UTF-16 names).
ENCRYPTION_MARKS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
HEADER_SCAN_ROWS = 10
NOT_DATA_SHEETS = frozenset({META_SHEET, LISTS_SHEET})


@dataclass(frozen=True)
class UploadProblem:
    sheet: str
    cell: str  # "D7"; "A7:G7" for a whole row; "" for the whole file
    column: str  # the column's heading; "" when the problem is not in one column
    message: str
    code: str


@dataclass
class UploadResult:
    rows: list[dict] = field(default_factory=list)  # column key -> raw cell value
    problems: list[UploadProblem] = field(default_factory=list)
    checked: Checked | None = None  # None when the file itself is unusable
    sheet: str = ""
    header_row: int = 0
    letters: dict[str, str] = field(default_factory=dict)  # column key -> column letter
    headings: dict[str, str] = field(default_factory=dict)  # column key -> heading as written
    last_letter: str = "A"

    @property
    def is_valid(self) -> bool:
        return self.checked is not None and not self.problems

    def sheet_row(self, index: int) -> int:
        """The sheet row of `rows[index]`."""
        return self.header_row + 1 + index

    def locate(self, problems: Iterable[CellProblem]) -> list[UploadProblem]:
        """Problems of `check_rows` over `rows`, by the cell they are in."""
        located = []
        for problem in problems:
            row = self.sheet_row(problem.row)
            letter = self.letters.get(problem.column)
            cell = f"{letter}{row}" if letter else f"A{row}:{self.last_letter}{row}"
            located.append(
                UploadProblem(
                    sheet=self.sheet,
                    cell=cell,
                    column=self.headings.get(problem.column, ""),
                    message=problem.message,
                    code=problem.code,
                )
            )
        return located


class _Unusable(Exception):
    """The file cannot be read as this unit's table; the problems say why."""

    def __init__(self, *problems: UploadProblem):
        self.problems = list(problems)


def _file_problem(message: str, code: str, sheet: str = "", cell: str = "") -> UploadProblem:
    return UploadProblem(sheet=sheet, cell=cell, column="", message=message, code=code)


class _NoProgress:
    """What a caller without a progress bar passes: nothing is reported."""

    def start(self, total=None, stage=""):
        pass

    def stage(self, stage):
        pass

    def advance(self, count=1):
        pass


def read_unit_workbook(fileobj, submission: Submission, progress=None) -> UploadResult:
    """Read and check a filled-in file for `submission`; stores nothing. `progress` (an
    ops.services.Progress) is told each row read."""
    result = UploadResult()
    try:
        data = _checked_bytes(fileobj)
        _read(data, submission, result, progress or _NoProgress())
    except _Unusable as unusable:
        result.problems = unusable.problems
        result.checked = None
    return result


def rows_to_read(fileobj, submission: Submission) -> int | None:
    """How many rows below the header the check would read, from the size the data sheet
    declares (Excel, WPS and this app's own file write it at the sheet's top), without
    reading a row below the header: whether the check runs at once or in the
    background. 0 when the check stops before the rows (an unusable file, another
    unit's, no header row: the check says so at once); None when the sheet does not
    declare its size."""
    try:
        data = _checked_bytes(fileobj)
    except _Unusable:
        return 0
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # untrusted input: the check reports it as damaged
        return 0
    try:
        if _check_owner(_metadata(workbook), submission):
            return 0
        ws = _data_sheet(workbook, sheet_title(submission.round.template.title))
        declared = ws.max_row
        head = list(itertools.islice(ws.iter_rows(values_only=True), HEADER_SCAN_ROWS))
        header_index = _find_header(head, _wanted(table_of(submission)))
    except Exception:  # _Unusable, or a sheet openpyxl cannot read: reported at once
        return 0
    finally:
        workbook.close()
    if header_index is None:
        return 0
    if declared is None:
        return None
    return max(0, declared - header_index - 1)


# --- the file ------------------------------------------------------------------------


def _checked_bytes(source) -> bytes:
    upload, opened = as_file(source)
    try:
        upload.seek(0)
        head = upload.read(len(OLE_MAGIC))
        upload.seek(0)
        # An .xlsx saved with a password, like an old .xls, is an OLE compound file,
        # which check_upload would only call a mismatch.
        if head == OLE_MAGIC and upload.size <= settings.UPLOAD_MAX_BYTES:
            content = upload.read()
            if any(mark in content for mark in ENCRYPTION_MARKS):
                raise _Unusable(
                    _file_problem(
                        _(
                            "The workbook is protected with a password, so it cannot be "
                            "read. Open it in Excel or WPS, remove the password (save it "
                            "without a password to open it) and upload it again."
                        ),
                        "password_protected",
                    )
                )
            raise _Unusable(
                _file_problem(
                    _(
                        "This is an old-style Excel file (.xls). Open it in Excel or WPS, "
                        "save it as an Excel workbook (.xlsx) and upload it again."
                    ),
                    "old_format",
                )
            )
        try:
            check_upload(upload, allowed={".xlsx"})
        except ValidationError as error:
            raise _Unusable(_explained(error)) from None
        upload.seek(0)
        return upload.read()
    finally:
        if opened:
            upload.close()


def _explained(error: ValidationError) -> UploadProblem:
    if error.code == "mismatch":
        return _file_problem(
            _(
                "This is not an Excel workbook (.xlsx). Fill in the file downloaded from "
                "this page, save it in Excel or WPS as an Excel workbook (.xlsx) and upload "
                "it again."
            ),
            "not_xlsx",
        )
    if error.code in ("bad_zip", "xml_dtd"):
        return _corrupt()
    if error.code == "type":
        return _file_problem(
            _(
                "Only Excel workbooks (.xlsx) can be uploaded. Save the file in Excel or WPS "
                "as an Excel workbook (.xlsx) and upload it again."
            ),
            "type",
        )
    return _file_problem(error.messages[0], error.code or "invalid")


def _corrupt() -> UploadProblem:
    return _file_problem(
        _(
            "The workbook is damaged and cannot be read. Open it in Excel or WPS; if it "
            "opens, save it again as an Excel workbook (.xlsx), otherwise download a new "
            "file, and upload that."
        ),
        "corrupt",
    )


def _read(data: bytes, submission: Submission, result: UploadResult, progress) -> None:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # untrusted input: whatever fails to open is not a usable workbook
        logger.info("unit upload: the file could not be opened as a workbook", exc_info=True)
        raise _Unusable(_corrupt()) from None
    try:
        _read_workbook(workbook, submission, result, progress)
    except _Unusable:
        raise
    except Exception:  # a sheet's XML damaged beyond what openpyxl reads
        logger.info("unit upload: a sheet could not be read", exc_info=True)
        raise _Unusable(_corrupt()) from None
    finally:
        workbook.close()


# --- whose file it is ----------------------------------------------------------------


def _metadata(workbook) -> dict[str, str]:
    if META_SHEET not in workbook.sheetnames:
        return {}
    values = {}
    for row in workbook[META_SHEET].iter_rows(max_col=2, values_only=True):
        if len(row) == 2 and row[0] is not None:
            values[str(row[0])] = "" if row[1] is None else str(row[1])
    return values if values.get("format") == META_FORMAT else {}


def _period_label(key: str) -> str:
    try:
        return Period.from_key(key).label()
    except ValueError:
        return key


def _check_owner(meta: dict[str, str], submission: Submission) -> list[UploadProblem]:
    """A file of another unit, table or period is refused, naming both."""
    round_ = submission.round
    unit = submission.unit
    problems = []
    file_unit = meta.get("unit_id")
    if file_unit and file_unit != str(unit.pk):
        problems.append(
            _file_problem(
                _(
                    "This file is %(file_unit)s's table, but it is being uploaded as "
                    "%(unit)s's. Download %(unit)s's own file from this page and fill "
                    "that in."
                )
                % {
                    "file_unit": meta.get("unit_name") or meta.get("unit_code") or file_unit,
                    "unit": unit.name,
                },
                "wrong_unit",
                META_SHEET,
            )
        )
    file_table = meta.get("template_code")
    if file_table and file_table != round_.template.code:
        problems.append(
            _file_problem(
                _("This file is the table “%(file_table)s”, not “%(table)s”.")
                % {
                    "file_table": meta.get("template_title") or file_table,
                    "table": round_.template.title,
                },
                "wrong_table",
                META_SHEET,
            )
        )
        return problems
    file_period = meta.get("period")
    if file_period and file_period != round_.period.key:
        problems.append(
            _file_problem(
                _(
                    "This file is for %(file_period)s, but this table is for %(period)s. "
                    "Download the file for %(period)s from this page and fill that in."
                )
                % {"file_period": _period_label(file_period), "period": round_.period.label()},
                "wrong_period",
                META_SHEET,
            )
        )
    elif meta.get("round_id") and meta["round_id"] != str(round_.pk):
        problems.append(
            _file_problem(
                _("This file belongs to another request for this table: %(round)s.")
                % {"round": meta.get("round_title") or meta["round_id"]},
                "wrong_round",
                META_SHEET,
            )
        )
    return problems


# --- the sheet -----------------------------------------------------------------------


def _data_sheet(workbook, title: str):
    if title in workbook.sheetnames:
        return workbook[title]
    for name in workbook.sheetnames:
        if name not in NOT_DATA_SHEETS:
            return workbook[name]
    raise _Unusable(_file_problem(_("The workbook has no sheet to read."), "no_sheet"))


def normalise_heading(value) -> str:
    """For matching only: full-width forms folded (（）→ ()), no spaces, no * marks."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).lstrip("*")


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(head_rows: list[tuple], wanted: dict[str, str]) -> int | None:
    """The index of the row with the most headings of the table."""
    best, best_count = None, 0
    for index, row in enumerate(head_rows):
        count = sum(1 for value in row if normalise_heading(value) in wanted)
        if count > best_count:
            best, best_count = index, count
    return best


def _wanted(table) -> dict[str, str]:
    """Normalised heading (or label) -> column key."""
    wanted: dict[str, str] = {}
    for column in table.columns:
        wanted.setdefault(normalise_heading(column.heading), column.key)
        wanted.setdefault(normalise_heading(column.label), column.key)
    return wanted


def _read_workbook(workbook, submission: Submission, result: UploadResult, progress) -> None:
    round_ = submission.round
    table = table_of(submission)
    problems = _check_owner(_metadata(workbook), submission)
    if problems:
        raise _Unusable(*problems)

    ws = _data_sheet(workbook, sheet_title(round_.template.title))
    result.sheet = ws.title
    declared = ws.max_row  # for the progress bar only
    # The dimension a file declares may be wrong (too small, or the whole sheet):
    # read the rows that are there.
    ws.reset_dimensions()
    formulas: list[tuple[int, int]] = []  # (sheet row, column index from 0)
    rows = _values(ws.iter_rows(), formulas)
    head_rows = []
    for row in rows:
        head_rows.append(row)
        if len(head_rows) == HEADER_SCAN_ROWS:
            break
    wanted = _wanted(table)
    header_index = _find_header(head_rows, wanted)
    if header_index is None:
        raise _Unusable(
            _file_problem(
                _(
                    "No row of column headings was found in the first %(n)s rows of sheet "
                    "“%(sheet)s”. The headings are: %(headings)s."
                )
                % {
                    "n": HEADER_SCAN_ROWS,
                    "sheet": ws.title,
                    "headings": "、".join(c.heading for c in table.columns),
                },
                "no_header",
                ws.title,
            )
        )
    result.header_row = header_index + 1
    columns = _match_columns(head_rows[header_index], wanted, table, result)
    below = declared - result.header_row if declared else 0
    progress.start(below if below > 0 else None, _("Reading the rows"))
    _read_rows(head_rows[header_index + 1 :], rows, columns, result, progress)
    progress.stage(_("Checking the rows"))
    result.checked = check_submission_rows(submission, result.rows)
    result.problems.extend(result.locate(result.checked.problems))
    _formula_problems(formulas, result)


def _values(rows, formulas: list[tuple[int, int]]):
    """The sheet's rows as tuples of values; a formula cell is noted in `formulas` and
    reads as blank (never as the value cached with it)."""
    for number, cells in enumerate(rows, start=1):
        values = tuple(cell.value for cell in cells)
        if any(is_formula(cell) for cell in cells):
            values = list(values)
            for index, cell in enumerate(cells):
                if is_formula(cell):
                    formulas.append((number, index))
                    values[index] = None
            values = tuple(values)
        yield values


def _formula_problems(formulas: list[tuple[int, int]], result: UploadResult) -> None:
    """One problem at each formula cell below the header, in place of any other problem
    there (a formula read as blank would also be "required")."""
    cells = {
        f"{get_column_letter(index + 1)}{row}": index
        for row, index in formulas
        if row > result.header_row
    }
    if not cells:
        return
    headings = {letter: result.headings[key] for key, letter in result.letters.items()}
    result.problems = [p for p in result.problems if p.cell not in cells]
    result.problems.extend(
        UploadProblem(
            result.sheet,
            cell,
            headings.get(get_column_letter(index + 1), ""),
            formula_refused(),
            "formula",
        )
        for cell, index in cells.items()
    )


def _match_columns(header: tuple, wanted: dict[str, str], table, result: UploadResult):
    """(sheet column index from 0, column key) of each heading; problems for the rest."""
    row = result.header_row
    matched: dict[str, int] = {}
    problems = []
    for index, value in enumerate(header):
        if _is_blank(value):
            continue
        text = str(value).strip()
        letter = get_column_letter(index + 1)
        key = wanted.get(normalise_heading(value))
        if key is None:
            problems.append(
                UploadProblem(
                    result.sheet,
                    f"{letter}{row}",
                    text,
                    _(
                        "The column “%(heading)s” is not part of this table. Remove it, or "
                        "give it the heading of one of the table's columns."
                    )
                    % {"heading": text},
                    "extra_column",
                )
            )
        elif key in matched:
            problems.append(
                UploadProblem(
                    result.sheet,
                    f"{letter}{row}",
                    text,
                    _("The column “%(heading)s” appears twice; keep one of them.")
                    % {"heading": text},
                    "duplicate_column",
                )
            )
        else:
            matched[key] = index
            result.letters[key] = letter
            result.headings[key] = text
    for column in table.columns:
        if column.key not in matched:
            problems.append(
                UploadProblem(
                    result.sheet,
                    "",
                    column.heading,
                    _(
                        "The column “%(heading)s” is missing from the header row (row "
                        "%(row)s). Add it back, or fill in a newly downloaded file."
                    )
                    % {"heading": column.heading, "row": row},
                    "missing_column",
                )
            )
    if problems:
        raise _Unusable(*problems)
    result.last_letter = get_column_letter(max(matched.values()) + 1)
    return [(index, key) for key, index in matched.items()]


def _read_rows(first: list[tuple], rest, columns, result: UploadResult, progress) -> None:
    """The rows below the header, as {key: value}, up to the last one with a value.
    Blank rows in between keep their place, so that problems name the right sheet row.
    Stops (the file is refused) at the first row over the limit. Each row read is
    counted on `progress`."""
    limit = max_rows()
    keys = [key for _index, key in columns]
    width = max(index for index, _key in columns) + 1
    unmapped = [i for i in range(width) if i not in {index for index, _key in columns}]
    rows = result.rows
    kept = 0  # rows up to the last one with a value
    for position, raw in enumerate(itertools.chain(first, rest)):
        progress.advance()
        length = len(raw)
        if length >= width:
            row = {key: raw[index] for index, key in columns}
        else:
            row = {key: raw[index] if index < length else None for index, key in columns}
        # Inline rather than _is_blank(): this runs for every cell of the file.
        filled = any(
            value is not None and (type(value) is not str or value.strip())
            for value in row.values()
        )
        if length > width or unmapped:
            # A value in a column without a heading would be lost without a word.
            stray = [i for i in unmapped if i < length and not _is_blank(raw[i])]
            stray += [i for i in range(width, length) if not _is_blank(raw[i])]
            if stray:
                result.problems.extend(_stray(result, position, stray))
                filled = True
        if filled:
            if position >= limit:
                raise _Unusable(
                    _file_problem(
                        _(
                            "A table holds at most %(max)s rows; this file has more (row "
                            "%(row)s is past the limit). Split the list, or ask the office."
                        )
                        % {"max": limit, "row": result.sheet_row(position)},
                        "too_many_rows",
                        result.sheet,
                        f"A{result.sheet_row(position)}",
                    )
                )
            rows.extend(dict.fromkeys(keys) for _blank in range(position - kept))
            rows.append(row)
            kept = position + 1


def _stray(result: UploadResult, position: int, indexes: list[int]) -> list[UploadProblem]:
    row = result.sheet_row(position)
    return [
        UploadProblem(
            result.sheet,
            f"{get_column_letter(index + 1)}{row}",
            "",
            _(
                "This cell has a value but no column heading above it. Move the value into "
                "the table's columns, or delete it."
            ),
            "no_column",
        )
        for index in indexes
    ]
