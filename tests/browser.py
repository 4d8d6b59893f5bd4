"""Browser-test support: the real ``python -m bot playground`` process (started like the
bench's servers), and headless Chromium (Debian's ``chromium`` + ``chromium-driver``)
driven by Selenium.

Every lookup is by XPath or CSS and done afresh at each poll: the page redraws what
changed every second, so an element found earlier may be gone.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Self

import pytest

from bench.procs import Server, free_port, spawn

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL_HINT = (
    "browser tests need Debian's chromium and chromium-driver "
    "(apt-get install chromium chromium-driver)"
)
# Flags for a root user on a machine without network or display; a fresh profile per run.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1360,860",
)
WAIT = 15.0


@dataclass
class PlaygroundProcess:
    server: Server

    @property
    def url(self) -> str:
        return f"{self.server.url}/"

    @property
    def log(self) -> Path:
        return self.server.log

    @classmethod
    @contextmanager
    def start(
        cls, folder: Path, *args: str, env_extra: dict[str, str] | None = None
    ) -> Iterator[Self]:
        """``python -m bot playground [args]`` in ``folder``, with no Slack settings in its
        environment, until its page answers (after the demo, with ``--demo``)."""
        port = free_port()
        env = {"LOG_LEVEL": "WARNING", **(env_extra or {})}
        server = spawn(
            "playground", ["-m", "bot", "playground", "--port", str(port), *args], env, port, folder
        )
        try:
            asyncio.run(server.wait_ready("/"))
            yield cls(server)
        finally:
            server.stop()

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as reply:
            return json.loads(reply.read())

    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read())


@contextmanager
def browser_or_skip(profile: Path, artifacts: Path) -> Iterator[Browser]:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        if os.environ.get("CI"):
            # .ci/run installs them: their absence there is a broken machine, not a skip.
            pytest.fail(f"{INSTALL_HINT}; CI must run these tests")
        pytest.skip(INSTALL_HINT)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("browser tests need selenium: make .venv/.installed-dev")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    artifacts.mkdir(parents=True, exist_ok=True)
    try:
        yield Browser(driver, artifacts)
    finally:
        driver.quit()


def _literal(text: str) -> str:
    """``text`` as an XPath string literal."""
    if "'" not in text:
        return f"'{text}'"
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in text.split("'")) + ")"


class Browser:
    def __init__(self, driver: Any, artifacts: Path) -> None:
        self.driver = driver
        self.artifacts = artifacts

    # ------------------------------------------------------------ waiting

    def until(self, check: Any, what: str) -> Any:
        from selenium.common.exceptions import (
            NoSuchElementException,
            StaleElementReferenceException,
        )

        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                result = check()
            except (StaleElementReferenceException, NoSuchElementException):
                result = None
            if result:
                return result
            time.sleep(0.1)
        self.screenshot("failure")
        raise AssertionError(f"gave up waiting for {what}; see failure.png")

    def _xpath(self, path: str) -> Any:
        from selenium.webdriver.common.by import By

        found = self.driver.find_elements(By.XPATH, path)
        return found[-1] if found else None

    def _css(self, selector: str) -> Any:
        from selenium.webdriver.common.by import By

        found = self.driver.find_elements(By.CSS_SELECTOR, selector)
        return found[-1] if found else None

    def _click(self, path: str, what: str) -> None:
        def clicked() -> bool:
            element = self._xpath(path)
            if element is None or not element.is_enabled():
                return False
            element.click()
            return True

        self.until(clicked, what)

    # ------------------------------------------------------------ the page

    def open(self, url: str) -> None:
        self.driver.get(url)
        self.until(lambda: self._css("#user-switcher option"), "the page to load")

    def command(self, text: str) -> None:
        from selenium.webdriver.common.keys import Keys

        box = self.until(lambda: self._css("#composer-input"), "the message box")
        box.send_keys(text + Keys.ENTER)

    def switch_user(self, user_id: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self._css("#user-switcher")).select_by_value(user_id)
        name = self.driver.execute_script(
            "return document.querySelector(`#user-switcher option[value='${arguments[0]}']`)"
            ".textContent.split(' — ')[0]",
            user_id,
        )
        self.until(lambda: name in self._css("#who-note").text, f"to act as {name}")

    def show_pane(self, pane: str) -> None:
        self._click(f"//button[@id='nav-{pane}']", f"the {pane} pane")

    def advance_clock(self, label: str) -> None:
        before = self._css("#clock-face").text
        self._click(f"//button[normalize-space()={_literal(label)}]", "the clock")
        self.until(lambda: self._css("#clock-face").text != before, "the clock to move")

    # ------------------------------------------------------------ messages

    def wait_card(self, name: str) -> str:
        path = (
            "//div[@id='pane-body']//article[contains(@class,'message')]"
            f"[.//h3[contains(., {_literal(name)})]]"
        )
        self.until(lambda: self._xpath(path), f"{name}'s card")
        return path

    def wait_message_with_button(self, label: str) -> str:
        path = (
            "(//div[@id='pane-body']//article[contains(@class,'message')]"
            f"[.//button[normalize-space()={_literal(label)}]])[last()]"
        )
        self.until(lambda: self._xpath(path), f"a message with {label}")
        return path

    def click_button(self, message: str, label: str) -> None:
        self._click(f"{message}//button[normalize-space()={_literal(label)}]", label)

    def wait_text(self, message: str, text: str) -> None:
        self.until(
            lambda: text in (self._xpath(message).text if self._xpath(message) else ""),
            f"{text!r} in {message}",
        )

    def open_thread(self, message: str) -> None:
        self._click(f"{message}//button[contains(@class,'replies-link')]", "the thread")
        self.until(lambda: self._css("#thread:not([hidden])"), "the thread pane")

    def scroll_thread_to(self, text: str) -> None:
        """Bring the first reply holding ``text`` to the top of the thread pane."""
        found = self.driver.execute_script(
            """
            const hit = [...document.querySelectorAll('#thread-body .message')]
              .find((m) => m.textContent.includes(arguments[0]));
            if (hit) hit.scrollIntoView({block: 'start'});
            return Boolean(hit);
            """,
            text,
        )
        assert found, f"no reply with {text!r} in the thread"

    def wait_thread_reply(self, message: str, text: str) -> None:
        self.open_thread(message)
        self.until(lambda: text in self._css("#thread-body").text, f"{text!r} in the thread")

    def ephemerals(self) -> list[str]:
        """The ephemeral answers' texts, read again whenever a redraw replaced one between
        finding the elements and reading them."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By

        deadline = time.monotonic() + WAIT
        while True:
            found = self.driver.find_elements(By.CSS_SELECTOR, ".message.ephemeral .blocks")
            try:
                return [element.text for element in found]
            except StaleElementReferenceException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def violations(self) -> list[str]:
        box = self._css("#violations")
        return [] if box is None or not box.is_displayed() else [box.text]

    # ------------------------------------------------------------ modals

    def wait_modal(self, callback_id: str) -> None:
        self.until(
            lambda: self._css(f"#modal:not([hidden]) .modal[data-callback-id='{callback_id}']"),
            f"the {callback_id} modal",
        )

    def wait_field_error(self, block_id: str, text: str) -> None:
        selector = f".modal [data-block-id='{block_id}'] .bk-error"
        self.until(
            lambda: self._css(selector) and text in self._css(selector).text,
            f"the error under {block_id}",
        )

    def no_modal(self) -> bool:
        return self._css("#modal[hidden]") is not None

    def wait_no_modal(self) -> None:
        self.until(lambda: self._css("#modal[hidden]"), "the modal to close")

    def _field(self, action_id: str, inner: str = "") -> Any:
        selector = f".modal [data-action-id='{action_id}'] {inner}".strip()
        return self.until(lambda: self._css(selector), action_id)

    def type(self, action_id: str, text: str) -> None:
        field = self._field(action_id)
        field.clear()
        field.send_keys(text)

    def select(self, action_id: str, visible_text: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self._field(action_id)).select_by_visible_text(visible_text)

    def choose_radio(self, action_id: str, label: str) -> None:
        self._click(
            f"//div[@data-action-id='{action_id}']//label[contains(., {_literal(label)})]",
            f"{label} in {action_id}",
        )

    def toggle_user(self, action_id: str, user_id: str) -> None:
        self._field(action_id, f".chip[data-user='{user_id}']").click()

    def set_datetime(self, action_id: str, moment: datetime) -> None:
        """Fill a datetimepicker as its reader would: the date and time in their zone."""
        self._field(action_id)
        self.driver.execute_script(
            """
            const [box, day, time] = arguments;
            const inputs = document.querySelectorAll(`.modal [data-action-id='${box}'] input`);
            inputs[0].value = day; inputs[1].value = time;
            for (const input of inputs) input.dispatchEvent(new Event('input'));
            """,
            action_id,
            moment.strftime("%Y-%m-%d"),
            moment.strftime("%H:%M"),
        )

    def rate_all(self, value: str) -> None:
        """Answer every rating of a scorecard with ``value``, whatever element shows it."""
        self._field("scorecard_overall")
        self.driver.execute_script(
            """
            const value = arguments[0];
            for (const box of document.querySelectorAll('.modal [data-action-id]')) {
              if (!/^scorecard_(competency|quality|overall)/.test(box.dataset.actionId)) continue;
              if (box.tagName === 'SELECT') {
                box.value = value; box.dispatchEvent(new Event('change'));
              } else {
                const choice = box.querySelector(`input[value='${value}']`);
                if (choice) choice.click();
              }
            }
            """,
            value,
        )

    def submit_modal(self) -> None:
        self._click("//div[@id='modal']//button[contains(@class,'modal-submit')]", "submit")

    def finish_modals(self) -> None:
        """Submit whatever the bot pushes after a submission (a confirmation) until none."""
        for _ in range(3):
            time.sleep(0.5)
            if self._css("#modal[hidden]"):
                return
            self.submit_modal()
        self.wait_no_modal()

    # ------------------------------------------------------------ artefacts and units

    def screenshot(self, name: str, *, modal: bool = False) -> Path:
        path = self.artifacts / f"{name}.png"
        if modal and self._css("#modal .modal"):
            # From its top, as a person first sees it.
            self.driver.execute_script("document.querySelector('.modal-body').scrollTop = 0")
            self._css("#modal .modal").screenshot(str(path))
        else:
            self.driver.save_screenshot(str(path))
        return path

    def render_mrkdwn(self, text: str, *, tz: str) -> str:
        return str(
            self.driver.execute_script(
                "return window.Mrkdwn.render(arguments[0], "
                "{users: {U0PGMAYA: {name: 'Maya Chen'}}, me: '', tz: arguments[1], now: 0})",
                text,
                tz,
            )
        )

    def render_blocks(self, blocks: list[dict[str, Any]]) -> str:
        return str(
            self.driver.execute_script(
                "return window.Blocks.render(arguments[0], {users: {}, tz: 'UTC', now: 0, "
                "state: {}, errors: {}, onAction() {}}).outerHTML",
                blocks,
            )
        )
