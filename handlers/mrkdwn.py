"""Slack mrkdwn escaping for text that people wrote: names, notes, team-edited kits."""


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` so that Slack shows `text` literally.

    Slack reads `<…>` as mentions, links and commands (`<!channel>`, `<@U123>`), so text a
    person wrote must never reach a message unescaped. These three are all Slack escapes:
    `*`, `_` and `~` have no escape and still format. `&` goes first so that the entities
    added for `<` and `>` are not escaped again.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
