"""One pass over a table's rows, written as CSV (optionally with a UTF-8 BOM), XLSX and Parquet.

Types are fixed per column, not guessed from the data: integers are written as integers (`0`, never
`0.0`), amounts as floats, text as text. SQLite stores every table cell as REAL, so a count read back
is 27.0; it is written as 27 and a non-integral value in an integer column is an error (the table
parser only produces integral counts).

- CSV: `utf-8-sig` (BOM) so that Excel on Chinese Windows detects UTF-8.
- XLSX: xlsxwriter in constant-memory mode; numbers are numbers, text is never read as a formula;
  Excel's limit of 1,048,576 rows is a bound: rows past it are counted in `xlsx_truncated`, not written.
- Parquet: pyarrow (an optional extra: ~170 MB installed), int64/float64/string columns, row groups
  of `batch` rows. pandas: `pd.read_parquet(p, dtype_backend="numpy_nullable")` keeps integer
  columns with gaps as integers; R: `arrow::read_parquet(p)`.
"""

from __future__ import annotations

import csv
import importlib.util
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pipelines.store import TABLES

XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header included
_PY_TYPES = {int: "int", float: "float", str: "str", bytes: "str"}
# columns whose SQLite type is REAL but whose values are sums of counts (report_checks)
_INT_OVERRIDES = {"expected", "actual"}
# view/derived columns not in TABLES
_DERIVED = {"late": "int", "days_late": "int", "deadline": "str", "division_code": "str", "reports_in_year": "int",
            "province": "str", "city": "str", "county": "str", "township": "str", "level": "str", "kind": "str"}


def parquet_available() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def column_types(columns: Iterable[str], money: Callable[[str], bool] | None = None,
                 extra: set[str] | None = None) -> dict[str, str]:
    """int / float / str per column: cell keys by `money` (floats) or counts (ints), `extra` keys
    outside the official format as floats, everything else from the archive schema."""
    known: dict[str, str] = {}
    for spec in TABLES.values():
        for col, typ in spec["columns"].items():
            known.setdefault(col, _PY_TYPES.get(typ, "str"))
    known.update(_DERIVED)
    out = {}
    for col in columns:
        if extra and col in extra:
            out[col] = "float"
        elif money is not None and col not in known and "|" in col:
            out[col] = "float" if money(col) else "int"
        elif col in _INT_OVERRIDES:
            out[col] = "int"
        else:
            out[col] = known.get(col, "str")
    return out


def _as_int(value: Any, where: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{where}: non-integer value {value} in an integer column")
        return int(value)
    return int(value)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class TableWriter:
    """Context manager: `write_all(rows)` writes `name`.csv/.xlsx/.parquet under `folder` in one pass."""

    def __init__(self, folder: Path, name: str, columns: list[str], types: Mapping[str, str], formats: set[str],
                 *, bom: bool = True, key_sep: str | None = None, batch: int = 50_000) -> None:
        self.folder, self.name, self.columns, self.types = folder, name, columns, dict(types)
        self.formats, self.bom, self.key_sep, self.batch = formats, bom, key_sep, batch
        self.xlsx_truncated = 0
        self._csv_fh: Any = None
        self._workbook: Any = None
        self._parquet: Any = None
        self._buffer: list[dict[str, Any]] = []

    def __enter__(self) -> TableWriter:
        if "csv" in self.formats:
            self._csv_fh = (self.folder / f"{self.name}.csv").open(
                "w", encoding="utf-8-sig" if self.bom else "utf-8", newline="")
            self._csv = csv.writer(self._csv_fh)
            self._csv.writerow(self.columns)
        if "xlsx" in self.formats:
            import xlsxwriter

            self._workbook = xlsxwriter.Workbook(str(self.folder / f"{self.name}.xlsx"),
                                                 {"constant_memory": True, "strings_to_formulas": False,
                                                  "strings_to_urls": False, "strings_to_numbers": False})
            self._sheet = self._workbook.add_worksheet(self.name)
            bold = self._workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
            self._sheet.freeze_panes(1, 2)
            self._sheet.set_row(0, 45)
            self._sheet.set_column(0, len(self.columns) - 1, 12)
            for j, col in enumerate(self.columns):
                self._sheet.write_string(0, j, col, bold)
            self._xlsx_row = 1
        if "parquet" in self.formats:
            import pyarrow as pa
            import pyarrow.parquet as pq

            arrow = {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}
            self._schema = pa.schema([(c, arrow[self.types[c]]) for c in self.columns])
            self._parquet = pq.ParquetWriter(str(self.folder / f"{self.name}.parquet"), self._schema)
        return self

    def write_all(self, rows: Iterable[Mapping[str, Any]]) -> int:
        n = 0
        for row in rows:
            self.write(row)
            n += 1
        return n

    def write(self, row: Mapping[str, Any]) -> None:
        typed = {c: self._typed(c, row.get(c)) for c in self.columns}
        if self._csv_fh is not None:
            self._csv.writerow([_csv_value(typed[c]) for c in self.columns])
        if self._workbook is not None:
            if self._xlsx_row >= XLSX_MAX_ROWS:
                self.xlsx_truncated += 1
            else:
                for j, c in enumerate(self.columns):
                    v = typed[c]
                    if v is None:
                        continue
                    if isinstance(v, int | float):
                        self._sheet.write_number(self._xlsx_row, j, v)
                    else:
                        self._sheet.write_string(self._xlsx_row, j, str(v))
                self._xlsx_row += 1
        if self._parquet is not None:
            self._buffer.append(typed)
            if len(self._buffer) >= self.batch:
                self._flush_parquet()

    def _typed(self, col: str, value: Any) -> Any:
        kind = self.types.get(col, "str")
        if value is None or value == "":
            return None
        if kind == "int":
            return _as_int(value, f"{self.name}.{col}")
        if kind == "float":
            return float(value)
        return value if isinstance(value, str) else str(value)

    def _flush_parquet(self) -> None:
        import pyarrow as pa

        if self._buffer:
            self._parquet.write_table(pa.Table.from_pylist(self._buffer, schema=self._schema))
            self._buffer = []

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._csv_fh is not None:
            self._csv_fh.close()
        if self._workbook is not None:
            if self.key_sep:
                self._key_sheet()
            self._workbook.close()
        if self._parquet is not None:
            if exc_type is None:
                self._flush_parquet()
            self._parquet.close()

    def _key_sheet(self) -> None:
        """A second sheet naming each cell-key column: table, row and column of the official format."""
        sheet = self._workbook.add_worksheet("columns")
        bold = self._workbook.add_format({"bold": True})
        for j, head in enumerate(["column", "table_name", "row_label", "col_label", "type"]):
            sheet.write_string(0, j, head, bold)
        for i, col in enumerate(self.columns, start=1):
            parts = col.split(self.key_sep, 2) if self.key_sep in col else ["", "", ""]
            for j, v in enumerate([col, *parts, self.types[col]]):
                sheet.write_string(i, j, v)
        sheet.set_column(0, 0, 60)
        sheet.set_column(1, 3, 30)
