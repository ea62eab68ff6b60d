"""A small DOM for the HTML report's fast tests: elements, their attributes and text, from the
standard library's parser (the browser tests use a real browser)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> Iterator[Element]:
        yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.iter()

    def find_all(self, pred: Callable[[Element], bool]) -> list[Element]:
        return [e for e in self.iter() if pred(e)]

    def by_id(self, id: str) -> Element:
        found = self.find_all(lambda e: e.attrs.get("id") == id)
        assert len(found) == 1, f"{len(found)} elements with id {id!r}"
        return found[0]

    def select(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return self.find_all(lambda e: (tag is None or e.tag == tag) and (cls is None or cls in e.classes))

    def placed(self, pick: Callable[[Element], bool], skip: Callable[[Element], bool] = lambda e: False) -> list[tuple[int, int, Element]]:
        """Where each element `pick` says stands in this one's text (as `text(skip)` gives it):
        (start, end, element), counted in code points, as a report's offsets are."""
        out: list[tuple[int, int, Element]] = []

        def walk(e: Element, pos: int) -> int:
            for c in e.children:
                if isinstance(c, str):
                    pos += len(c)
                elif not skip(c):
                    start = pos
                    pos = walk(c, pos)
                    if pick(c):
                        out.append((start, pos, c))
            return pos

        walk(self, 0)
        return sorted(out, key=lambda t: (t[0], t[1]))

    def text(self, skip: Callable[[Element], bool] = lambda e: False) -> str:
        """The text inside, as a browser's textContent, less the elements `skip` says."""
        out = []
        for c in self.children:
            if isinstance(c, str):
                out.append(c)
            elif not skip(c):
                out.append(c.text(skip))
        return "".join(out)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in _VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """The page as elements; fails on a tag closed out of order (the page must be well formed)."""
    b = _Builder()
    b.feed(html)
    b.close()
    assert b.stack == [b.root], f"unclosed: {[e.tag for e in b.stack[1:]]}"
    return b.root


def is_tip(e: Element) -> bool:
    return "tip" in e.classes
