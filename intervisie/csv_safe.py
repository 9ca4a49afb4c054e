"""The one CSV writer of every download (exports, learning log, the privacy zip).

A text cell that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return: OWASP "CSV injection") is written with a leading ``'``, so ``=HYPERLINK(...)`` in a group
name shows as text. Numbers, dates and empty cells are written as they are.
"""

import csv
from collections.abc import Iterable

from django.utils.functional import Promise

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose cells pass through ``safe_cell``."""

    def __init__(self, out, **fmtparams):
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable):
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)
