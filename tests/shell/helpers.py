"""Read the page shell (menu, home buttons, help link) the way a user meets it."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Links(HTMLParser):
    """Links (href, text) inside the element with the given id."""

    def __init__(self, container_id: str):
        super().__init__()
        self.container_id = container_id
        self.depth = 0  # > 0 while inside the container
        self.links: list[tuple[str, str]] = []
        self._href = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
        elif attrs.get("id") == self.container_id:
            self.depth = 1
        if self.depth and tag == "a":
            self._href, self._text = attrs.get("href"), []

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if self.depth and tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)


def links_in(response, container_id: str) -> list[tuple[str, str]]:
    parser = _Links(container_id)
    parser.feed(response.content.decode())
    return parser.links


def labels_in(response, container_id: str) -> list[str]:
    return [text for _, text in links_in(response, container_id)]
