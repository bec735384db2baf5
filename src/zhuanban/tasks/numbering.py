"""Official numbering of a task tree: 一、(一) 1. (1) ① or 1.2.3, from one tree."""

_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (enough for any list)."""
    if n <= 0:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return _DIGITS[hundreds] + "百"
    tail = chinese_numeral(rest) if rest >= 10 else "零" + _DIGITS[rest]
    if 10 <= rest < 20:
        tail = "一" + tail
    return _DIGITS[hundreds] + "百" + tail


def chinese_level(depth: int, n: int) -> str:
    """The number of the n-th item at a depth, as GB/T 9704 documents number levels."""
    if depth == 0:
        return f"{chinese_numeral(n)}、"
    if depth == 1:
        return f"({chinese_numeral(n)})"
    if depth == 2:
        return f"{n}."
    if depth == 3:
        return f"({n})"
    return _CIRCLED[n - 1] if n <= len(_CIRCLED) else f"{n})"


def format_number(positions: list[int], style: str) -> str:
    if not positions:
        return ""
    if style == "decimal":
        return ".".join(str(p) for p in positions)
    return chinese_level(len(positions) - 1, positions[-1])


def format_full_number(positions: list[int], style: str) -> str:
    """The number with its ancestors' (一、(二)3.), for rows shown without their headings."""
    if style == "decimal":
        return format_number(positions, style)
    return "".join(chinese_level(depth, n) for depth, n in enumerate(positions))


def parse_chinese_numeral(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23; None when the text is not a numeral."""
    if not text or any(ch not in _DIGITS + "十百" for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _DIGITS.index(ch)
    return total + current or None
