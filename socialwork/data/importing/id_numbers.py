"""ID-card numbers on a people sheet: checked (format, GB 11643 check digit) and turned into a pseudonymous person id
with the deployment's secret key; the number itself is never stored or repeated in a message."""

from __future__ import annotations

import hashlib
import hmac
import re

from socialwork.data.importing.cells import clean_text, normalised

ID_KEY_ENV = "SOCIALWORK_ID_KEY"
ID_NUMBER = re.compile(r"^\d{17}[\dX]$|^\d{15}$")
NO_KEY = f"未配置人员编号密钥（环境变量 {ID_KEY_ENV}），无法由身份证号生成人员编号"


def pseudonymous_id(id_number: str, key: str) -> str:
    """A stable person id from an ID-card number: HMAC-SHA256 with the deployment's secret key."""
    digest = hmac.new(key.encode(), id_number.strip().upper().encode(), hashlib.sha256).hexdigest()
    return f"P{digest[:16]}"


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"


def id_check_digit_ok(id_number: str) -> bool:
    """GB 11643: the 18th character of a citizen ID is a checksum of the first 17 (15-digit IDs have none)."""
    if len(id_number) == 15:
        return True
    total = sum(int(digit) * weight for digit, weight in zip(id_number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARACTERS[total % 11] == id_number[17].upper()


def person_id(id_number: object, key: str | None) -> tuple[str | None, str | None]:
    """The pseudonymous id for a row's ID-card number; messages never repeat the number itself."""
    if isinstance(id_number, int | float) and not isinstance(id_number, bool):
        return None, "身份证号须以文本格式填写（Excel 会把 18 位数字截断为 15 位有效数字）"
    text = clean_text(id_number)
    if text is None:
        return None, "人员编号和身份证号不能同时为空"
    text = normalised(text).upper()  # full-width digits and Ｘ
    if not ID_NUMBER.match(text):
        return None, "身份证号格式不正确（应为 18 位或 15 位）"
    if not id_check_digit_ok(text):
        return None, "身份证号校验位不正确，请核对（此处不显示号码）"
    if not key:
        return None, NO_KEY
    return pseudonymous_id(text, key), None
