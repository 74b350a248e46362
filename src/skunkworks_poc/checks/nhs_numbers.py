"""Refuse files, file names and commit messages that contain an NHS number.

An NHS number is 10 digits whose last is a Modulus 11 check digit, in a range that is issued
to patients: England, Wales and the Isle of Man (400 000 0000 - 499 999 9999 and
600 000 0000 - 799 999 9999), Northern Ireland (320 000 0000 - 399 999 9999), Scotland's CHI
numbers (a DDMMYY birth date, then four digits) and the Republic of Ireland's IHI
(800 000 0000 - 859 999 9999). Numbers that are never issued pass: the synthetic and test
range 900 000 0000 - 999 999 9999 (test data should use 999 ...), the reserved 5 range and the
unallocated blocks.

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

Validity (Modulus 11, and a real DDMMYY date in a CHI number) and the ranges come from the
maintained `nhs-number` package; finding candidates in free text is this module's own work,
since the package only judges a number it is handed (docs/design.md says more).

More numbers can be allowed with `--allow NUMBER` (in the hook's `args:`). The hook never
prints a full number, because hook output ends up in CI logs. `skunkworks check nhs-numbers
FILES...` runs it; `find_nhs_numbers(text)` and `nhs_number_findings(paths)` are the API.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import nhs_number

from skunkworks_poc.checks import Problem, decode

# The regions whose numbers are issued to patients, with the name a message gives them.
# Everything else (`nhs_number.REGION_SYNTHETIC`, `REGION_RESERVED`, `REGION_UNALLOCATED`) is
# never someone's number.
ISSUED_REGIONS = (
    (nhs_number.REGION_SCOTLAND, "Scotland (CHI)"),
    (nhs_number.REGION_NORTHERN_IRELAND, "Northern Ireland"),
    (nhs_number.REGION_ENGLAND_WALES_IOM, "England, Wales, Isle of Man"),
    (nhs_number.REGION_EIRE, "Republic of Ireland (IHI)"),
)
_ASCENDING = "0123456789" * 2
_DESCENDING = "9876543210" * 2
_CONTEXT = 256

# Characters people put between the groups of a number: Unicode spaces (`\s` covers the
# non-breaking, thin, narrow and ideographic ones), hyphens and dashes, the minus sign, a dot.
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SEPARATOR = r"(?:[^\S\n]?[" + _DASHES + r".][^\S\n]?|[^\S\n][^\S\n]?)"
# A chain of digit groups joined by separators; `\d` also matches non-ASCII digits.
_CHAIN = re.compile(rf"\d+(?:{_SEPARATOR}\d+)*")
_GROUP = re.compile(r"\d+")
# Zero-width characters that would otherwise split a number invisibly.
INVISIBLE_CHARACTERS = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
# The value of a key that names a size, a time or a phone is never an NHS number.
_EXEMPT_KEY = re.compile(
    r"(?:size|bytes|length|mtime|ctime|atime|time|timestamp|epoch|seconds|millis|date"
    r"|created|updated|modified|expires|expiry|tel|phone|mobile|fax)[\w-]*[\"']?\s*[:=]\s*[\"']?$",
    re.IGNORECASE,
)
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S*$", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s")
# How far back a key name can start: the patterns end in `$`, and searching a whole window at
# every position made a lock file (thousands of digit runs) take seconds.
_KEY_REACH = 64


def _exempt_by_what_precedes(before: str) -> bool:
    """A phone number with its country code (`+44 7700 900123`), a signed number (`-N...`, but
    not `NHS-...`), a fraction without its leading zero (`.N...`), an id in a link
    (`#issuecomment-N...`), the value of a size, time or phone key."""
    if before.endswith(("+", ".")):
        return True
    if before.endswith("-") and not (
        len(before) > 1 and before[-2].isascii() and before[-2].isalpha()
    ):
        return True
    if "://" in before and _URL.search(_WHITESPACE.split(before)[-1]):
        return True
    key_end = before.rstrip().rstrip("\"'").rstrip()
    return key_end.endswith((":", "=")) and bool(_EXEMPT_KEY.search(before[-_KEY_REACH:]))


# Hexadecimal tokens (hashes, run ids) can contain ten digits in a row by chance.
_HEX_TOKEN = re.compile(r"[0-9a-fA-F]+")


def is_valid_nhs_number(digits: str) -> bool:
    """True when the ten ASCII `digits` are a valid NHS number by `nhs-number`'s rules: the
    Modulus 11 check digit, and a real DDMMYY birth date at the start of a CHI number."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    return nhs_number.is_valid(digits)


def issued_range(digits: str) -> str | None:
    """The region whose issued range holds the ten `digits`, or None for numbers never issued.
    Says nothing of validity: a CHI number must also start with a date (`is_valid_nhs_number`)."""
    for region, name in ISSUED_REGIONS:
        if region.contains_number(digits):
            return name
    return None


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
        if end - start < 10:  # fewer than ten digits: most runs in a lock file or a table
            continue
        # A window each side, not the whole line: a minified file is one long line of numbers.
        before, after = line[max(0, start - _CONTEXT) : start], line[end : end + _CONTEXT]
        if _exempt_by_what_precedes(before):
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


def _digits(numbers: Iterable[str]) -> set[str]:
    return {re.sub(r"[^0-9]", "", number) for number in numbers}


def find_nhs_numbers(text: str, allowed: Iterable[str] = ()) -> list[Finding]:
    """Every NHS number in `text` that is not in `allowed` (written with any separators)."""
    allowed_digits = _digits(allowed)
    return [
        Finding(line_number, column, digits)
        for line_number, line in enumerate(text.splitlines(), start=1)
        for column, digits in _candidates(line.translate(INVISIBLE_CHARACTERS))
        if is_nhs_number(digits) and digits not in allowed_digits
    ]


def read_text(path: str) -> str | None:
    """The file's text, or None for a binary file."""
    with open(path, "rb") as file:
        return decode(file.read())


_ADVICE = (
    "remove it; test data should use numbers from the 999 test range, which pass. A documented "
    "fake can be allowed with `args: [--allow, NUMBER]` on the hooks in .pre-commit-config.yaml."
)


def nhs_number_findings(paths: Sequence[str], allowed: Iterable[str] = ()) -> list[Problem]:
    """One problem per NHS number in the names and contents of the files in `paths` (binary
    files are judged by name only), and per file that cannot be read."""
    allowed = list(allowed)
    problems = []
    for path in paths:
        for finding in find_nhs_numbers(path, allowed):
            problems.append(
                Problem(
                    path,
                    f"the file name contains a valid NHS number ({finding.masked}) — rename it.",
                )
            )
        try:
            text = read_text(path)
        except OSError as error:
            problems.append(Problem(path, f"cannot be read ({error.strerror})"))
            continue
        if text is None:
            continue
        for finding in find_nhs_numbers(text, allowed):
            problems.append(
                Problem(
                    path,
                    f"a valid NHS number ({finding.masked}) — {_ADVICE}",
                    finding.line,
                    finding.column,
                )
            )
    return problems
