"""Identify a licence from its text, not its file name.

The reference texts are the ones the template ships (its MIT, Apache-2.0, GPL-3.0 and OGL v3.0
files, bundled with the toolkit): one copy of each, the same the baked projects carry. A text
is that licence when nearly all of the reference's word pairs appear in it and nearly all of
its own word pairs are the reference's (a copyright line, a title or GitHub's layout of the
same licence still match; MIT and a BSD licence, which share phrases, do not). Other common
licences are recognised by a phrase only they contain.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from pathlib import Path

# SPDX identifier -> the template's file that holds its text (relative to the project folder).
_TEMPLATE_TEXTS = {
    "MIT": "{% if cookiecutter.code_licence == 'MIT' %}LICENCE{% endif %}",
    "Apache-2.0": "{% if cookiecutter.code_licence == 'Apache-2.0' %}LICENCE{% endif %}",
    "GPL-3.0": "{% if cookiecutter.code_licence == 'GPL-3.0' %}LICENCE{% endif %}",
    "OGL-UK-3.0": "LICENCE-OGL",
}
# Licences without a copy in the template, each by a phrase only its text holds (normalised:
# lower case, single spaces). Checked in order: the most specific first.
_PHRASES = (
    ("AGPL-3.0", "gnu affero general public license"),
    ("LGPL-3.0", "gnu lesser general public license version 3"),
    ("LGPL-2.1", "gnu lesser general public license version 2.1"),
    ("GPL-2.0", "gnu general public license version 2"),
    ("MPL-2.0", "mozilla public license version 2.0"),
    ("EUPL-1.2", "european union public licence"),
    ("BSD-3-Clause", "neither the name of"),
    ("BSD-2-Clause", "redistribution and use in source and binary forms"),
    ("ISC", "permission to use, copy, modify, and/or distribute this software for any purpose"),
    ("Unlicense", "this is free and unencumbered software released into the public domain"),
    ("CC-BY-4.0", "creative commons attribution 4.0 international"),
    ("CC0-1.0", "cc0 1.0 universal"),
)
_TITLES = (
    ("AGPL-3.0", "gnu affero general public license"),
    ("LGPL-3.0", "gnu lesser general public license version 3"),
    ("LGPL-2.1", "gnu lesser general public license version 2.1"),
)
# How similar a text must be to a reference (word pairs shared, in each direction).
_COVERS_REFERENCE = 0.9
_COVERED_BY_REFERENCE = 0.75
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")

NAMES = {
    "MIT": "MIT",
    "Apache-2.0": "Apache 2.0",
    "GPL-3.0": "GNU GPL v3",
    "OGL-UK-3.0": "Open Government Licence v3.0",
}


def normalise(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())


def _pairs(text: str) -> frozenset[tuple[str, str]]:
    words = _WORD.findall(text.lower())
    return frozenset(itertools.pairwise(words))


@lru_cache(maxsize=1)
def _references() -> dict[str, frozenset[tuple[str, str]]]:
    from skunkworks_poc.template import template_dir

    project = Path(template_dir()) / "{{cookiecutter.project_slug}}"
    references = {}
    for spdx, name in _TEMPLATE_TEXTS.items():
        path = project / name
        if path.is_file():
            references[spdx] = _pairs(_JINJA.sub(" ", path.read_text(encoding="utf-8")))
    return references


def identify(text: str) -> str | None:
    """The SPDX identifier of the licence `text` is (`GPL-3.0` for either GPL-3.0 form,
    `OGL-UK-3.0` for the Open Government Licence), or None when it is none we recognise."""
    pairs = _pairs(text)
    if not pairs:
        return None
    # The AGPL and LGPL repeat most of the GPL's words (and the GPL names them): their titles
    # tell them apart.
    head = normalise(text)[:300]
    for spdx, title in _TITLES:
        if title in head:
            return spdx
    for spdx, reference in _references().items():
        shared = len(pairs & reference)
        if shared >= _COVERS_REFERENCE * len(reference) and shared >= _COVERED_BY_REFERENCE * len(
            pairs
        ):
            return spdx
    flat = normalise(text)
    for spdx, phrase in _PHRASES:
        if phrase in flat:
            return spdx
    return None


def family(spdx: str) -> str:
    """`GPL-3.0-or-later`, `GPL-3.0-only` and `GPL-3.0` are one licence for this purpose."""
    return re.sub(r"-(only|or-later)$|\+$", "", spdx.strip(), flags=re.IGNORECASE).upper()


# Classifier words -> SPDX, for a pyproject.toml that says its licence only by classifier.
CLASSIFIERS = {
    "MIT License": "MIT",
    "Apache Software License": "Apache-2.0",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0",
    "BSD License": "BSD",
    "ISC License (ISCL)": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
}
