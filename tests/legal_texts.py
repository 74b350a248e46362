"""The canonical legal texts the baked licence files must reproduce exactly.

One source of truth: the SPDX License List's full texts, as shipped in the npm package
`spdx-license-list` 6.12.0 (`spdx-full.json`, key `licenseText`). Each checksum below is the
SHA-256 of that text followed by one newline (the files end with a newline, which keeps
pre-commit's end-of-file fixer quiet). Recompute them with:

    npm pack spdx-license-list@6.12.0 && tar xzf spdx-license-list-6.12.0.tgz
    python -c "import json, hashlib; d = json.load(open('package/spdx-full.json'));
    print({k: hashlib.sha256((d[k]['licenseText'] + '\\n').encode()).hexdigest()
           for k in ['MIT', 'Apache-2.0', 'GPL-3.0-or-later', 'OGL-UK-3.0']})"

The MIT text carries a copyright placeholder line that the template fills in with the
`copyright_holder` answer; `canonical_form` puts the placeholder back before hashing.
"""

from __future__ import annotations

import hashlib

SOURCE = "npm spdx-license-list@6.12.0, spdx-full.json"

CANONICAL_SHA256 = {
    "MIT": "b05785f9f18e6716bab63424b11454513b9943a222595b70411009202fc592b5",
    "Apache-2.0": "074e6e32c86a4c0ef8b3ed25b721ca23aca83df277cd88106ef7177c354615ff",
    "GPL-3.0-or-later": "fb981668c18a279e285fc4d83fba1e836cc84dd4daa73c9697d3cfd2d8aca6e0",
    "OGL-UK-3.0": "eb22384c866b63b513254ae3baff6b3bc7d001f559d03e02b6b8b83333a04806",
}

# The `code_licence` prompt's choices and the SPDX identifier each one stands for.
CODE_LICENCE_SPDX = {"MIT": "MIT", "Apache-2.0": "Apache-2.0", "GPL-3.0": "GPL-3.0-or-later"}

# Licence texts with a copyright line to fill in: (line number, canonical placeholder).
COPYRIGHT_LINES = {"MIT": (2, "Copyright (c) <year> <copyright holders>")}


def canonical_form(text: str, spdx_id: str) -> tuple[str, str | None]:
    """The text with its filled-in copyright line put back to the placeholder, and that line."""
    if spdx_id not in COPYRIGHT_LINES:
        return text, None
    index, placeholder = COPYRIGHT_LINES[spdx_id]
    lines = text.split("\n")
    copyright_line, lines[index] = lines[index], placeholder
    return "\n".join(lines), copyright_line


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
