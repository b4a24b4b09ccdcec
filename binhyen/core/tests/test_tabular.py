"""Reading import files (``binhyen.core.tabular``): the rows under a matched header."""

from __future__ import annotations

import pytest

from binhyen.core.tabular import Column, ImportFileError, filled_rows

COLUMNS = (
    Column("code", "Mã", True, "Mã đơn vị."),
    Column("name", "Tên", False, "Tên đơn vị."),
)


def test_filled_rows_map_cells_by_header_and_skip_empty_lines():
    # Given a sheet whose header is in another order, with a blank line and a short row
    rows = [
        (1, ["tên", "MÃ *"]),
        (2, ["Thôn Đông", "001"]),
        (3, [None, "  "]),
        (4, ["Thôn Tây"]),
    ]
    # When its rows are read
    read = list(filled_rows(rows, COLUMNS, empty="Trống."))
    # Then each filled line gives its cells by field, with the Excel row number
    assert read == [
        (2, {"name": "Thôn Đông", "code": "001"}),
        (4, {"name": "Thôn Tây", "code": None}),
    ]


def test_filled_rows_refuse_an_empty_file_and_a_bad_header():
    # Given a file without any row, then one missing a required column
    # When it is read, then the whole file is refused with the caller's message, or the header's
    with pytest.raises(ImportFileError) as caught:
        list(filled_rows([], COLUMNS, empty="Tệp không có dòng nào."))
    assert [p.message for p in caught.value.problems] == ["Tệp không có dòng nào."]
    with pytest.raises(ImportFileError) as caught:
        list(filled_rows([(1, ["Tên"])], COLUMNS, empty="Trống."))
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, "Mã")]
