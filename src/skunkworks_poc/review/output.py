"""A review as text (terminal), JSON (docs/review-schema.json) or one self-contained HTML page.

Everything taken from the reviewed repository (file names, notes, messages quoting it) is
untrusted: the HTML escapes it with `html.escape`, the text output drops control characters
(no terminal escape sequences from a file name), and the JSON is JSON.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from skunkworks_poc.review import SCHEMA_VERSION, Finding, Review
from skunkworks_poc.review.checks import FAMILIES, describe_evidence

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SYMBOL = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}
_COLOUR = {"pass": "32", "fail": "31", "skip": "33"}


def _valid(text: str) -> str:
    """`text` as valid Unicode: a file name that is not UTF-8 (read with surrogate escapes)
    shows its undecodable bytes as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _valid(value)
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def plain(value: Any) -> str:
    """One line, with no control characters (including bidirectional overrides)."""
    return _CONTROL.sub("?", _valid(str(value)))


def where(item: dict[str, Any]) -> str:
    """Where a piece of evidence is: file, line, size and note, as the checks describe it."""
    return describe_evidence(item)


def summary_line(review: Review) -> str:
    parts = []
    for family, counts in review.summary().items():
        letter = FAMILIES[family]["letter"]
        parts.append(f"{letter} {counts['pass']}/{counts['fail']}/{counts['skip']}")
    totals = {key: sum(c[key] for c in review.summary().values()) for key in _SYMBOL}
    return (
        f"{totals['pass']} passed, {totals['fail']} failed, {totals['skip']} skipped "
        f"(passed/failed/skipped per family: {', '.join(parts)})"
    )


def to_text(review: Review, colour: bool = False, evidence_lines: int = 5) -> str:
    def paint(result: str, text: str) -> str:
        return f"\x1b[{_COLOUR[result]}m{text}\x1b[0m" if colour else text

    source = "files tracked by git" if review.source == "git" else "files on disk (no git)"
    lines = [f"Review of {plain(review.path)}: {review.file_count} {source}"]
    summary = review.summary()
    for family in summary:
        counts = summary[family]
        lines.append("")
        lines.append(
            f"{FAMILIES[family]['name']} ({counts['pass']} passed, {counts['fail']} failed, "
            f"{counts['skip']} skipped)"
        )
        for finding in (f for f in review.findings if f.family == family):
            label = paint(finding.result, _SYMBOL[finding.result])
            advisory = "" if finding.required or finding.result != "fail" else " (advisory)"
            lines.append(f"  {label} {finding.id} {finding.title}{advisory}")
            if finding.result == "pass":
                continue
            if finding.message:
                lines.append(f"       {plain(finding.message)}")
            for item in finding.evidence[:evidence_lines]:
                lines.append(f"       - {plain(where(item))}")
            if len(finding.evidence) > evidence_lines:
                lines.append(f"       - ... {len(finding.evidence) - evidence_lines} more")
            if finding.result == "fail":
                lines.append(f"       Fix: {finding.fix}")
                lines.append(f"       {finding.url}")
    lines.append("")
    lines.append(summary_line(review))
    return "\n".join(lines) + "\n"


def _finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "family": finding.family,
        "title": finding.title,
        "result": finding.result,
        "required": finding.required,
        "message": finding.message,
        "evidence": finding.evidence,
        "fix": finding.fix,
        "url": finding.url,
    }


def to_dict(review: Review) -> dict[str, Any]:
    import skunkworks_poc

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "skunkworks-poc", "version": skunkworks_poc.__version__},
        "repository": {
            "path": review.path,
            "source": review.source,
            "files": review.file_count,
        },
        "passed": review.ok,
        "summary": {
            family: {"name": FAMILIES[family]["name"], **counts}
            for family, counts in review.summary().items()
        },
        "results": [_finding_dict(finding) for finding in review.findings],
    }


def to_json(review: Review) -> str:
    return json.dumps(_clean(to_dict(review)), indent=2, ensure_ascii=False) + "\n"


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#212b32;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #005eb8}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;
vertical-align:top;border-bottom:1px solid #d8dde0}
.pass{color:#007f3b;font-weight:bold}.fail{color:#d5281b;font-weight:bold}
.skip{color:#8a6d00;font-weight:bold}ul{margin:.25rem 0;padding-left:1.2rem}
code{font-size:.95em;word-break:break-all}.small{color:#4c6272;font-size:.9em}
table{table-layout:fixed}th:first-child{width:4rem}th:nth-child(2){width:35%}
td p{margin:0 0 .35rem}
"""
_CODE_SPAN = re.compile(r"`([^`]+)`")


def _fix_html(fix: str) -> str:
    """Our own fix text (escaped all the same), its `code` spans as <code>."""
    return _CODE_SPAN.sub(r"<code>\1</code>", html.escape(fix))


def to_html(review: Review) -> str:
    """One page, no scripts, no external resources; every piece of repository text escaped."""

    def esc(value: Any) -> str:
        return html.escape(plain(value))

    source = "files tracked by git" if review.source == "git" else "files on disk (no git)"
    verdict = "every required check passed" if review.ok else "required checks failed"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>Skunkworks review: {esc(review.name)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Skunkworks review: {esc(review.name)}</h1>",
        f"<p>Folder: <code>{esc(review.path)}</code></p>",
        f"<p>{review.file_count} {source}: <strong>{verdict}</strong>.</p>",
        f"<p>{esc(summary_line(review))}</p>",
    ]
    summary = review.summary()
    for family, counts in summary.items():
        out.append(
            f'<h2 id="{esc(family)}">{esc(FAMILIES[family]["name"])} '
            f'<span class="small">({counts["pass"]} passed, {counts["fail"]} failed, '
            f"{counts['skip']} skipped)</span></h2>"
        )
        out.append(
            "<table><thead><tr><th>Result</th><th>Check</th><th>Details</th></tr></thead><tbody>"
        )
        for finding in (f for f in review.findings if f.family == family):
            details = []
            if finding.message:
                details.append(f"<p>{esc(finding.message)}</p>")
            if finding.evidence and finding.result != "pass":
                items = "".join(f"<li><code>{esc(where(i))}</code></li>" for i in finding.evidence)
                details.append(f"<ul>{items}</ul>")
            if finding.result == "fail":
                details.append(f"<p><strong>Fix:</strong> {_fix_html(finding.fix)}</p>")
            advisory = "" if finding.required else ' <span class="small">(advisory)</span>'
            out.append(
                f'<tr><td class="{finding.result}">{_SYMBOL[finding.result]}</td>'
                f'<td><a href="{esc(finding.url)}">{esc(finding.id)}</a> '
                f"{esc(finding.title)}{advisory}</td><td>{''.join(details)}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
