"""Every user string that enters a chart passes through `html_text`, once.

Two dangers sit between a roster and `dot`. DOT's own escapes: `\\N` is replaced by the node's
name, `\\G` by the graph's, `\\l` ends a line, and a `"` ends a quoted string. And graphviz's
HTML-like labels: the python `graphviz` package passes any string shaped `<...>` through
unquoted, and an HTML label holding `<IMG SRC=…>` makes `dot` read a local file.

So a chart puts user text only inside HTML-like labels written here: the markup characters
become entities and every backslash is doubled (graphviz substitutes `\\N` and friends in HTML
text *after* decoding entities, so an entity alone would not protect it). Node ids and
attribute values are our own codes (`safe_id`), never user text. `engine.render` also runs
`dot` with file loading disabled, in case a future change lets something through.
"""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]+")
_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
NAME_LIMIT = 40


def html_text(value: object, limit: int = NAME_LIMIT) -> str:
    """User text as the content of an HTML-like label: literal, on one line, at most `limit` long.

    Control characters would make expat (graphviz's HTML parser) and the SVG's XML reject the
    whole chart, so they and any run of white space become one space; an over-long name is cut
    with an ellipsis so that one cell cannot stretch a unit across the page. A `]` becomes an
    entity too: graphviz 2.43 misplaces a cell whose text is a bare `]` (expat holds it back,
    watching for `]]>`) and then rejects the table.
    """
    text = _UNPRINTABLE.sub(" ", str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return (text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;").replace("]", "&#93;"))


def html_label(markup: str) -> str:
    """Our own markup (built from `html_text` pieces) marked as an HTML-like label."""
    return f"<{markup}>"


def safe_id(text: str) -> str:
    """An id for a DOT attribute (`id`, node names): only codes we chose ever get here."""
    if not _ID.match(text):
        raise ValueError(f"not a safe chart id: {text!r}")
    return text
