"""Guards that keep patient data, data files and credentials out of git.

`skunkworks check data-files|nhs-numbers|env-credentials FILES...` runs them (the `repo: local`
hooks of a generated project's `.pre-commit-config.yaml`, from the project's own environment,
offline); the reviewer calls the same functions. Each guard has a plain API that takes paths
(or text) and returns `Problem`s; the command line lives in `checks/cli.py`.

- `data_files.data_file_findings(paths, allowed)`: data and model files, by name and content;
- `nhs_numbers.find_nhs_numbers(text, allowed)` (findings in text) and
  `nhs_numbers.nhs_number_findings(paths, allowed)` (in files and file names);
- `env_files.env_credential_findings(paths)`: credentials in `.env` files.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing a guard refuses: where it is and what to do about it.

    The message never holds the secret or the NHS number itself (hook output ends up in CI
    logs); `line` and `column` count from 1 and are None when the problem is the whole file.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


# Byte order marks, longest first: UTF-32's begin with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# How much of a file without a byte order mark is looked at to tell UTF-16 from binary.
_SNIFF_BYTES = 8192


def decode(content: bytes) -> str | None:
    """The text of `content`, or None for binary content.

    UTF-8, UTF-16 and UTF-32 with a byte order mark; UTF-16 without one (recognised by the
    zero byte beside every ASCII character); otherwise UTF-8, falling back to Latin-1.
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace")
    head = content[:_SNIFF_BYTES]
    if b"\0" in head:
        even, odd = head[0::2], head[1::2]
        if odd and odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return content.decode("utf-16-le", errors="replace")
        if even and even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return content.decode("utf-16-be", errors="replace")
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")
