"""Generated blocks inside hand-written Markdown documents.

A generated block is fenced by two HTML comments, invisible on the site and on GitHub:

    <!-- generated:results start -->
    (written by `skunkworks report`: edits here are overwritten)
    <!-- generated:results end -->

`replace_blocks` rewrites only what lies between the two markers of a block it has content
for; every other character of the document is kept as it is, so hand-written text around the
blocks survives, and writing the same content twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class BlockError(ValueError):
    """Broken block markers in a document: the message names the file and line."""


MARKER = re.compile(r"<!-- generated:(?P<name>[a-z0-9][a-z0-9-]*) (?P<edge>start|end) -->")
# The one marker of unfinished writing, in every document of the project.
TO_COMPLETE = "[TO COMPLETE:"


@dataclass(frozen=True)
class Block:
    name: str
    start: int  # offset just after the start marker
    end: int  # offset of the end marker
    line: int  # line number of the start marker, for messages


def start_marker(name: str) -> str:
    return f"<!-- generated:{name} start -->"


def end_marker(name: str) -> str:
    return f"<!-- generated:{name} end -->"


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def find_blocks(text: str, where: str = "the document") -> list[Block]:
    """The generated blocks of `text`, in order; a `BlockError` for broken markers."""
    blocks: list[Block] = []
    open_name: str | None = None
    open_at = 0
    for match in MARKER.finditer(text):
        name, edge = match["name"], match["edge"]
        line = _line_of(text, match.start())
        if edge == "start":
            if open_name is not None:
                raise BlockError(
                    f"{where}:{line}: block {name!r} starts inside block {open_name!r}: "
                    f"add `{end_marker(open_name)}` before it"
                )
            open_name, open_at = name, match.end()
            continue
        if open_name != name:
            raise BlockError(
                f"{where}:{line}: `{end_marker(name)}` has no matching `{start_marker(name)}`"
            )
        blocks.append(Block(name, open_at, match.start(), _line_of(text, open_at)))
        open_name = None
    if open_name is not None:
        raise BlockError(
            f"{where}:{_line_of(text, open_at)}: block {open_name!r} is never closed: "
            f"add `{end_marker(open_name)}`"
        )
    return blocks


def block_body(content: str) -> str:
    """How `content` sits between the markers: separated by blank lines, so that Markdown
    tables and images inside are parsed as Markdown, and never with trailing spaces."""
    lines = [line.rstrip() for line in content.strip("\n").splitlines()]
    return "\n\n" + "\n".join(lines) + "\n\n"


def replace_blocks(
    text: str, contents: Mapping[str, str], where: str = "the document"
) -> tuple[str, list[str]]:
    """`text` with the body of each block named in `contents` replaced; also the names of
    blocks found in `text` that `contents` does not know (left as they are)."""
    pieces: list[str] = []
    unknown: list[str] = []
    position = 0
    for block in find_blocks(text, where):
        if block.name not in contents:
            unknown.append(block.name)
            continue
        pieces.append(text[position : block.start])
        pieces.append(block_body(contents[block.name]))
        position = block.end
    pieces.append(text[position:])
    return "".join(pieces), unknown


def read_block(text: str, name: str) -> str | None:
    """The body of block `name` (first one), without the surrounding blank lines."""
    for block in find_blocks(text):
        if block.name == name:
            return text[block.start : block.end].strip("\n")
    return None


def update_file(path: Path, contents: Mapping[str, str]) -> tuple[bool, list[str]]:
    """Rewrite the blocks of `path`; whether the file changed, and its unknown block names.

    The file is written only when its text changes, so an unchanged document keeps its
    modification time (and `make`, DVC and editors see nothing new).
    """
    text = path.read_text(encoding="utf-8")
    new_text, unknown = replace_blocks(text, contents, str(path))
    if new_text == text:
        return False, unknown
    path.write_text(new_text, encoding="utf-8")
    return True, unknown


def count_to_complete(text: str) -> int:
    """How many `[TO COMPLETE: ...]` places are left in `text`."""
    return text.count(TO_COMPLETE)
