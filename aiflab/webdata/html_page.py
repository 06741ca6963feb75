"""One HTML page: decoded text, main text and metadata (title, language tag, opt-outs, licence, media)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin

MEDIA_TAGS = {"img": "image", "audio": "audio", "video": "video", "picture": "image"}
LICENCE_META = frozenset({"license", "licence", "dc.rights", "dcterms.license", "dc.license", "copyright"})
_MAX_MEDIA = 200


@dataclass
class Page:
    """What extraction learned about one page."""

    text: str = ""
    title: str | None = None
    html_lang: str | None = None
    robots: str | None = None
    tdm_reservation: bool = False
    tdm_policy: str | None = None
    licence: str | None = None
    media: list[dict[str, str | None]] = field(default_factory=list)
    replacement_ratio: float = 0.0


def decode(html: bytes, charset: str | None) -> tuple[str, float]:
    """The page as text (declared charset, else detected), and the share of undecodable characters."""
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    encoding = charset or detect_encoding(html)
    try:
        text = html.decode(encoding)
        return text, 0.0
    except (UnicodeDecodeError, LookupError):
        pass
    text = bytes_to_str(html, detect_encoding(html), errors="replace", fallback_encodings=("utf-8",))
    return text, text.count("\ufffd") / max(len(text), 1)


def parse_page(
    html: bytes,
    charset: str | None,
    url: str,
    header_robots: str | None,
    header_tdm: str | None,
    extractor: Literal["resiliparse", "trafilatura"],
    main_content: bool,
) -> Page:
    """Decode, parse and extract one page."""
    from resiliparse.parse.html import HTMLTree

    source, bad = decode(html, charset)
    tree = HTMLTree.parse(source)
    page = Page(replacement_ratio=bad, title=(tree.title or "").strip() or None)
    root = tree.document.query_selector("html")
    page.html_lang = (root.getattr("lang") or root.getattr("xml:lang") or None) if root else None
    robots = [header_robots] if header_robots else []
    tdm = header_tdm
    head = tree.head
    for meta in head.query_selector_all("meta") if head else []:
        name = (meta.getattr("name") or meta.getattr("property") or "").strip().lower()
        content = (meta.getattr("content") or "").strip()
        if name == "robots" or name.endswith("bot"):  # robots, and named crawlers (gptbot, ccbot, ...)
            robots.append(content)
        elif name == "tdm-reservation":
            tdm = content
        elif name == "tdm-policy":
            page.tdm_policy = content or None
        elif name in LICENCE_META and not page.licence:
            page.licence = content or None
    page.robots = ", ".join(d.strip().lower() for r in robots for d in r.split(",") if d.strip()) or None
    page.tdm_reservation = (tdm or "").strip() == "1"
    for link in tree.document.query_selector_all("link[rel~=license], a[rel~=license]"):
        href = link.getattr("href")
        if href:
            page.licence = urljoin(url, href)
            break
    page.media = _media(tree, url)
    if extractor == "trafilatura":
        import trafilatura

        page.text = trafilatura.extract(source, url=url, favor_precision=main_content) or ""
    else:
        from resiliparse.extract.html2text import extract_plain_text

        page.text = extract_plain_text(
            tree, main_content=main_content, preserve_formatting=True, alt_texts=False
        )
    return page


def _media(tree: Any, url: str) -> list[dict[str, str | None]]:
    """Images, audio and video the page embeds, as absolute URLs with their kind and declared type."""
    found: list[dict[str, str | None]] = []
    seen: set[str] = set()
    body = tree.body
    for element in body.query_selector_all("img[src], audio[src], video[src], source[src]") if body else []:
        tag = element.tag
        kind = MEDIA_TAGS.get(element.parent.tag if tag == "source" and element.parent else tag)
        src = element.getattr("src")
        if kind is None or not src or src.startswith("data:"):
            continue
        absolute = urljoin(url, src)
        if absolute in seen:
            continue
        seen.add(absolute)
        found.append({"url": absolute, "kind": kind, "mime": element.getattr("type") or None})
        if len(found) >= _MAX_MEDIA:
            break
    return found
