"""Refuse credentials in `.env` files: only an example with empty or placeholder values may
be committed.

detect-secrets judges a file's syntax by its extension, so in `.env.example` (extension
`.example`) it only sees quoted values and misses `MLFLOW_TRACKING_PASSWORD=Wq7vT2pLx9Rk`.
This hook reads every environment file (`.env`, `.env.*`, `*.env`) as `KEY=value` lines:

- `.env` and `.env.<anything but example, sample, template or dist>` hold a machine's own
  settings and secrets: they are git-ignored and never committed;
- in an example, a key that names a credential (password, secret, token, key, credential,
  auth, DSN, connection string) must have an empty value or an obvious placeholder
  (`<your password>`, `${MLFLOW_PASSWORD}`, `changeme`, `xxx`), and no value may be a URL that
  carries a password before its `@`.

The hook never prints a value, because hook output ends up in CI logs. `skunkworks check
env-credentials FILES...` runs it; `env_credential_findings(paths)` is the API.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from pathlib import PurePosixPath

from skunkworks_poc.checks import Problem

_EXAMPLE_SUFFIXES = frozenset({"example", "sample", "template", "dist", "defaults", "tmpl"})
# Words of a key (split at `_`, `.`, `-`) that name a credential.
_CREDENTIAL_WORDS = frozenset(
    {"password", "passwd", "pass", "pwd", "passphrase", "secret", "secrets", "token", "key"}
    | {"apikey", "credential", "credentials", "auth", "dsn", "sas", "connectionstring"}
)
_PLACEHOLDER = re.compile(
    r"|<[^<>]*>|\$\{?\w+\}?|\{\{[^{}]*\}\}|\.\.\.|…|x{3,}|\*{3,}"
    r"|(change[-_ ]?me|your[-_ ].*|replace[-_ ].*|placeholder|redacted|example|todo|tbd"
    r"|none|null|secret|password|token)",
    re.IGNORECASE,
)
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][\w.-]*)\s*[=:]\s*(?P<value>.*)$")
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]*:(?P<password>[^@\s/]+)@", re.I)


def is_env_file(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def is_example(path: str) -> bool:
    """`.env.example` and its kin are meant to be committed; `.env`, `.env.local` are not."""
    name = PurePosixPath(path).name.lower()
    parts = set(name.split("."))
    return bool(parts & _EXAMPLE_SUFFIXES)


def _unquoted(value: str) -> str:
    value = value.strip()
    # An unquoted value ends at an inline comment.
    if value[:1] in "\"'" and len(value) >= 2 and value.endswith(value[0]):
        return value[1:-1]
    if value[:1] not in "\"'":
        value = re.split(r"\s+#", value, maxsplit=1)[0]
    return value.strip()


def is_credential_key(key: str) -> bool:
    words = [word.lower() for word in re.split(r"[_.-]+", key) if word]
    joined = {a + b for a, b in itertools.pairwise(words)}
    return bool(_CREDENTIAL_WORDS.intersection(words) | _CREDENTIAL_WORDS.intersection(joined))


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.fullmatch(value.strip()))


def credential_lines(text: str) -> Iterator[tuple[int, str, str]]:
    """(line number, key, why) for every line that gives a credential a real-looking value."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        match = _ASSIGNMENT.match(line)
        if not match:
            continue
        key, value = match["key"], _unquoted(match["value"])
        url = _URL_PASSWORD.search(value)
        if url and not is_placeholder(url["password"]):
            yield number, key, "a URL with a password in it"
        elif is_credential_key(key) and not is_placeholder(value):
            yield number, key, "a credential with a real-looking value"


def env_credential_findings(paths: Sequence[str]) -> list[Problem]:
    """One problem per environment file in `paths` that is a machine's own (never committed)
    and per credential with a real-looking value in an example; other files are ignored."""
    problems = []
    for path in paths:
        if not is_env_file(path):
            continue
        if not is_example(path):
            problems.append(
                Problem(
                    path,
                    "a machine's own environment file — keep it out of git "
                    "(it is git-ignored); commit a `.env.example` with placeholders instead.",
                )
            )
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as file:
                text = file.read()
        except OSError as error:
            problems.append(Problem(path, f"cannot be read ({error.strerror})"))
            continue
        for number, key, why in credential_lines(text):
            problems.append(
                Problem(
                    path,
                    f"{key} holds {why} — leave it empty or write a placeholder such as "
                    "<your-password>, and rotate the credential if it is real.",
                    number,
                )
            )
    return problems
