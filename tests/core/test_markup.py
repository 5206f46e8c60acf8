from html.parser import HTMLParser

import pytest

from participation.core.markup import render_markdown

# Known cross-site scripting payloads (OWASP filter-evasion cheat sheet style), as Markdown or HTML.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '"><script>alert(document.cookie)</script>',
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](http://example.org/a.png)',
    '<div hx-get="/admin" hx-trigger="load">x</div>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<object data=javascript:alert(1)>",
    "``<script>alert(1)</script>``",
    "<<script>script>alert(1)<</script>/script>",
]


class _Elements(HTMLParser):
    """Collects the tags and attributes a browser would see."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


SAFE_TAGS = {"p", "a", "code", "pre", "strong", "em", "br", "table", "thead", "tbody", "tr", "th", "td"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert(payload):
    parser = _Elements()
    parser.feed(str(render_markdown(payload)))
    for tag, attrs in parser.found:
        assert tag in SAFE_TAGS, tag
        assert set(attrs) <= {"href", "title", "rel", "align", "start"}, attrs
        if "href" in attrs:
            assert attrs["href"].lower().startswith(("http://", "https://", "mailto:")), attrs["href"]


def test_markdown_features_residents_use():
    html = str(
        render_markdown(
            "# 公園の整備\n\n**遊具**を増やしてください。\n\n- ベンチ\n- 水飲み場\n\nhttps://example.org を参照"
        )
    )
    assert "<h3>公園の整備</h3>" in html  # headings start below the page's own
    assert "<strong>遊具</strong>" in html
    assert "<li>ベンチ</li>" in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">https://example.org</a>' in html


def test_images_become_links():
    html = str(render_markdown("![公園の写真](https://example.org/park.png)"))
    assert "<img" not in html
    assert '<a href="https://example.org/park.png" rel="nofollow ugc noopener">公園の写真</a>' in html


def test_empty_input():
    assert str(render_markdown(None)) == ""
    assert str(render_markdown("")) == ""


def test_line_breaks_inside_japanese_sentences_leave_no_space():
    assert (
        str(render_markdown("駅前の公園に\nベンチを増やして\nください。"))
        == "<p>駅前の公園にベンチを増やしてください。</p>\n"
    )
    assert str(render_markdown("more\nbenches")) == "<p>more\nbenches</p>\n"
