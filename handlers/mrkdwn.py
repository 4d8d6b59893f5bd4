"""Slack mrkdwn for text that people wrote (names, notes, team-edited kits), times
and links."""

from datetime import UTC, datetime


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` so that Slack shows `text` literally.

    Slack reads `<…>` as mentions, links and commands (`<!channel>`, `<@U123>`), so text a
    person wrote must never reach a message unescaped. These three are all Slack escapes:
    `*`, `_` and `~` have no escape and still format. `&` goes first so that the entities
    added for `<` and `>` are not escaped again.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_clipped(text: str, limit: int) -> str:
    """`text` escaped, cut with an ellipsis to at most `limit` characters if escaping made it
    longer; an entity such as `&amp;` is never cut in two (Slack would show the half)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    entity = cut.rfind("&", len(cut) - 4)
    if entity != -1 and ";" not in cut[entity:]:
        cut = cut[:entity]
    return cut + "…"


def date_token(moment: datetime) -> str:
    """`moment` as Slack's date token: every reader sees it in their own time zone. The
    fallback, for clients that cannot render the token, is UTC and says so."""
    fallback = moment.astimezone(UTC).strftime("%a %d %b %Y %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def link(url: str, label: str) -> str:
    """A link with a label; both escaped, and a `|` in the URL encoded so that it cannot
    end the URL early."""
    return f"<{escape(url).replace('|', '%7C')}|{escape(label)}>"
