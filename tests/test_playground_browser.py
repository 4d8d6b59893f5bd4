"""The playground in a real browser: headless Chromium driving the page that the real
``python -m bot playground`` process serves, through one hiring loop.

Needs Debian's ``chromium`` and ``chromium-driver``; without them these tests skip, saying
how to install them. Screenshots land in ``test-artifacts/playground/`` (gitignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from playground.people import HIRING_CHANNEL, HIRING_MANAGER, INTERVIEWERS, OUTSIDER
from tests.browser import Browser, PlaygroundProcess, browser_or_skip

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "playground"
RAVI, ANA, _SAM = INTERVIEWERS


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlaygroundProcess]:
    with PlaygroundProcess.start(tmp_path_factory.mktemp("playground")) as process:
        yield process


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with browser_or_skip(tmp_path_factory.mktemp("chromium"), ARTIFACTS) as opened:
        yield opened


def test_a_hiring_loop_played_in_the_browser(
    playground: PlaygroundProcess, browser: Browser
) -> None:
    page = browser
    page.open(f"{playground.url}?as={HIRING_MANAGER.id}&pane=channel")

    # The hiring manager adds a candidate through the modal.
    page.command("/mlops-candidate new Dana Kowalski")
    page.wait_modal("new_candidate")
    page.choose_radio("candidate_level", "Senior")
    page.select("candidate_location", "Germany / Netherlands")
    page.type("candidate_profile_url", "https://www.linkedin.com/in/dana-kowalski")
    page.type("candidate_notes", "Built the model registry & <CI> at a <bank>")
    page.submit_modal()
    card = page.wait_card("Dana Kowalski")
    # User text comes back escaped, not as markup: the page shows exactly what was typed.
    page.wait_text(card, "Built the model registry & <CI> at a <bank>")

    # … and schedules a screening with two interviewers, an hour from now in Berlin.
    page.click_button(card, "Schedule interview")
    page.wait_modal("schedule_interview")
    page.toggle_user("schedule_interviewers", RAVI.id)
    page.toggle_user("schedule_interviewers", ANA.id)
    now = datetime.fromtimestamp(playground.get(f"api/state?user={HIRING_MANAGER.id}")["now"], UTC)
    start = (now + timedelta(hours=1)).astimezone(ZoneInfo(HIRING_MANAGER.tz))
    page.set_datetime("schedule_starts_at", start)
    page.submit_modal()
    page.wait_thread_reply(card, "Screening")

    # Time passes: the interview is over, so scorecards are due.
    page.advance_clock("+6 h")

    # An interviewer sees what they owe on their App Home, and submits their scorecard
    # from the kit in their DMs.
    page.switch_user(RAVI.id)
    page.show_pane("home")
    page.wait_text("//div[@id='pane-body']", "Scorecards you owe")
    page.wait_text("//div[@id='pane-body']", "Dana Kowalski")
    page.show_pane("dm")
    kit = page.wait_message_with_button("Submit scorecard")
    page.click_button(kit, "Submit scorecard")
    page.wait_modal("scorecard")
    page.rate_all("3")
    page.type("scorecard_evidence", "Explained canary rollouts & rollback with metrics.")
    page.screenshot("scorecard-modal", modal=True)
    page.submit_modal()
    page.wait_no_modal()

    # Someone outside the hiring team never sees the private channel, and is refused.
    page.switch_user(OUTSIDER.id)
    page.show_pane("channel")
    page.wait_text("//div[@id='pane-body']", "private channel and you are not a member")
    page.show_pane("dm")
    page.command("/mlops-candidate new Eve Example")
    page.until(lambda: page.ephemerals(), "the refusal")
    assert "Dana" not in page.ephemerals()[-1]
    assert page.no_modal()
    page.screenshot("outsider-refused")

    # The second interviewer completes the panel.
    page.switch_user(ANA.id)
    page.show_pane("dm")
    kit = page.wait_message_with_button("Submit scorecard")
    page.click_button(kit, "Submit scorecard")
    page.wait_modal("scorecard")
    page.rate_all("4")
    page.type("scorecard_evidence", "Strong on drift monitoring.")
    page.submit_modal()
    page.wait_no_modal()

    # The hiring manager records the decision; the card moves to the next stage.
    page.switch_user(HIRING_MANAGER.id)
    page.show_pane("channel")
    card = page.wait_card("Dana Kowalski")
    page.click_button(card, "Record decision")
    page.wait_modal("decision")
    page.choose_radio("decision_outcome", "Advance")
    page.submit_modal()
    # The reason is required: the bot's field error shows under it, and the choice stays.
    page.wait_field_error("decision_reason", "Give the reason")
    page.type("decision_reason", "Both interviewers: yes, with evidence.")
    page.submit_modal()
    page.finish_modals()
    card = page.wait_card("Dana Kowalski")
    page.wait_text(card, "Technical")
    page.open_thread(card)
    page.scroll_thread_to("submitted the Screening scorecard (1 of 2)")
    page.screenshot("channel-card-and-thread")
    assert page.violations() == []


def test_an_outsider_cannot_tell_a_candidate_from_nobody(
    playground: PlaygroundProcess, browser: Browser
) -> None:
    page = browser
    page.open(f"{playground.url}?as={HIRING_MANAGER.id}&pane=channel")
    page.command("/mlops-candidate new Lee Morgan")
    page.wait_modal("new_candidate")
    page.choose_radio("candidate_level", "Mid-level")
    page.select("candidate_location", "UK (London)")
    page.submit_modal()
    page.wait_card("Lee Morgan")
    page.open(f"{playground.url}?as={OUTSIDER.id}&pane=dm")
    page.command("/mlops-candidate scorecard Nobody Atall")
    page.until(lambda: page.ephemerals(), "the first answer")
    unknown = page.ephemerals()[-1]
    answers = len(page.ephemerals())
    page.command("/mlops-candidate scorecard Lee Morgan")
    page.until(lambda: len(page.ephemerals()) > answers, "the second answer")
    assert page.ephemerals()[-1].replace("Lee Morgan", "Nobody Atall") == unknown


async def test_what_slack_would_refuse_is_shown_on_the_page(
    playground: PlaygroundProcess, browser: Browser
) -> None:
    browser.open(f"{playground.url}?as={HIRING_MANAGER.id}&pane=channel")
    api_url = playground.get(f"api/state?user={HIRING_MANAGER.id}")["slack_api_url"]
    client = AsyncWebClient(token="xoxb-test-token", base_url=api_url)
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel=HIRING_CHANNEL, text="t", blocks=[section] * 51)
    shown = browser.until(lambda: browser.violations(), "the refusal on the page")
    assert "chat.postMessage → invalid_blocks" in shown[0]
    assert "50" in shown[0]
    browser.screenshot("violation-shown")


def test_rendering_of_mrkdwn_and_date_tokens(
    playground: PlaygroundProcess, browser: Browser
) -> None:
    browser.open(f"{playground.url}?as={INTERVIEWERS[0].id}&pane=channel")
    moment = int(datetime(2026, 3, 2, 9, 30, tzinfo=UTC).timestamp())
    cases = {
        "*bold* _it_ ~gone~ `x&lt;y`": (
            "<strong>bold</strong> <em>it</em> <del>gone</del> <code>x&lt;y</code>"
        ),
        "&lt;script&gt; &amp; co": "&lt;script&gt; &amp; co",
        f"<@{HIRING_MANAGER.id}> says": '<span class="mention" data-user="U0PGMAYA">@Maya Chen',
        "<https://example.com/a?b=1&amp;c=2|the site>": (
            'href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener"'
        ),
        "<javascript:alert(1)|x>": 'href="#"',
        # Ravi reads in Asia/Kolkata: 09:30 UTC is 3:00 PM there.
        f"<!date^{moment}^{{date_short}} at {{time}}|fallback>": "Mar 2, 2026 at 3:00 PM",
        "&gt; quoted\n• one\n• two": (
            "<blockquote>quoted</blockquote><ul><li>one</li><li>two</li></ul>"
        ),
        "```a *b*```": '<pre class="code-block">a *b*</pre>',
    }
    for source, expected in cases.items():
        html = browser.render_mrkdwn(source, tz="Asia/Kolkata")
        assert expected in html, (source, html)
    unknown = browser.render_blocks([{"type": "rich_text", "elements": []}])
    assert "Unsupported block: rich_text" in unknown
