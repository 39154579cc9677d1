"""Reader and writer for the project's Markdown brief format.

The format::

    ---
    title: The title
    source: Publication name
    url: https://example.org/story
    author: Jane Doe
    published: 2026-11-20T08:30:00+00:00
    tags: [energy, europe]
    summary: optional dek
    image_caption: optional
    related:
      - title: Another story
        url: https://example.org/other
    id: optional explicit id
    takeaways_derived: false
    ---

    # Title

    Dek paragraph.

    *Image: caption text*

    ## Key Takeaways

    1. First point
    2. Second point

    ## Editor's Desk: Strategic Analysis

    Analysis paragraphs...

    — China Daily Brief Editorial

    *Kicker: Strategic Insight*

    ## Body

    Body paragraphs (Markdown kept as is).

    ## Related Articles

    - [Another story](https://example.org/other)
    - A story without a link

Front matter (optional) is YAML between a first line ``---`` and the next line
``---`` (or ``...``), read with PyYAML's safe loader (``yaml.safe_load``; the C
version when available).  Keys, all optional: ``title``,
``source``, ``url``, ``author``, ``published`` (any date :func:`parse_datetime`
reads; ``date``, as static sites write it, when there is no ``published``), ``tags`` (a list, or a comma-separated string), ``summary``,
``image_caption``, ``related`` (a list of ``{title, url}`` mappings or strings),
``id``, ``takeaways_derived``, and — mostly written by :func:`to_markdown` —
``takeaways`` (a list), ``analysis`` (a mapping with ``label``, ``title``,
``body``, ``byline``, ``kicker``; ``null`` for none) and ``body``; an export also
writes the library state, ``read_at``, ``starred_at`` and ``feed_url``
(:func:`parse_with_state` returns it beside the article).  **A field given
in the front matter wins over the same field found in the sections.**  Front
matter that is not valid YAML is read leniently (``key: value`` lines of the
scalar keys, plus ``tags``); if that finds nothing, or the YAML is a plain string
(prose between two ``---`` rules), the block is not front matter and stays part
of the text; YAML that is a list or a number is ignored (dropped).

Sections (a level-2 heading starts one; headings inside fenced code blocks do
not count):

* ``# Title`` — an H1 as the first line (or a ``===`` underlined one).  With no
  title anywhere, the first line of text is the title.
* Text before the first ``##`` heading: the first paragraph is the dek
  (``summary``) unless it is a list, heading, quote, table, fence or HTML; a
  paragraph that is entirely ``*Image: …*`` (also ``_Image: …_``, ``Caption:``,
  ``Photo:``) or ``![caption](url)`` is the image caption (one of the first two
  paragraphs).  When the front matter has a ``summary``, the first paragraph is
  dropped only if it says the same, and otherwise is body.  Everything else here
  is body.
* ``## Key Takeaways`` — also Key Points, Highlights, TL;DR, Takeaways, … in any
  case.  Items are ``1.``/``1)``/``-``/``*``/``+``/``•`` list items; lines that do
  not start an item continue the previous one; a paragraph before any item is one
  item.  A paragraph after the list (not indented) is body.  Items of a list not
  numbered by Markdown lose their ordinals by the rule every reader uses
  (:func:`~briefreader.sources.vocabulary.strip_ordinals`: ``- 1First`` → ``First``).
* ``## Editor's Desk: Title`` — also ``Editor's Analysis``, ``Editor's Note``,
  ``Editor’s Desk``, ``Analysis``, ``Why it matters`` … (every label of
  :func:`~briefreader.sources.vocabulary.analysis_label`): the heading text before the
  colon is the label, after it the analysis title (else a ``### Title`` first line
  of the section).  The last lines of the section may be the byline (``— Name``,
  ``-- Name`` or ``By Name``) and a ``*Kicker: …*`` line, in either order; the rest
  is the analysis body, Markdown kept.  Only the first such section counts.
* ``## Related Articles`` — also Related, Related Stories, See Also, Further
  Reading: each ``- [title](url)``, ``- <url>``, ``- title`` line is a related
  link.  Not body.
* ``## Body`` (or Story, Article, Article Body, Full Story): its text is body, the heading is not.
* Any other ``##`` section is body, heading included.

The front matter is read by :mod:`briefreader.sources.frontmatter`, the sections by
:mod:`briefreader.sources.markdown_sections`; this module puts them together.

:func:`to_markdown` writes this format so that :func:`parse` gives back every
field of an article that went through :func:`briefreader.sources.clean_article`.
It writes the metadata (title, source, url, author, published, tags, id,
takeaways_derived) as front matter and the rest as the readable sections above;
it then parses its own output and moves any field that did not survive (a body
holding a ``## Key Takeaways`` line, a multi-paragraph dek, a label with a colon,
…) into the front matter instead of its section, until everything round-trips.
Only the fields that break on their own are moved, so a body with a stray
``## Key Takeaways`` line ends up as ``body:`` in the front matter while the real
takeaways keep their readable section.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml

from briefreader.model import (
    Analysis,
    Article,
    ArticleState,
    RelatedLink,
    article_id,
    parse_datetime,
)
from briefreader.sources.frontmatter import flag as _flag
from briefreader.sources.frontmatter import scalar as _scalar
from briefreader.sources.frontmatter import split_front_matter as _split_front_matter
from briefreader.sources.frontmatter import string_list as _string_list
from briefreader.sources.markdown_sections import link_item, read_sections

__all__ = ["parse", "parse_with_state", "to_markdown"]

TITLE_MAX = 200

# ---------------------------------------------------------------------------------
# front matter (read by briefreader.sources.frontmatter)


def _related_list(value: Any) -> list[RelatedLink]:
    if isinstance(value, dict | str):
        value = [value]
    if not isinstance(value, list | tuple):
        return []
    links: list[RelatedLink] = []
    for item in value:
        if isinstance(item, dict):
            title, url = _scalar(item.get("title")), _scalar(item.get("url"))
            if title or url:
                links.append(RelatedLink(title or url, url))
        else:
            text = _scalar(item)
            if text:
                links.append(link_item(text) or RelatedLink(text))
    return links


# ---------------------------------------------------------------------------------
# the reader


def _truncate(s: str) -> str:
    s = s.strip()
    if len(s) <= TITLE_MAX:
        return s
    cut = s.rfind(" ", 0, TITLE_MAX)
    if cut < TITLE_MAX // 2:
        cut = TITLE_MAX - 1
    return s[:cut].rstrip() + "…"


def parse(text: str, origin: str) -> list[Article]:
    """Parse a Markdown brief into one article (none for an empty document)."""
    return parse_with_state(text, origin)[0]


def parse_with_state(text: str, origin: str) -> tuple[list[Article], list[ArticleState | None]]:
    """:func:`parse`, with the library state an export writes in the front matter
    (``read_at``, ``starred_at``, ``feed_url``; see :class:`ArticleState`)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    fm_or_none, rest = _split_front_matter(text)
    fm: dict[str, Any] = fm_or_none or {}

    fm_summary: str | None = None
    if isinstance(fm.get("summary"), str):
        fm_summary = fm["summary"]
    sec = read_sections(rest, fm_summary)

    def scalar(key: str) -> str:
        return _scalar(fm.get(key))

    title = scalar("title") or sec.title
    summary = fm_summary.strip("\n") if fm_summary is not None else sec.summary
    image_caption = (
        _scalar(fm["image_caption"]) if fm.get("image_caption") is not None else sec.image_caption
    )
    raw_takeaways = fm.get("takeaways")
    if isinstance(raw_takeaways, str):
        raw_takeaways = [raw_takeaways]
    takeaways = _string_list(raw_takeaways) if isinstance(raw_takeaways, list) else sec.takeaways
    related = _related_list(fm["related"]) if fm.get("related") is not None else sec.related
    body = fm["body"].strip("\n") if isinstance(fm.get("body"), str) else sec.body

    analysis = sec.analysis
    if "analysis" in fm:
        data = fm["analysis"]
        if data is None:
            analysis = None
        elif isinstance(data, str):
            analysis = Analysis(body=data.strip()) if data.strip() else analysis
        elif isinstance(data, dict):
            base = analysis or Analysis(body="")
            values: dict[str, str] = {}
            for name in ("label", "title", "byline", "kicker", "body"):
                value = data.get(name)
                if isinstance(value, str):
                    values[name] = value.strip("\n") if name == "body" else value.strip()
                elif value is not None:
                    values[name] = _scalar(value)
                else:
                    values[name] = getattr(base, name)
            analysis = Analysis(**values)
            if not (analysis.body or analysis.title):
                analysis = None

    if not title:
        title = _truncate(sec.first_line.lstrip("#").strip() or summary or body[:TITLE_MAX])
        if "\n" in title:
            title = _truncate(title.split("\n", 1)[0])
    if not (title or summary or body or takeaways or analysis):
        return [], []

    url = scalar("url")
    source = scalar("source")
    published = _front_date(fm.get("published"))
    # The id as before "date" was read (an article re-added keeps it).
    art_id = scalar("id") or article_id(url=url, title=title, source=source, published=published)
    if published is None:  # "date", as Jekyll, Hugo and most static sites write it
        published = _front_date(fm.get("date"))  # (Jekyll's "published: true" is a flag)
    tags = tuple(dict.fromkeys(_string_list(fm.get("tags"))))
    article = Article(
        id=art_id,
        title=title,
        summary=summary,
        url=url,
        source=source,
        author=scalar("author"),
        published=published,
        image_caption=image_caption,
        takeaways=tuple(takeaways),
        takeaways_derived=_flag(fm.get("takeaways_derived")),
        analysis=analysis,
        body=body,
        tags=tags,
        related=tuple(related),
        origin=scalar("origin") or origin,
    )
    if fm.get("image_url") or fm.get("enclosures"):  # the lead image and files, as JSON has them
        media = Article.from_dict(
            {
                "title": "-",
                "image_url": scalar("image_url"),
                "image_alt": scalar("image_alt"),
                "enclosures": fm.get("enclosures"),
            }
        )
        article = article.with_changes(
            image_url=media.image_url, image_alt=media.image_alt, enclosures=media.enclosures
        )
    return [article], [ArticleState.from_dict(fm)]


# ---------------------------------------------------------------------------------
# the writer


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings as ``|`` blocks and tags in flow style."""


class _FlowList(list[str]):
    pass


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_flow(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowList, _represent_flow)

#: Fields that the writer may move from their section into the front matter.
_MOVABLE = ("summary", "image_caption", "takeaways", "analysis", "body", "related")


def _front_date(raw: object) -> datetime | None:
    """A front matter value as a date (a string, a number or a YAML date), else None."""
    if isinstance(raw, str | int | float | date) and not isinstance(raw, bool):
        return parse_datetime(raw)
    return None


def _render(article: Article, pinned: set[str], state: ArticleState | None = None) -> str:
    a = article
    fm: dict[str, Any] = {"title": a.title}
    if a.source:
        fm["source"] = a.source
    if a.url:
        fm["url"] = a.url
    if a.author:
        fm["author"] = a.author
    if a.published is not None:
        fm["published"] = a.published.isoformat()
    if a.tags:
        fm["tags"] = _FlowList(a.tags)
    if "summary" in pinned:
        fm["summary"] = a.summary
    if "image_caption" in pinned:
        fm["image_caption"] = a.image_caption
    if "related" in pinned:
        fm["related"] = [r.to_dict() for r in a.related]
    fm["id"] = a.id
    if a.origin:
        fm["origin"] = a.origin
    if a.takeaways_derived:
        fm["takeaways_derived"] = True
    if a.image_url:
        fm["image_url"] = a.image_url
        if a.image_alt:
            fm["image_alt"] = a.image_alt
    if a.enclosures:
        fm["enclosures"] = [e.to_dict() for e in a.enclosures]
    if state is not None:
        fm.update((k, v) for k, v in state.to_dict().items() if v)
    if "takeaways" in pinned:
        fm["takeaways"] = list(a.takeaways)
    if "analysis" in pinned:
        fm["analysis"] = a.analysis.to_dict() if a.analysis else None
    if "body" in pinned:
        fm["body"] = a.body
    front = yaml.dump(
        fm,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=4096,
        default_flow_style=False,
    )
    out = ["---", front.rstrip("\n"), "---", "", f"# {a.title}", ""]
    if a.summary and "summary" not in pinned:
        out += [a.summary, ""]
    if a.image_caption and "image_caption" not in pinned:
        out += [f"*Image: {a.image_caption}*", ""]
    if a.takeaways and "takeaways" not in pinned:
        out += ["## Key Takeaways", ""]
        out += [f"{k}. {t}" for k, t in enumerate(a.takeaways, 1)]
        out.append("")
    if a.analysis is not None and "analysis" not in pinned:
        an = a.analysis
        heading = an.label or "Editor's Analysis"
        if an.title:
            heading += f": {an.title}"
        out += [f"## {heading}", ""]
        if an.body:
            out += [an.body, ""]
        if an.byline:
            out += [f"— {an.byline}", ""]
        if an.kicker:
            out += [f"*Kicker: {an.kicker}*", ""]
    if a.body and "body" not in pinned:
        out += ["## Body", "", a.body, ""]
    if a.related and "related" not in pinned:
        out += ["## Related Articles", ""]
        out += [f"- [{r.title}]({r.url})" if r.url else f"- {r.title}" for r in a.related]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _survives_alone(article: Article, name: str) -> bool:
    """Does this one field round-trip through its section when it is the only one?"""
    alone = Article(
        id=article.id, title=article.title, origin=article.origin, **{name: getattr(article, name)}
    )
    got = parse(_render(alone, set()), alone.origin)
    return bool(got) and got[0].to_dict()[name] == alone.to_dict()[name]


def to_markdown(article: Article, state: ArticleState | None = None) -> str:
    """The article as a Markdown brief that :func:`parse` reads back field for field.

    ``state`` (what ``export`` passes) is written into the front matter as
    ``read_at``, ``starred_at`` and ``feed_url``, which :func:`parse_with_state`
    reads back.
    """
    want = article.to_dict()
    # A dek that only repeats the body's start (a feed item's first paragraph) goes
    # into the front matter: under the title it would be read twice.
    from briefreader.insight import dek_repeats_body  # (it reads these sources)

    repeats = article.summary and article.body and dek_repeats_body(article.summary, article.body)
    pinned: set[str] = {"summary"} if repeats else set()
    while True:
        text = _render(article, pinned, state)
        got = parse(text, article.origin)
        have = got[0].to_dict() if got else {}
        missing = {name for name in _MOVABLE if have.get(name) != want[name]} - pinned
        if not missing:
            return text
        # Move the fields that break on their own (a body holding a "## Key Takeaways"
        # line); if none does, the trouble is between fields: move all that differ.
        broken = {name for name in missing if not _survives_alone(article, name)}
        pinned |= broken or missing
