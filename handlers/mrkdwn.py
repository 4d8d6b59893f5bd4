"""Slack mrkdwn for text that people wrote (names, notes, team-edited kits), times and
links, and clipping any text to the limit of the place it goes.

Escaping can make a text five times longer (`&` becomes `&amp;`), so text is escaped first
and clipped after, and a clip never cuts a piece that only means something whole: an
entity, a `<…>` token (link, mention, date), or a character with the marks, joiners and
modifiers that draw with it.
"""

import re
import unicodedata
from datetime import UTC, datetime

ELLIPSIS = "…"
# Slack's limit for an address: a button's or an option's url, an image_url. A link longer
# than the room it has is shown as its label alone: a cut address would lead elsewhere.
URL_LIMIT = 3000

# What Slack reads as a unit in mrkdwn: the three entities, and anything in angle brackets
# (escaped user text has no raw `<`, so every one of these is ours).
_UNIT = re.compile(r"&(?:amp|lt|gt);|<[^<>]*>")
_ZWJ = "\N{ZERO WIDTH JOINER}"


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` so that Slack shows `text` literally.

    Slack reads `<…>` as mentions, links and commands (`<!channel>`, `<@U123>`), so text a
    person wrote must never reach a message unescaped. These three are all Slack escapes:
    `*`, `_` and `~` have no escape and still format. `&` goes first so that the entities
    added for `<` and `>` are not escaped again.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Mrkdwn `text` cut with an ellipsis to at most `limit` characters, never inside an
    entity, a `<…>` token or a character's cluster (a token that does not fit is left out
    whole)."""
    if len(text) <= limit:
        return text
    return text[: safe_cut(text, limit - len(ELLIPSIS))].rstrip() + ELLIPSIS


def clip_plain(text: str, limit: int) -> str:
    """Plain text (headers, buttons, titles, options) cut with an ellipsis to at most
    `limit` characters, never inside a character's cluster."""
    if len(text) <= limit:
        return text
    return text[: _cluster_start(text, limit - len(ELLIPSIS))].rstrip() + ELLIPSIS


def escape_clipped(text: str, limit: int) -> str:
    """`text` escaped, cut with an ellipsis to at most `limit` characters if escaping made it
    longer; an entity such as `&amp;` is never cut in two (Slack would show the half)."""
    return clip(escape(text), limit)


def safe_cut(text: str, cut: int) -> int:
    """The nearest place at or before `cut` where `text` may be split in two: outside any
    entity, token and cluster."""
    for unit in _UNIT.finditer(text):
        if unit.start() >= cut:
            break
        if cut < unit.end():
            cut = unit.start()
            break
    return _cluster_start(text, cut)


def _cluster_start(text: str, cut: int) -> int:
    """`cut` moved back to the start of the character cluster it falls in: combining marks,
    variation selectors, skin tones and tags belong to the character before them, a zero
    width joiner glues two emoji, and flags are pairs of regional indicators."""
    while 0 < cut < len(text) and (_extends(text[cut]) or text[cut - 1] == _ZWJ):
        cut -= 1
    if 0 < cut < len(text) and _regional(text[cut]) and _regional(text[cut - 1]):
        run = cut
        while run > 0 and _regional(text[run - 1]):
            run -= 1
        cut -= (cut - run) % 2
    return cut


def _extends(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == _ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tags (subdivision flags)
        or 0xE0100 <= code <= 0xE01EF  # variation selectors supplement
        or 0xDC00 <= code <= 0xDFFF  # a low surrogate belongs to the high one before it
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def date_token(moment: datetime) -> str:
    """`moment` as Slack's date token: every reader sees it in their own time zone. The
    fallback, for clients that cannot render the token, is UTC and says so."""
    fallback = moment.astimezone(UTC).strftime("%a %d %b %Y %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def link(url: str, label: str, *, limit: int = URL_LIMIT) -> str:
    """A link with a label; both escaped, and a `|` in the URL encoded so that it cannot
    end the URL early. A link longer than `limit` characters is its label alone: a clipped
    address would be a broken link."""
    shown = escape(label)
    whole = f"<{escape(url).replace('|', '%7C')}|{shown}>"
    return whole if len(whole) <= limit else shown
