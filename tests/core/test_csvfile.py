"""The one CSV writer (core.csvfile): BOM, formula guard on every cell, streaming."""

import csv
import io
from pathlib import Path

import pytest

from participation.core import csvfile

PACKAGE = Path(__file__).resolve().parents[2] / "participation"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+81 90", "'+81 90"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=already", "''=already"),
        ("-12.5", "-12.5"),
        ("見守りカメラ", "見守りカメラ"),
        ("", ""),
        (None, ""),
        (True, "true"),
        (False, "false"),
        (-3, "-3"),
        (2.5, "2.5"),
    ],
)
def test_every_cell_is_guarded_and_the_guard_undoes(value, written):
    assert csvfile.cell(value) == written
    if isinstance(value, str):
        assert csvfile.uncell(written) == value


def test_a_file_starts_with_a_bom_and_reads_back(tmp_path):
    rows = [[1, '=HYPERLINK("x")', "改行\nあり"], [2, "普通", None]]
    text = csvfile.text(["id", "名前", "メモ"], rows)
    assert text.startswith("\ufeffid,名前,メモ\r\n")
    read = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert read == [["id", "名前", "メモ"], ["1", '\'=HYPERLINK("x")', "改行\nあり"], ["2", "普通", ""]]
    assert csvfile.encoded(["a"], [["b"]]) == "\ufeffa\r\nb\r\n".encode()


def test_rows_are_written_one_at_a_time():
    """A large export never builds the whole file: each line leaves before the next row is read."""
    read = []

    def rows():
        for n in range(3):
            read.append(n)
            yield [n]

    lines = csvfile.lines(["n"], rows())
    assert next(lines) == "\ufeffn\r\n" and read == []
    assert next(lines) == "0\r\n" and read == [0]


def test_a_download_streams_with_its_headers(app):
    with app.test_request_context():
        response = csvfile.response("台帳.csv", ["a"], iter([["=x"]]), headers={"Access-Control-Allow-Origin": "*"})
        assert response.is_streamed
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"] == "attachment; filename*=UTF-8''%E5%8F%B0%E5%B8%B3.csv"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert b"".join(response.response).decode() == "\ufeffa\r\n'=x\r\n"
        plain = csvfile.response("sensors.csv", ["a"], iter([]))
        assert (
            plain.headers["Content-Disposition"] == "attachment; filename=\"sensors.csv\"; filename*=UTF-8''sensors.csv"
        )


def test_no_export_writes_csv_another_way():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "csvfile.py" and ("csv.writer" in (text := path.read_text()) or "DictWriter" in text)
    ]
    assert offenders == []
