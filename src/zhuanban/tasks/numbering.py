"""Official numbering of a task tree: 一、(一) 1. (1) ① or 1.2.3, from one tree."""

_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"))
_UNIT_VALUES = {unit: value for value, unit in _UNITS}


def chinese_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 105 → 一百零五, 1010 → 一千零一十, 10010 → 一万零一十 (below 10⁸)."""
    if not 0 < n < 100_000_000:
        raise ValueError(n)
    high, low = divmod(n, 10_000)
    if not high:
        return _below_10000(low, first=True)
    text = _below_10000(high, first=True) + "万"
    if low:
        text += ("零" if low < 1000 else "") + _below_10000(low, first=False)
    return text


def _below_10000(n: int, *, first: bool) -> str:
    """1 ≤ n < 10,000; `first`: it opens the numeral, where 十二 drops its 一 (一百一十二)."""
    out: list[str] = []
    pending_zero = False
    for value, unit in _UNITS:
        digit, n = divmod(n, value)
        if digit:
            if pending_zero:
                out.append("零")
                pending_zero = False
            if not (value == 10 and digit == 1 and first and not out):
                out.append(_DIGITS[digit])
            out.append(unit)
        elif out:
            pending_zero = True
    if n:
        out.append(("零" if pending_zero else "") + _DIGITS[n])
    return "".join(out)


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
    """一 → 1, 十二 → 12, 一千零五 → 1005, 一万零一十 → 10010; None when not a numeral."""
    if not text or any(ch not in _DIGITS + "十百千万" for ch in text):
        return None
    total = section = current = 0
    for ch in text:
        if ch == "万":
            total += (section + current) * 10_000
            section = current = 0
        elif ch in _UNIT_VALUES:
            section += (current or 1) * _UNIT_VALUES[ch]
            current = 0
        else:
            current = _DIGITS.index(ch)
    return total + section + current or None
