"""Refuse files, file names and commit messages that contain an NHS number.

An NHS number is 10 digits whose last is a Modulus 11 check digit, in a range that is issued
to patients: England, Wales and the Isle of Man (400 000 0000 - 499 999 9999 and
600 000 0000 - 799 999 9999), Northern Ireland (320 000 0000 - 399 999 9999), Scotland's CHI
numbers (a DDMMYY birth date, then four digits) and the Republic of Ireland's IHI
(800 000 0000 - 859 999 9999). Numbers that are never issued pass: the synthetic and test
range 900 000 0000 - 999 999 9999 (test data should use 999 ...), the reserved 5 range and the
unallocated blocks. The ranges are those collated by the `nhs-number` package.

Found however they are written (N is a digit): plain (`NNNNNNNNNN`), as a spreadsheet float
(`NNNNNNNNNN.0`), glued to letters (`NHSNNNNNNNNNN`), or 3-3-4 with any mix of spaces
(including non-breaking and other Unicode spaces), hyphens or Unicode dashes and dots
(`NNN NNN-NNNN`, `NNN.NNN.NNNN`). Files are read as UTF-8, UTF-16/32 (with or without a byte
order mark) or Latin-1; invisible zero-width characters are ignored.

Not NHS numbers: digits inside a longer number, a hash or a decimal fraction
(`0.3333333333`); a 3-3-4 group inside a longer group of numbers written the same way; phone
numbers written with a country code (`+44 7700 900123`); placeholders made of one repeated
digit or a straight run (`0123456789`); and values of keys that name a size, a time or a
phone (`size: NNNNNNNNNN` in a `.dvc` file, `"timestamp": 1732650004`); signed numbers and
numbers inside a URL (`#issuecomment-NNNNNNNNNN`).

More numbers can be allowed with `--allow NUMBER` or in `DOCUMENTED_TEST_NUMBERS` below. The
hook never prints a full number, because hook output ends up in CI logs.
"""

from __future__ import annotations

import datetime
import itertools
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from {{ cookiecutter.package_name }}.checks import decode, hook_arguments

# Numbers that pass the check and sit in an issued range but are documented as fake in this
# project (its tests build their own at run time). Add yours here, or pass `--allow`.
DOCUMENTED_TEST_NUMBERS: tuple[str, ...] = ()

# Issued ranges, inclusive (source: the `nhs-number` package's constants, v2.2.0).
_ISSUED_RANGES = (
    (100_000_000, 3_112_999_999, "Scotland (CHI)"),
    (3_200_000_000, 3_999_999_999, "Northern Ireland"),
    (4_000_000_000, 4_999_999_999, "England, Wales, Isle of Man"),
    (6_000_000_000, 7_999_999_999, "England, Wales, Isle of Man"),
    (8_000_000_000, 8_599_999_999, "Republic of Ireland (IHI)"),
)
_WEIGHTS = range(10, 1, -1)
_ASCENDING = "0123456789" * 2
_DESCENDING = "9876543210" * 2
_CONTEXT = 256

# Characters people put between the groups of a number: Unicode spaces (`\s` covers the
# non-breaking, thin, narrow and ideographic ones), hyphens and dashes, the minus sign, a dot.
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
# Built by concatenation: this file is a Jinja template, where doubled braces are special.
_SEPARATOR = r"(?:[^\S\n]?[" + _DASHES + r".][^\S\n]?|[^\S\n][^\S\n]?)"
# A chain of digit groups joined by separators; `\d` also matches non-ASCII digits.
_CHAIN = re.compile(rf"\d+(?:{_SEPARATOR}\d+)*")
_GROUP = re.compile(r"\d+")
# Zero-width characters that would otherwise split a number invisibly.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# The value of a key that names a size, a time or a phone is never an NHS number.
_EXEMPT_KEY = re.compile(
    r"(?:size|bytes|length|mtime|ctime|atime|time|timestamp|epoch|seconds|millis|date"
    r"|created|updated|modified|expires|expiry|tel|phone|mobile|fax)[\w-]*[\"']?\s*[:=]\s*[\"']?$",
    re.IGNORECASE,
)
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S*$", re.IGNORECASE)
# Hexadecimal tokens (hashes, run ids) can contain ten digits in a row by chance.
_HEX_TOKEN = re.compile(r"[0-9a-fA-F]+")


def is_valid_nhs_number(digits: str) -> bool:
    """True when the ten `digits` pass the NHS number Modulus 11 check."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def issued_range(digits: str) -> str | None:
    """The region whose issued range holds `digits`, or None for numbers never issued."""
    number = int(digits)
    for start, end, region in _ISSUED_RANGES:
        if start <= number <= end:
            if region.startswith("Scotland") and not _is_birth_date(digits[:6]):
                return None
            return region
    return None


def _is_birth_date(ddmmyy: str) -> bool:
    day, month = int(ddmmyy[:2]), int(ddmmyy[2:4])
    try:
        # A leap year, so that 29 February counts whatever the century.
        datetime.date(2000, month, day)
    except ValueError:
        return False
    return True


def is_placeholder(digits: str) -> bool:
    """Repeated digits or a straight run: valid by chance, never someone's number."""
    return len(set(digits)) == 1 or digits in _ASCENDING or digits in _DESCENDING


def is_nhs_number(digits: str) -> bool:
    """Ten digits that pass the check, in an issued range, and are not a placeholder."""
    return (
        is_valid_nhs_number(digits) and issued_range(digits) is not None
    ) and not is_placeholder(digits)


@dataclass(frozen=True)
class Finding:
    line: int
    column: int
    digits: str

    @property
    def masked(self) -> str:
        return f"{self.digits[:3]} *** ****"


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.digit(char)) for char in text)


def _candidates(line: str) -> Iterator[tuple[int, str]]:
    """(column, ten digits) for every place in `line` where an NHS number could be written."""
    for chain in _CHAIN.finditer(line):
        start, end = chain.span()
        # A window each side, not the whole line: a minified file is one long line of numbers.
        before, after = line[max(0, start - _CONTEXT) : start], line[end : end + _CONTEXT]
        # A phone number with its country code (`+44 7700 900123`), a signed number (`-NNNNNNNNNN`,
        # but not `NHS-...`), a fraction without its leading zero (`.NNNNNNNNNN`), an id in a
        # link (`#issuecomment-NNNNNNNNNN`), the value of a size, time or phone key.
        if (
            before.endswith(("+", "."))
            or re.search(r"(^|[^A-Za-z])-$", before)
            or _URL.search(before)
            or _EXEMPT_KEY.search(before)
        ):
            continue
        groups = list(_GROUP.finditer(chain.group()))
        text = chain.group()
        separators = [
            text[left.end() : right.start()] for left, right in itertools.pairwise(groups)
        ]
        lengths = [len(group.group()) for group in groups]
        # 3-3-4, alone or set apart from its neighbours by a different separator.
        for first in range(len(groups) - 2):
            if lengths[first : first + 3] != [3, 3, 4]:
                continue
            inside = {sep.strip() or " " for sep in separators[first : first + 2]}
            outside = [
                separators[index].strip() or " "
                for index in (first - 1, first + 2)
                if 0 <= index < len(separators)
            ]
            # Not the digits of a decimal grouped in threes (`0.857 438 2329`).
            after_point = first > 0 and separators[first - 1] == "."
            if all(sep not in inside for sep in outside) and not after_point:
                digits = "".join(group.group() for group in groups[first : first + 3])
                yield start + groups[first].start() + 1, _ascii_digits(digits)
        # Ten digits in a row: not the fraction or the integer part of a decimal number
        # (`0.3333333333`, `NNNNNNNNNN.25`), but a float with a zero fraction counts, since
        # that is how pandas writes an identifier column with gaps (`NNNNNNNNNN.0`).
        for index, group in enumerate(groups):
            if lengths[index] != 10:
                continue
            if index > 0 and separators[index - 1] == ".":
                continue
            if (
                index + 1 < len(groups)
                and separators[index] == "."
                and set(groups[index + 1].group()) != {"0"}
            ):
                continue
            if index == 0 and re.search(r"\d\.$", before):
                continue
            # Glued to letters (`NHSNNNNNNNNNN`) counts, unless the whole token is hex.
            token_start = start + group.start()
            token_end = start + group.end()
            glued_before = index == 0 and before[-1:].isalpha()
            glued_after = index == len(groups) - 1 and after[:1].isalpha()
            if glued_before or glued_after:
                left = re.search(
                    r"[0-9A-Za-z]*$", line[max(0, token_start - _CONTEXT) : token_start]
                )
                right = re.match(r"[0-9A-Za-z]*", line[token_end : token_end + _CONTEXT])
                token = (
                    (left.group() if left else "")
                    + group.group()
                    + (right.group() if right else "")
                )
                if _HEX_TOKEN.fullmatch(token):
                    continue
            yield token_start + 1, _ascii_digits(group.group())


def find_nhs_numbers(text: str, allowed: Iterable[str] = ()) -> Iterator[Finding]:
    """Every NHS number in `text` that is neither documented nor in `allowed` (separators in
    the allowed numbers are ignored)."""
    allowed_digits = {
        re.sub(r"[^0-9]", "", number) for number in (*DOCUMENTED_TEST_NUMBERS, *allowed)
    }
    for line_number, line in enumerate(text.splitlines(), start=1):
        for column, digits in _candidates(line.translate(_INVISIBLE)):
            if is_nhs_number(digits) and digits not in allowed_digits:
                yield Finding(line_number, column, digits)


def read_text(path: str) -> str | None:
    """The file's text, or None for a binary file."""
    with open(path, "rb") as file:
        return decode(file.read())


def main(argv: Sequence[str] | None = None) -> int:
    args = hook_arguments(
        argv,
        description=__doc__.splitlines()[0],
        allow_metavar="NUMBER",
        allow_help="also allow this documented test NHS number (repeat for more)",
    )
    found = 0
    advice = (
        "remove it; if it is a documented fake, add it to DOCUMENTED_TEST_NUMBERS in "
        "this module (or use a 999 test-range number)."
    )
    for path in args.filenames:
        for finding in find_nhs_numbers(path, args.allow):
            found += 1
            print(
                f"{path}: the file name contains a valid NHS number ({finding.masked}) — "
                "rename it.",
                file=sys.stderr,
            )
        try:
            text = read_text(path)
        except OSError as error:
            print(f"{path}: cannot be read ({error.strerror})", file=sys.stderr)
            found += 1
            continue
        if text is None:
            continue
        for finding in find_nhs_numbers(text, args.allow):
            found += 1
            print(
                f"{path}:{finding.line}:{finding.column}: a valid NHS number "
                f"({finding.masked}) — {advice}",
                file=sys.stderr,
            )
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
