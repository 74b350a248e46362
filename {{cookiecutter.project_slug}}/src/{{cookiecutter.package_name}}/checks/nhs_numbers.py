"""Refuse text that contains an NHS number: a 10-digit number that passes the Modulus 11 check.

Only whole, separate numbers count, written plainly (`9990000018`) or in the usual spaced or
hyphenated 3-3-4 form (`999 000 0018`). Digits that are part of a longer number, a word, a
hash or a decimal fraction (`0.3333333333`) are not candidates, and neither are placeholders
made of one repeated digit or a run such as `0123456789`, which pass the check by chance.
Documented test numbers are allowed: those in `DOCUMENTED_TEST_NUMBERS` below (the ones this
project's own tests use) and any given with `--allow NUMBER`. The hook never prints a full
number, because hook output ends up in CI logs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from {{ cookiecutter.package_name }}.checks import hook_arguments

# Whole numbers only: not the tail or head of a word, hash, decimal fraction or longer number.
_CANDIDATE = re.compile(
    r"(?<![\w.])"
    r"(?:(?P<plain>[0-9]{10})"
    r"|(?<![0-9][ -])"
    r"(?P<a>[0-9]{3})(?P<sep>[ -])(?P<b>[0-9]{3})(?P=sep)(?P<c>[0-9]{4})"
    r"(?![ -][0-9]))"
    r"(?!\w)(?!\.[0-9])",
    re.ASCII,
)
# Test numbers this project documents and uses in its own tests; add yours here.
DOCUMENTED_TEST_NUMBERS = ("999 000 0018",)
_WEIGHTS = range(10, 1, -1)
_ASCENDING = "0123456789" * 2
_DESCENDING = "9876543210" * 2
_BINARY_SNIFF_BYTES = 8192


def is_valid_nhs_number(digits: str) -> bool:
    """True when the ten `digits` pass the NHS number Modulus 11 check."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def is_placeholder(digits: str) -> bool:
    """Repeated digits or a straight run: valid by chance, never someone's number."""
    return len(set(digits)) == 1 or digits in _ASCENDING or digits in _DESCENDING


@dataclass(frozen=True)
class Finding:
    line: int
    column: int
    digits: str

    @property
    def masked(self) -> str:
        return f"{self.digits[:3]} *** ****"


def find_nhs_numbers(text: str, allowed: Iterable[str] = ()) -> Iterator[Finding]:
    """Every NHS number in `text` that is neither documented nor in `allowed` (spaces and
    hyphens in the allowed numbers are ignored)."""
    allowed_digits = {
        re.sub(r"[^0-9]", "", number) for number in (*DOCUMENTED_TEST_NUMBERS, *allowed)
    }
    for line_number, line in enumerate(text.splitlines(), start=1):
        for match in _CANDIDATE.finditer(line):
            digits = match["plain"] or match["a"] + match["b"] + match["c"]
            if (
                is_valid_nhs_number(digits)
                and not is_placeholder(digits)
                and digits not in allowed_digits
            ):
                yield Finding(line_number, match.start() + 1, digits)


def read_text(path: str) -> str | None:
    """The file's text, or None for a binary file."""
    with open(path, "rb") as file:
        content = file.read()
    if b"\0" in content[:_BINARY_SNIFF_BYTES]:
        return None
    return content.decode("utf-8", errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    args = hook_arguments(
        argv,
        description=__doc__.splitlines()[0],
        allow_metavar="NUMBER",
        allow_help="also allow this documented test NHS number (repeat for more)",
    )
    found = 0
    for path in args.filenames:
        text = read_text(path)
        if text is None:
            continue
        for finding in find_nhs_numbers(text, args.allow):
            found += 1
            print(
                f"{path}:{finding.line}:{finding.column}: a valid NHS number "
                f"({finding.masked}) — remove it; if it is a documented test number, "
                "add it to DOCUMENTED_TEST_NUMBERS in this module.",
                file=sys.stderr,
            )
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
