"""One cell of a clerk's register read as a value of the contract's type, or a Chinese message.

Offices write the same thing many ways: full-width digits and brackets, 2023.5.6 or 2023年5月6日,
√ for yes, "1,200.5", "/" for nothing, Excel date serials. Each is read here, once. A cell that
looks like an ID-card or phone number is refused in any column, and its content is never repeated.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from socialwork.data.contract.schema import Column, Enum
from socialwork.data.contract.spellings import ENUM_ALIASES, PLACEHOLDER_TEXTS

INT32 = 2**31 - 1
EARLIEST_DATE = date(1949, 10, 1)
# Zero-width, soft-hyphen and bidirectional controls: invisible in a name, but they make two equal names differ.
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# What Excel itself refuses in a cell (tab, newline and carriage return are allowed).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WHITESPACE = re.compile(r"\s+")
PERSONAL_NUMBER_MESSAGE = "疑似包含身份证号或手机号码，为保护个人信息不予导入（此处不显示该内容）"
CONTROL_MESSAGE = "含有不可见的控制字符（Excel 不允许的字符），请删除后重新导入"

# A citizen ID (GB 11643): region, birth date 18xx–20xx, sequence, check character; or the old 15 digits.
ID_CARD = re.compile(
    r"(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX](?![\dX])"
    r"|(?<!\d)[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)"
)
MOBILE = re.compile(r"(?<!\d)(?:\+?86|0086)?1[3-9]\d{9}(?!\d)")
MIN_PERSONAL_DIGITS = 10
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}\d{7,8}(?!\d)")  # area code 0xx(x) + 7–8 digits
# Between the digits of a number written by hand: spaces, dots, slashes, brackets and every dash-like character
# (hyphen, non-breaking hyphen, figure dash, en and em dash, horizontal bar, minus, small and full-width hyphen-minus).
DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
NUMBER_SEPARATORS = re.compile(rf"[\s_/.·()（）{DASHES}]")
DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
# The pseudonymous ids this system writes (id_numbers.pseudonymous_id): hex, never a personal number.
PSEUDONYM = re.compile(r"^P[0-9a-f]{16}$")

TRUE_WORDS = frozenset({"是", "有", "√", "✓", "✔", "☑", "y", "yes", "true", "t", "1", "对"})
FALSE_WORDS = frozenset({"否", "无", "×", "✗", "✘", "☐", "n", "no", "false", "f", "0", "不是", "没有"})
CHECK_MARKS = frozenset({"√", "✓", "✔", "☑"})
DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*[T ]?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_RANGE = (18264, 80000)  # 1950-01-01 … 2119: a plain year such as 2023 is never read as a serial


@dataclass(frozen=True)
class UncachedFormula:
    """A formula cell saved without its computed value (the file was written by a program, not Excel)."""

    formula: str


def normalised(text: str) -> str:
    """For comparing spellings: NFKC (full-width to half-width), no invisible characters, no spaces."""
    return WHITESPACE.sub("", INVISIBLE.sub("", unicodedata.normalize("NFKC", text)))


def clean_text(value: object) -> str | None:
    """A cell as trimmed text without invisible characters; None when empty. Numbers keep their digits."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores codes typed as numbers as floats
    text = INVISIBLE.sub("", str(value)).replace("\u3000", " ").replace("\xa0", " ")
    text = WHITESPACE.sub(" ", text).strip()
    return text or None


def looks_personal(value: object) -> bool:
    """An ID-card, mobile or landline number, also written with spaces, dashes, +86 or full-width digits."""
    if value is None or isinstance(value, bool | date | datetime | UncachedFormula):
        return False
    if isinstance(value, float) and not value.is_integer():
        return False  # 0.30000000000000004 is arithmetic, not an ID
    original = clean_text(value) or ""
    if len(original) < MIN_PERSONAL_DIGITS or sum(c.isdigit() for c in original) < MIN_PERSONAL_DIGITS:
        return False  # the shortest number below (a landline with its area code) has 10 digits
    if PSEUDONYM.match(original):
        return False
    text = unicodedata.normalize("NFKC", original).upper()
    if DECIMAL.match(text.replace(",", "")) and "." in text:
        return False
    joined = NUMBER_SEPARATORS.sub("", text)
    return any(pattern.search(candidate) for pattern in (ID_CARD, MOBILE, LANDLINE) for candidate in (text, joined))


def is_placeholder(text: str) -> bool:
    return normalised(text) in PLACEHOLDER_TEXTS or text in PLACEHOLDER_TEXTS


_SPELLINGS: dict[str, dict[str, str]] = {}  # enum name -> normalised spelling -> code, built once per enumeration
Local = dict[str, dict[str, str]]  # spellings one store adds (its talent card's name): enum name -> spelling -> code


def spellings(enum: Enum) -> dict[str, str]:
    """Every accepted spelling of an enumeration's values (label, code, ENUM_ALIASES), normalised -> code."""
    if enum.name not in _SPELLINGS:
        found = {normalised(label): code for code, label in enum.labels.items()}
        found |= {normalised(code): code for code in enum.codes}
        found |= {normalised(alias): code for alias, code in ENUM_ALIASES.get(enum.name, {}).items()}
        _SPELLINGS[enum.name] = found
    return _SPELLINGS[enum.name]


def enum_code(text: str, enum: Enum, local: Local | None = None) -> str | None:
    """The code for a label, code or known spelling of an enumeration value; None when unknown."""
    wanted = normalised(text)
    known = spellings(enum)
    extra = {normalised(s): code for s, code in (local or {}).get(enum.name, {}).items()}
    return extra.get(wanted) or known.get(wanted) or known.get(wanted.lower())


def refused_choice(text: str, enum: Enum, shown: dict[str, str] | None = None) -> str:
    """A value outside an enumeration: the closest allowed value named (what to write instead), then every one.

    shown: labels as this store shows them (code -> label), where they differ from the contract's."""
    labels = enum.labels | (shown or {})
    candidates = {
        **{s: c for s, c in spellings(enum).items() if not s.isascii()},
        **{normalised(v): k for k, v in labels.items()},
    }
    near = difflib.get_close_matches(normalised(text), list(candidates), n=1, cutoff=0.4)
    hint = (
        f"；最接近的允许值是“{labels[candidates[near[0]]]}”，如果指的是它，请改为“{labels[candidates[near[0]]]}”"
        if near
        else ""
    )
    return f"取值“{text}”不在允许范围{hint}。允许值：{'、'.join(labels.values())}"


def parse_boolean(text: str) -> bool | None:
    word = normalised(text).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse_date(value: object) -> tuple[date | None, str | None]:
    """A date from a date cell, 2023-5-6, 2023.5.6, 2023/5/6, 2023年5月6日, 20230506 or an Excel serial."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1] and float(value).is_integer():
            return EXCEL_EPOCH + timedelta(days=int(value)), None
        return None, f"“{clean_text(value)}”不是日期，应为 YYYY-MM-DD"
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = DATE_TEXT.match(text) or COMPACT_DATE.match(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups())), None
        except ValueError:
            pass
    return None, f"日期“{text}”无法识别，应为 YYYY-MM-DD（也可写 2023.5.6、2023/5/6 或 2023年5月6日）"


def parse_number(value: object) -> float | None:
    """A number from a number cell or text such as "1,200.5" or full-width "１２"; None when it is not one."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = normalised(str(value))
    if THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def parse_cell(
    value: object, column: Column, checkmarks: bool = False, local: Local | None = None,
    shown: dict[str, dict[str, str]] | None = None,
) -> tuple[object, str | None]:  # fmt: skip
    """(value in the contract's type, or None; a Chinese message when the cell cannot be read).

    checkmarks: the column marks yes with √ and leaves no empty, so an empty cell there means no. local: spellings
    the store adds; shown: enumeration labels as the store shows them (enum name -> code -> label).
    """
    if isinstance(value, UncachedFormula):
        return (
            None,
            "是公式但文件中没有保存计算结果（文件可能由其他程序生成）；请在 Excel 中打开并保存后重新导入，或填入数值",
        )
    if isinstance(value, str):
        if CONTROL.search(value):
            return None, CONTROL_MESSAGE
        if value.strip().startswith("#") and value.strip().upper() in EXCEL_ERRORS:
            return None, f"是 Excel 错误值 {value.strip().upper()}，请修正该单元格的公式或填入数值"
    if not isinstance(value, bool) and looks_personal(value):
        return None, PERSONAL_NUMBER_MESSAGE
    text = clean_text(value) if not isinstance(value, bool | date | datetime) else None
    if value is None or (isinstance(value, str) and text is None):
        return (False if checkmarks and column.type == "BOOLEAN" else None), None
    if column.enum:
        code = enum_code(text, column.enum, local)
        if code is not None:
            return code, None
        if is_placeholder(text):
            return None, None
        return None, refused_choice(text, column.enum, (shown or {}).get(column.enum.name))
    if text is not None and column.type == "BOOLEAN":
        answer = parse_boolean(text)
        if answer is not None:
            return answer, None
    if text is not None and is_placeholder(text):
        return None, None
    return _typed(value, text, column)


EXCEL_ERRORS = frozenset({"#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"})


def _typed(value: object, text: str | None, column: Column) -> tuple[object, str | None]:
    if column.type == "VARCHAR":
        if column.name.endswith(("_code", "_id")):
            return normalised(text), None  # codes typed with full-width digits
        return text, None
    if column.type == "BOOLEAN":
        if isinstance(value, bool):
            return value, None
        return None, f"“{text}”应为“是”或“否”（也可写 √/空、有/无、Y/N）"
    if column.type == "DATE":
        return parse_date(value)
    number = parse_number(value)
    if column.type == "INTEGER":
        if number is None or not math.isfinite(number) or not number.is_integer():
            return None, f"“{text}”应为整数"
        if abs(number) > INT32:
            return None, "数值过大，超出整数范围"
        return int(number), None
    if number is None:
        return None, f"“{text}”应为数字"
    if not math.isfinite(number):
        return None, f"“{text}”应为有限的数字"
    return number, None
