"""Arabic print conventions: Arabic-Indic digits, Gregorian and Hijri date lines.

Egyptian dailies print ٠١٢٣٤٥٦٧٨٩ in text, dates and folios, but digits inside Latin runs,
URLs, e-mail addresses and codes (EGX30, COVID-19) stay as written: a reader types them.
"""

from __future__ import annotations

import datetime as dt
import re

from sahifa.content.article import HijriDate

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
ARABIC_DECIMAL_SEPARATOR = "\u066b"
ARABIC_THOUSANDS_SEPARATOR = "\u066c"
ARABIC_PERCENT = "\u066a"

GREGORIAN_MONTHS = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)  # fmt: skip
HIJRI_MONTHS = (
    "محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة",
    "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة",
)  # fmt: skip
WEEKDAYS = ("الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")

# URLs and e-mail addresses: printed left-to-right as one isolated unit (see sahifa.markup).
# The lookbehind makes a match start only where a run starts: without it, scanning a long run
# of letters for "@" from every position is quadratic.
ADDRESS = re.compile(
    r"(?:https?://|www\.)[^\s<>]*[^\s<>.,;:!?،؛»)\]]"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
# A plain number, with its decimal or thousands separators and an optional percent sign.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
_LATIN = re.compile(r"[A-Za-z]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_SPACES = re.compile(r"(\s+)")


def localize_digits(text: str, style: str = "arabic-indic") -> str:
    """Print plain numbers in ``style`` digits, leaving Latin contexts alone.

    Works on whitespace-separated tokens (linear time whatever the input): a token with a
    Latin letter keeps its digits (EGX30, COVID-19, 10:30AM, URLs, e-mails), and so does a
    number next to a Latin word (Windows 10, iPhone 14 Pro, ISBN 978-3-16).
    """
    if style != "arabic-indic" or not any("0" <= c <= "9" for c in text):
        return text
    parts = _SPACES.split(text)
    words = parts[::2]  # split with a group: words at even indexes, spaces between
    latin = [bool(_LATIN.search(w)) for w in words]
    latin_word = [_is_latin_word(w) for w in words]
    for i, word in enumerate(words):
        if latin[i] or not any("0" <= c <= "9" for c in word):
            continue
        if (i > 0 and latin_word[i - 1]) or (i + 1 < len(words) and latin_word[i + 1]):
            continue
        parts[2 * i] = _NUMBER.sub(_convert_number, word)
    return "".join(parts)


def _is_latin_word(word: str) -> bool:
    """A Latin word, possibly with an attached Arabic prefix ("وWindows"); not an address."""
    if "@" in word or "://" in word or word.startswith("www."):
        return False
    return len(_LATIN.findall(word)) > len(_ARABIC.findall(word))


def _convert_number(match: re.Match[str]) -> str:
    number = match.group()
    number = number.replace(".", ARABIC_DECIMAL_SEPARATOR).replace(",", ARABIC_THOUSANDS_SEPARATOR)
    return number.replace("%", ARABIC_PERCENT).translate(ARABIC_INDIC)


def number(value: int, style: str = "arabic-indic") -> str:
    """An integer in the paper's digits."""
    return str(value).translate(ARABIC_INDIC) if style == "arabic-indic" else str(value)


def gregorian_line(date: dt.date, digits: str = "arabic-indic") -> str:
    """``الثلاثاء ٢ مايو ٢٠٢٣``: weekday, day, Egyptian month name, year."""
    return (
        f"{WEEKDAYS[date.weekday()]} {number(date.day, digits)} "
        f"{GREGORIAN_MONTHS[date.month - 1]} {number(date.year, digits)}"
    )


def hijri_line(hijri: HijriDate, digits: str = "arabic-indic") -> str:
    """``١٢ شوال ١٤٤٤ هـ``."""
    return (
        f"{number(hijri.day, digits)} {HIJRI_MONTHS[hijri.month - 1]} "
        f"{number(hijri.year, digits)} هـ"
    )


def to_hijri(date: dt.date) -> HijriDate:
    """The Hijri date of a Gregorian one.

    Umm al-Qura tables (``hijridate``) from 1924 on; before them the tabular (arithmetic)
    Islamic calendar, which may differ from the date printed then by a day or two. An article
    or edition may give ``hijri_date`` explicitly when the official date differs.
    """
    try:
        from hijridate import Gregorian

        h = Gregorian(date.year, date.month, date.day).to_hijri()
        return HijriDate(h.year, h.month, h.day)
    except (OverflowError, ValueError):
        return tabular_hijri(date)


def tabular_hijri(date: dt.date) -> HijriDate:
    """Arithmetic Islamic calendar (civil epoch 16 July 622 Julian, leap years 2,5,7,10,…)."""
    jdn = date.toordinal() + 1721425  # Julian Day Number at noon
    days = jdn - 1948440 + 10632
    cycle = (days - 1) // 10631
    days = days - 10631 * cycle + 354
    j = ((10985 - days) // 5316) * ((50 * days) // 17719) + (days // 5670) * ((43 * days) // 15238)
    days = days - ((30 - j) // 15) * ((17719 * j) // 50) - (j // 16) * ((15238 * j) // 43) + 29
    month = (24 * days) // 709
    day = days - (709 * month) // 24
    year = 30 * cycle + j - 30
    return HijriDate(year, month, day)
