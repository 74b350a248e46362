"""Put untrusted text into the generated Markdown so that it shows literally, and nothing more.

Run names, parameters, tags and experiment names come from anyone who can log to the tracking
server; column names and values come from data; descriptions and links come from settings. All
of it lands in Markdown that MkDocs turns into the published HTML, and on GitHub. So every
character that means something to Markdown (emphasis, code, links, tables, `attr_list`'s
`{: ...}`) or to HTML (tags, attributes, entities) is written as a numeric character reference:
both renderers show it as the character itself and never read it as syntax. Line breaks become
spaces (a value never starts a new block). Plain letters, digits and everyday punctuation stay
as they are, so the committed Markdown stays readable.

No imports from any project: the report engine and the docs plugin can both use it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import quote, urlsplit

# Meaningful to Markdown (inline syntax, tables, attr_list, escapes) or to HTML. Parentheses
# are not: they make a link only after a `]`, which is escaped, so "(lower is better)" stays
# readable in the committed Markdown.
_SPECIAL = set("&<>\"'`\\*[]{}|!#~^$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".intranet")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def text(value: Any) -> str:
    """`value` as Markdown (and HTML) that renders as exactly its characters, on one line."""
    flat = _CONTROL.sub(" ", str(value))
    out = []
    for index, char in enumerate(flat):
        if char in _SPECIAL:
            out.append(f"&#{ord(char)};")
        elif char == "_" and not (
            0 < index < len(flat) - 1 and flat[index - 1].isalnum() and flat[index + 1].isalnum()
        ):
            out.append("&#95;")  # only an underscore inside a word can never start emphasis
        else:
            out.append(char)
    escaped = "".join(out)
    # A run of spaces or a leading one would be collapsed or read as indentation.
    return escaped.strip() or ("&#32;" if flat else "")


def code(value: Any) -> str:
    """`value` in monospace: an HTML <code> element holding escaped text.

    Not a Markdown code span: a backtick in the value would close it, and a table splits cells
    on a `|` even inside one.
    """
    return f"<code>{text(value)}</code>"


def is_public_http_url(url: Any) -> bool:
    """True for an http(s) URL of a public host, without credentials.

    Loopback, private, link-local and reserved addresses, `localhost` and single-label or
    `.local`-style host names are not public: a published document must not link to them.
    """
    if not isinstance(url, str) or not url or _CONTROL.search(url) or " " in url:
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    if parts.scheme not in {"http", "https"} or not host or parts.username or parts.password:
        return False
    host = host.rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return (
            "." in host
            and host != "localhost"
            and not host.endswith(_PRIVATE_SUFFIXES)
            and re.fullmatch(r"[a-z0-9.-]+", host) is not None
        )
    return address.is_global


def safe_id(value: Any) -> bool:
    """An identifier that may go into a URL path as it is (MLflow run and experiment ids)."""
    return isinstance(value, str) and _ID.match(value) is not None


def link(label_markdown: str, url: str) -> str:
    """A Markdown link to `url`, which must be public http(s): otherwise only the label.

    The label must already be Markdown (escape untrusted text with `text` or `code`).
    """
    if not is_public_http_url(url):
        return label_markdown
    return f"[{label_markdown}]({quote(url, safe=':/#?&=%~.-_+,;@!$')})"
