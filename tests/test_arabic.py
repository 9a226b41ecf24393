"""Arabic-Indic digits, Gregorian and Hijri date lines."""

from __future__ import annotations

import datetime as dt

import pytest

from sahifa.arabic import gregorian_line, hijri_line, localize_digits, tabular_hijri, to_hijri
from sahifa.content.article import HijriDate

pytestmark = pytest.mark.unit  # no engine: runs with WeasyPrint blocked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("عام 2020", "عام ٢٠٢٠"),
        ("بنسبة 3.5% و2,500 جنيه", "بنسبة ٣٫٥٪ و٢٬٥٠٠ جنيه"),
        ("مؤشر EGX30 وCOVID-19 وA320neo", "مؤشر EGX30 وCOVID-19 وA320neo"),
        (
            "الموقع https://ex.com/2023/05 والبريد info2@x.com",
            "الموقع https://ex.com/2023/05 والبريد info2@x.com",
        ),
        ("www.egx.com.eg ثم 17", "www.egx.com.eg ثم ١٧"),
        ("h1 و 2", "h1 و ٢"),
        ("الساعة 10:30AM وWindows 10 وiPhone 14 Pro", "الساعة 10:30AM وWindows 10 وiPhone 14 Pro"),
        ("ISBN 978-3-16 ورقم file_2023", "ISBN 978-3-16 ورقم file_2023"),
        ("البريد info@x2.com ثم 17 كيلومترًا", "البريد info@x2.com ثم ١٧ كيلومترًا"),
        ("لا أرقام", "لا أرقام"),
    ],
)
def test_localize_digits(text: str, expected: str) -> None:
    assert localize_digits(text) == expected


def test_long_runs_take_linear_time() -> None:
    import time

    started = time.perf_counter()
    localize_digits("ب" * 200_000 + " 5 " + "1" * 200_000)
    assert time.perf_counter() - started < 2  # was quadratic: minutes for this input


def test_western_style_leaves_text_alone() -> None:
    assert localize_digits("عام 2020", "western") == "عام 2020"


def test_gregorian_line() -> None:
    assert gregorian_line(dt.date(2023, 5, 2)) == "الثلاثاء ٢ مايو ٢٠٢٣"
    assert gregorian_line(dt.date(1900, 1, 1), "western") == "الإثنين 1 يناير 1900"


def test_hijri_from_umm_al_qura_tables() -> None:
    assert to_hijri(dt.date(2023, 5, 2)) == HijriDate(1444, 10, 12)  # 1 Shawwal 1444 = 21 April
    assert hijri_line(HijriDate(1444, 10, 12)) == "١٢ شوال ١٤٤٤ هـ"


def test_hijri_before_1924_uses_tabular_calendar() -> None:
    # Umm al-Qura tables start in 1343 AH (August 1924); older back issues still get a date.
    old = dt.date(1900, 1, 1)
    assert to_hijri(old) == tabular_hijri(old) == HijriDate(1317, 8, 28)
    # The tabular calendar stays within two days of the tables where both exist.
    for day in range(0, 3650, 97):
        date = dt.date(2000, 1, 1) + dt.timedelta(days=day)
        a, b = to_hijri(date), tabular_hijri(date)
        assert (a.year, a.month) == (b.year, b.month) or abs(a.day - b.day) > 25
