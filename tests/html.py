"""Reading the HTML a view answered, the way a person (or a screen reader) would."""

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Element(HTMLParser):
    def __init__(self, element_id: str):
        super().__init__(convert_charrefs=True)
        self.element_id = element_id
        self.depth = 0
        self.parts: list[str] = []
        self.found = False

    def handle_starttag(self, tag, attrs):
        if self.depth == 0 and dict(attrs).get("id") == self.element_id and not self.found:
            self.found = True
            self.depth = 1 if tag not in VOID else 0
            self.parts.append(self.get_starttag_text())
            return
        if self.depth:
            self.parts.append(self.get_starttag_text())
            if tag not in VOID:
                self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth:
            self.parts.append(self.get_starttag_text())
        elif dict(attrs).get("id") == self.element_id and not self.found:
            self.found = True
            self.parts.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.parts.append(f"</{tag}>")
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def by_id(html, element_id: str) -> str:
    """The element with this id, as HTML; AssertionError when there is none."""
    html = html.content.decode() if hasattr(html, "content") else html
    parser = _Element(element_id)
    parser.feed(html)
    assert parser.found, f"no element with id={element_id!r}"
    return "".join(parser.parts)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.chunks.append(data)


def text(html) -> str:
    """The visible text, whitespace collapsed."""
    html = html.content.decode() if hasattr(html, "content") else html
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.chunks)).strip()


def input_value(html, element_id: str) -> str | None:
    """The value attribute of the input with this id (None when it has none)."""
    tag = by_id(html, element_id)
    match = re.search(r'\svalue="([^"]*)"', tag.split(">", 1)[0])
    return match.group(1) if match else None


def selected_option(html, element_id: str) -> str | None:
    match = re.search(r'<option value="([^"]*)"[^>]*\bselected\b', by_id(html, element_id))
    return match.group(1) if match else None
