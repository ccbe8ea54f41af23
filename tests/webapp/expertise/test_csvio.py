"""CSV reading: tolerant of harmless variations, precise about real errors."""

from __future__ import annotations

import pytest

from webapp.expertise.csvio import read_history, read_schools
from webapp.tabular import TabularRejected


def _file(tmp_path, text, name="schools.csv", bom=False):
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def test_bom_spaces_case_extra_columns_and_blank_lines_are_accepted(tmp_path):
    text = (
        " School_ID , region_id,municipality_id,settlement,pupils,risks,note\n"
        "\n"
        " a , r1 , m1 , Rural , 0 , R1; R2 ;R3; ,x\n"
        "b,r2,m2,urban,+15,R1,\n"
    )
    schools = read_schools(_file(tmp_path, text, bom=True))
    assert [s.school_id for s in schools] == ["a", "b"]
    assert schools[0].settlement == "rural" and schools[0].pupils == 0
    assert schools[0].risks == frozenset({"R1", "R2", "R3"})
    assert schools[1].pupils == 15


def test_error_names_the_physical_line_after_blank_lines(tmp_path):
    text = "school_id,region_id,municipality_id,settlement,pupils,risks\n\n\na,r1,m1,urban,x,R1\n"
    with pytest.raises(TabularRejected, match=r"schools\.csv, строка 4, столбец pupils"):
        read_schools(_file(tmp_path, text))


def test_duplicate_header_column_is_refused(tmp_path):
    text = "school_id,region_id,municipality_id,settlement,pupils,risks,pupils\n"
    with pytest.raises(TabularRejected, match="столбец «pupils» повторяется"):
        read_schools(_file(tmp_path, text))


def test_history_reads_pairs_and_checks_year(tmp_path):
    schools = read_schools(
        _file(
            tmp_path,
            "school_id,region_id,municipality_id,settlement,pupils,risks\n"
            "a,r1,m,urban,1,R1\nb,r2,m,urban,1,R1\n",
        )
    )
    hist = _file(tmp_path, "reviewer_school_id,reviewed_school_id,year\na,b,2024\n", "h.csv")
    assert [(h.reviewer, h.reviewed, h.year) for h in read_history(hist, schools)] == [
        ("a", "b", 2024)
    ]
    bad = _file(tmp_path, "reviewer_school_id,reviewed_school_id,year\na,b,\n", "h2.csv")
    with pytest.raises(TabularRejected, match=r"h2\.csv, строка 2, столбец year: пустое значение"):
        read_history(bad, schools)
