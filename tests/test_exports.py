"""Downloads carry the as-of date and the filter, in the name and inside the file."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd

from socialwork.figures import metrics
from socialwork.figures.place_filter import EVERYWHERE
from socialwork.present.tables.files import csv_bytes, file_name, xlsx_bytes
from socialwork.present.tables.places import scorecard_export_frame

DAY = date(2024, 11, 30)


def test_file_names_hold_scope_and_date():
    assert file_name("乡镇目标对比", DAY, (), "csv") == "乡镇目标对比_全县_2024-11-30.csv"
    assert file_name("乡镇目标对比", DAY, ("甲街道", "乙镇"), "xlsx") == "乡镇目标对比_甲街道-乙镇_2024-11-30.xlsx"
    many = file_name("x", DAY, ("a", "b", "c", "d"), "csv")
    assert many == "x_a-b-c等4个乡镇_2024-11-30.csv"


def test_scorecard_csv_and_xlsx_round_trip(fixture_store):
    frame = scorecard_export_frame(metrics.township_scorecard(DAY, EVERYWHERE, fixture_store))
    assert list(frame["乡镇（街道）"]) == ["乙镇", "丙乡", "甲街道"]
    assert "城市社区平均持证社工·状态" in frame.columns

    csv = pd.read_csv(io.BytesIO(csv_bytes(frame, DAY, "全县")), encoding="utf-8-sig")
    assert list(csv.columns[:3]) == ["数据截至", "范围", "乡镇（街道）"]
    assert set(csv["数据截至"]) == {"2024-11-30"}
    assert list(csv["乡镇（街道）"]) == ["乙镇", "丙乡", "甲街道"]

    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, DAY, "全县", "各乡镇（街道）可比目标")))
    sheet = book.active
    assert sheet["A1"].value == "各乡镇（街道）可比目标"
    assert sheet["A2"].value.startswith("数据截至 2024年11月30日")
    assert [c.value for c in sheet[4]][:3] == ["乡镇（街道）", "类型", "未达标项"]
    assert sheet["A5"].value == "乙镇"
