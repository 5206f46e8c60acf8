"""User content is data, not HTML: the one way to turn a resident's Markdown into safe HTML.

Markdown is rendered with raw HTML disabled, then cleaned by bleach against a short allow-list.
Images are not rendered (they would load from other sites and leak who reads what), links get
``rel="nofollow ugc noopener"``. Swapping bleach for nh3 means changing ``_clean`` only.
"""

from __future__ import annotations

import html
from functools import lru_cache

import bleach
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h3",
        "h4",
        "h5",
        "h6",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "ol": ["start"], "th": ["align"], "td": ["align"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False}).enable(
    ["linkify", "strikethrough", "table"]
)


def _demote_headings(renderer, tokens, idx, options, env):
    # A contribution sits inside a page that has its own h1/h2: its headings start at h3.
    token = tokens[idx]
    level = min(int(token.tag[1]) + 2, 6)
    token.tag = f"h{level}"
    return renderer.renderToken(tokens, idx, options, env)


_md.add_render_rule("heading_open", _demote_headings)
_md.add_render_rule("heading_close", _demote_headings)


def _link_open(renderer, tokens, idx, options, env):
    tokens[idx].attrSet("rel", "nofollow ugc noopener")
    return renderer.renderToken(tokens, idx, options, env)


def _image_as_link(renderer, tokens, idx, options, env):
    # Show an image as a link to it, labelled with its alt text.
    token = tokens[idx]
    src = escape(token.attrGet("src") or "")
    alt = escape(renderer.renderInlineAsText(token.children or [], options, env) or token.attrGet("src") or "")
    return f'<a href="{src}" rel="nofollow ugc noopener">{alt}</a>'


def _is_cjk(char: str) -> bool:
    code = ord(char) if char else 0
    return 0x3000 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def _softbreak(renderer, tokens, idx, options, env):
    # Japanese is written without spaces: a line break inside a paragraph between Japanese
    # characters joins them, instead of leaving a stray space as it would in English.
    before = tokens[idx - 1].content[-1:] if idx > 0 else ""
    after = tokens[idx + 1].content[:1] if idx + 1 < len(tokens) else ""
    return "" if _is_cjk(before) and _is_cjk(after) else "\n"


_md.add_render_rule("link_open", _link_open)
_md.add_render_rule("softbreak", _softbreak)
_md.add_render_rule("image", _image_as_link)


def _clean(html: str) -> str:
    return bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )


# Rendering and cleaning cost about a millisecond per text, and a page of comments shows dozens that
# seldom change: the output (a pure function of the text) is kept per process for short texts,
# bounded in memory (at most CACHE_SIZE entries of CACHE_MAX_CHARS characters of Markdown each).
CACHE_SIZE = 4096
CACHE_MAX_CHARS = 2000


@lru_cache(maxsize=CACHE_SIZE)
def _rendered(text: str) -> str:
    return _clean(_md.render(text))


def render_markdown(text: str | None) -> Markup:
    """Markdown → HTML → sanitised HTML, safe to put in a template."""
    if not text:
        return Markup("")
    html_ = _rendered(text) if len(text) <= CACHE_MAX_CHARS else _clean(_md.render(text))
    return Markup(html_)  # noqa: S704 (sanitised by _clean)


def markdown_to_text(text: str | None) -> str:
    """The plain text of Markdown (for search snippets and indexing): no tags, no entities."""
    if not text:
        return ""
    stripped = bleach.clean(_md.render(text), tags=set(), strip=True, strip_comments=True)
    return " ".join(html.unescape(stripped).split())
