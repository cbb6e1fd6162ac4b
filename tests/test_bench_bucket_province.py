"""The bucket benchmark of a store of many counties, its fast parts: the crowd's counties, the tables, the section."""

from __future__ import annotations

from streamlit.proto.BackMsg_pb2 import BackMsg

from socialwork.bench import bucket_province, bucket_province_load, sections
from socialwork.cluster import load
from socialwork.data.storage.location import Bucket


def test_each_person_of_the_crowd_opens_a_county_spread_over_the_store(tmp_path, monkeypatch):
    codes = [f"9901{k:02d}" for k in range(10, 0, -1)]
    monkeypatch.setattr(bucket_province_load.layout, "local_root", lambda bucket: tmp_path)
    monkeypatch.setattr(bucket_province_load.layout, "county_folders", lambda root: {c: root / c for c in codes})
    queries = bucket_province_load.counties_spread(Bucket("socialwork", "city"), 5)
    assert queries == ("scope=990101", "scope=990103", "scope=990105", "scope=990107", "scope=990109")


def test_a_sessions_query_string_is_sent_with_every_run():
    message = BackMsg()
    message.ParseFromString(load.rerun_message("", "hash", [], "scope=990101"))
    assert message.rerun_script.query_string == "scope=990101"


def test_the_tables_name_every_figure_with_its_load_and_go_into_their_section(tmp_path):
    log = bucket_province.Log()
    log.add("a version check with nothing new", "1 request(s), median 8 ms")
    pages = {("overview", "city"): {"local": 53.0, "copy": 56.0, "load": 7.3},
             ("overview", "county"): {"local": 59.0, "copy": 61.0, "load": 7.0}}  # fmt: skip
    summary = load.Summary(20, 20, 0.2, 0.4, 0.4, 0.9, 60, 0, ())
    run = {"summary": summary, "seconds": 31.0, "cpu_first": 3.3, "cpu_reruns": 8.3, "load": 8.3}
    crowd = bucket_province_load.markdown([(4.3, 6.4)], [run], 3)
    text = bucket_province.markdown(tmp_path / "city", log, pages, 3, crowd)
    assert text.startswith("## A store of many counties served from a bucket: city")
    assert "| a version check with nothing new | 1 request(s), median 8 ms |" in text
    assert "| overview | county | 59 | 61 ⚠ | ≤ 50 | 7.0 |" in text and "| overview | city | 53 | 56 | ≤ 100 |" in text
    assert "| 20 | 20 | 0 | 200 / 400 | 400 / 900 | 60 | 0.165 | 0.138 | 31 | 8.3 |" in text
    written = sections.put("# Performance\n", "bucket-city", text)
    assert sections.split(written)[1]["bucket-city"] == text
