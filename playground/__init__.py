"""The local playground: the real bot against the fake Slack, shown in a browser page.

``make run`` with nothing configured, or ``python -m bot playground``, starts it. The page is
a Slack-like client of :mod:`slackfake`; what a person does there reaches the bot as Slack's
signed requests, and what the bot sends is what the page shows. Nothing here runs in
production: ``python -m bot`` never imports this package.
"""
