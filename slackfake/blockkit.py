"""Block Kit validation against the limits Slack enforces.

Pure functions: each takes a message's ``blocks`` or a view and returns Slack-style error
strings, e.g. ``"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"``
(Slack's own wording, which states a maximum of N as "less than N+1"). An empty list means
Slack would accept the payload. The fake Web API wraps these in Slack's ``invalid_blocks`` /
``invalid_arguments`` answers.

The limits live in the tables below, each with the page of Slack's Block Kit reference
(https://docs.slack.dev/reference/block-kit/...) that states it. Block and element types that
the tables list without fields are known to Slack but their contents are not checked here.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# chat.postMessage: "Provide no more than 40,000 characters or risk truncation"; Slack answers
# msg_too_long past it, so the fake does too.
MAX_MESSAGE_TEXT = 40_000
# blocks reference: "up to 50 blocks in each message, and 100 blocks in modals or Home tabs".
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
# chat.postMessage answers msg_blocks_too_long past a total of text in a message's blocks that
# Slack does not document for sections; its staff give "12,000 text characters" (the markdown
# block's documented cumulative limit), and messages of about 13,200 are refused.
MAX_BLOCKS_TEXT = 12_000


@dataclass(frozen=True)
class Text:
    """A text object of at most ``max_len`` characters; ``plain`` where only plain_text is allowed.

    composition-objects/text-object: type is plain_text or mrkdwn, text is 1..3000 characters,
    ``emoji`` belongs to plain_text only and ``verbatim`` to mrkdwn only.
    """

    max_len: int = 3000
    plain: bool = False


@dataclass(frozen=True)
class Str:
    """A string of ``min_len``..``max_len`` characters."""

    max_len: int
    min_len: int = 0


@dataclass(frozen=True)
class Bounded:
    """An integer in ``low``..``high`` inclusive."""

    low: int
    high: int


@dataclass(frozen=True)
class Many:
    """An array of ``min_items``..``max_items`` items, each checked against ``item``."""

    item: "Rule"
    max_items: int
    min_items: int = 0


@dataclass(frozen=True)
class Spec:
    """The fields of one kind of object, and which of them must be present."""

    fields: Mapping[str, "Rule"] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Typed:
    """An object whose ``type`` selects its spec in ``table``.

    ``new_action_scope`` marks top-level blocks: action_id must be unique within its block
    (block elements reference: "Should be unique among all other action_ids in the containing
    block"), so each block starts a fresh set.
    """

    table: Mapping[str, "Spec | Text"]
    new_action_scope: bool = False


@dataclass(frozen=True)
class Fixed:
    """An object of one known shape without a ``type`` field (options, option groups)."""

    spec: Spec


Rule = Text | Str | Bounded | Many | Typed | Fixed

# block_id and action_id: "Maximum length for this field is 255 characters" (every block and
# interactive element page); Slack's schema also gives both a minimum length of 1.
ID = Str(255, min_len=1)


def _block(fields: Mapping[str, Rule] | None = None, **kwargs: Any) -> Spec:
    return Spec({"block_id": ID, **(fields or {})}, **kwargs)


def _element(fields: Mapping[str, Rule] | None = None, **kwargs: Any) -> Spec:
    return Spec({"action_id": ID, **(fields or {})}, **kwargs)


# composition-objects/option-object: text and description at most 75, value at most 150,
# url (overflow menus only) at most 3000.
OPTION = Spec(
    {"text": Text(75), "value": Str(150), "description": Text(75), "url": Str(3000)},
    required=("text", "value"),
)
# composition-objects/option-group-object: label at most 75 characters, at most 100 options.
OPTION_GROUP = Spec(
    {"label": Text(75, plain=True), "options": Many(Fixed(OPTION), 100)},
    required=("label", "options"),
)
# composition-objects/confirmation-dialog-object: title (plain_text) at most 100, text at most
# 300, the confirm and deny buttons (plain_text) at most 30; all four required.
CONFIRM = Spec(
    {
        "title": Text(100, plain=True),
        "text": Text(300),
        "confirm": Text(30, plain=True),
        "deny": Text(30, plain=True),
    },
    required=("title", "text", "confirm", "deny"),
)
_CONFIRMABLE = {"confirm": Fixed(CONFIRM)}
# Select and input elements: "placeholder ... Maximum length for the text in this field is 150".
PLACEHOLDER = Text(150, plain=True)
_WITH_PLACEHOLDER = {"placeholder": PLACEHOLDER}
# select-menu-element / multi-select-menu-element: "Maximum number of options is 100".
_STATIC_SELECT = _element(
    {
        "placeholder": PLACEHOLDER,
        "options": Many(Fixed(OPTION), 100),
        "option_groups": Many(Fixed(OPTION_GROUP), 100),
        "initial_option": Fixed(OPTION),
        "initial_options": Many(Fixed(OPTION), 100),
        **_CONFIRMABLE,
    },
    one_of=("options", "option_groups"),
)

ELEMENTS: Mapping[str, Spec] = {
    # button-element: text at most 75, url at most 3000, value at most 2000.
    "button": _element(
        {"text": Text(75, plain=True), "url": Str(3000), "value": Str(2000), **_CONFIRMABLE},
        required=("text",),
    ),
    "static_select": _STATIC_SELECT,
    "multi_static_select": _STATIC_SELECT,
    # checkboxes-element and radio-button-group-element: "A maximum of 10 options are allowed".
    "checkboxes": _element(
        {
            "options": Many(Fixed(OPTION), 10, min_items=1),
            "initial_options": Many(Fixed(OPTION), 10),
            **_CONFIRMABLE,
        },
        required=("options",),
    ),
    "radio_buttons": _element(
        {
            "options": Many(Fixed(OPTION), 10, min_items=1),
            "initial_option": Fixed(OPTION),
            **_CONFIRMABLE,
        },
        required=("options",),
    ),
    # overflow-menu-element: "Maximum number of options is 5. Minimum number of options is 1".
    "overflow": _element({"options": Many(Fixed(OPTION), 5, min_items=1)}, required=("options",)),
    # plain-text-input-element: min_length 0..3000 and max_length 1..3000, inclusive; an
    # initial_value is what a user could type, so no longer than max_length (checked below).
    "plain_text_input": _element(
        {
            "placeholder": PLACEHOLDER,
            "min_length": Bounded(0, 3000),
            "max_length": Bounded(1, 3000),
            "initial_value": Str(3000),
        }
    ),
    **{
        name: _element(_WITH_PLACEHOLDER)
        for name in (
            "users_select",
            "multi_users_select",
            "conversations_select",
            "multi_conversations_select",
            "channels_select",
            "multi_channels_select",
            "external_select",
            "multi_external_select",
            "datepicker",
            "timepicker",
            "datetimepicker",
            "email_text_input",
            "url_text_input",
            "number_input",
            "rich_text_input",
        )
    },
    "file_input": _element(),
    "workflow_button": _element(),
    # image-element: alt_text is required.
    "image": Spec({"alt_text": Str(2000)}, required=("alt_text",)),
}

# context-block: elements are image elements or text objects.
CONTEXT_ITEMS: Mapping[str, Spec | Text] = {
    "image": ELEMENTS["image"],
    "plain_text": Text(),
    "mrkdwn": Text(),
}

BLOCKS: Mapping[str, Spec] = {
    # section-block: text at most 3000; at most 10 fields of at most 2000; text or fields.
    "section": _block(
        {"text": Text(3000), "fields": Many(Text(2000), 10), "accessory": Typed(ELEMENTS)},
        one_of=("text", "fields"),
    ),
    # header-block: plain_text, at most 150 characters.
    "header": _block({"text": Text(150, plain=True)}, required=("text",)),
    # context-block: "Maximum number of items is 10".
    "context": _block(
        {"elements": Many(Typed(CONTEXT_ITEMS), 10, min_items=1)}, required=("elements",)
    ),
    # actions-block: "There is a maximum of 25 elements in each action block".
    "actions": _block({"elements": Many(Typed(ELEMENTS), 25, min_items=1)}, required=("elements",)),
    # input-block: label and hint are plain_text of at most 2000; label and element required.
    "input": _block(
        {
            "label": Text(2000, plain=True),
            "hint": Text(2000, plain=True),
            "element": Typed(ELEMENTS),
        },
        required=("label", "element"),
    ),
    "divider": _block(),
    # image-block: alt_text at most 2000, title at most 2000, image_url at most 3000.
    "image": _block(
        {"alt_text": Str(2000), "title": Text(2000, plain=True), "image_url": Str(3000)},
        required=("alt_text",),
    ),
    **{
        name: _block()
        for name in ("rich_text", "video", "file", "markdown", "table", "context_actions")
    },
}
BLOCK = Typed(BLOCKS, new_action_scope=True)

# views/modal-views: title, close and submit are plain_text of at most 24 characters;
# private_metadata at most 3000; callback_id and external_id at most 255.
_VIEW_FIELDS: Mapping[str, Rule] = {
    "private_metadata": Str(3000),
    "callback_id": Str(255),
    "external_id": Str(255),
}
VIEWS: Mapping[str, Spec] = {
    "modal": Spec(
        {
            "title": Text(24, plain=True),
            "close": Text(24, plain=True),
            "submit": Text(24, plain=True),
            "blocks": Many(BLOCK, MAX_VIEW_BLOCKS),
            **_VIEW_FIELDS,
        },
        required=("title", "blocks"),
    ),
    "home": Spec({"blocks": Many(BLOCK, MAX_VIEW_BLOCKS), **_VIEW_FIELDS}, required=("blocks",)),
}


class _Walk:
    """Errors found so far, and the ids already used in the surface being checked."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.block_ids: set[str] = set()
        self.action_ids: set[str] = set()

    def fail(self, pointer: str, message: str) -> None:
        self.errors.append(f"{message} [json-pointer:{pointer}]")


def message_errors(blocks: Any) -> list[str]:
    """Errors Slack would report for the ``blocks`` of a message (chat.*, response_url)."""
    walk = _Walk()
    _check(blocks, Many(BLOCK, MAX_MESSAGE_BLOCKS), "/blocks", walk)
    return walk.errors


def blocks_text_length(blocks: Any) -> int:
    """Characters of text in the text objects of ``blocks``: what ``MAX_BLOCKS_TEXT`` limits."""
    if isinstance(blocks, Mapping):
        text = blocks.get("text")
        own = len(text) if blocks.get("type") in _TEXT_TYPES and isinstance(text, str) else 0
        return own + sum(blocks_text_length(value) for value in blocks.values())
    if isinstance(blocks, list):
        return sum(blocks_text_length(value) for value in blocks)
    return 0


_TEXT_TYPES = ("plain_text", "mrkdwn")


def view_errors(view: Any, *, pointer: str = "/view") -> list[str]:
    """Errors Slack would report for a modal or Home tab view (views.*)."""
    walk = _Walk()
    if not isinstance(view, Mapping):
        walk.fail(pointer, "must be an object")
        return walk.errors
    kind = str(view.get("type"))
    if kind not in VIEWS:
        walk.fail(f"{pointer}/type", f"unsupported type: {kind}")
        return walk.errors
    _check_object(view, VIEWS[kind], pointer, walk)
    # views/modal-views: "submit is required when an input block is within the blocks array".
    blocks = view.get("blocks")
    has_input = isinstance(blocks, Sequence) and any(
        isinstance(block, Mapping) and block.get("type") == "input" for block in blocks
    )
    if kind == "modal" and has_input and not view.get("submit"):
        walk.fail(pointer, "submit is required when the view has an input block")
    return walk.errors


def _check(value: Any, rule: Rule, pointer: str, walk: _Walk) -> None:
    match rule:
        case Text():
            _check_text(value, rule, pointer, walk)
        case Str(max_len=max_len, min_len=min_len):
            if not isinstance(value, str):
                walk.fail(pointer, "must be a string")
            elif len(value) > max_len:
                walk.fail(pointer, f"must be less than {max_len + 1} characters")
            elif len(value) < min_len:
                walk.fail(pointer, f"must be more than {min_len - 1} characters")
        case Bounded(low=low, high=high):
            if isinstance(value, bool) or not isinstance(value, int):
                walk.fail(pointer, "must be an integer")
            elif not low <= value <= high:
                walk.fail(pointer, f"must be between {low} and {high}")
        case Many(item=item, max_items=max_items, min_items=min_items):
            if not isinstance(value, list):
                walk.fail(pointer, "must be an array")
                return
            if len(value) > max_items:
                walk.fail(pointer, f"no more than {max_items} items allowed")
            if len(value) < min_items:
                walk.fail(pointer, f"must provide at least {min_items} items")
            for index, each in enumerate(value):
                _check(each, item, f"{pointer}/{index}", walk)
        case Typed(table=table, new_action_scope=new_action_scope):
            if not isinstance(value, Mapping):
                walk.fail(pointer, "must be an object")
                return
            kind = str(value.get("type"))
            if kind not in table:
                walk.fail(f"{pointer}/type", f"unsupported type: {kind}")
                return
            if new_action_scope:
                walk.action_ids = set()
            spec = table[kind]
            if isinstance(spec, Text):
                _check_text(value, spec, pointer, walk)
            else:
                _check_object(value, spec, pointer, walk)
        case Fixed(spec=spec):
            if isinstance(value, Mapping):
                _check_object(value, spec, pointer, walk)
            else:
                walk.fail(pointer, "must be an object")


def _check_object(obj: Mapping[str, Any], spec: Spec, pointer: str, walk: _Walk) -> None:
    for name in spec.required:
        if obj.get(name) is None:
            walk.fail(pointer, f"missing required field: {name}")
    if spec.one_of and all(obj.get(name) is None for name in spec.one_of):
        choices = " or ".join(f"`{name}`" for name in spec.one_of)
        walk.fail(pointer, f"must define either {choices}")
    for name, rule in spec.fields.items():
        if obj.get(name) is not None:
            _check(obj[name], rule, f"{pointer}/{name}", walk)
    initial, most = obj.get("initial_value"), obj.get("max_length")
    if isinstance(initial, str) and isinstance(most, int) and len(initial) > most:
        walk.fail(f"{pointer}/initial_value", f"must be less than {most + 1} characters")
    for key, seen in (("block_id", walk.block_ids), ("action_id", walk.action_ids)):
        value = obj.get(key)
        if key in spec.fields and isinstance(value, str):
            if value in seen:
                walk.fail(f"{pointer}/{key}", f"duplicate {key}: {value}")
            seen.add(value)


def _check_text(value: Any, rule: Text, pointer: str, walk: _Walk) -> None:
    if not isinstance(value, Mapping):
        walk.fail(pointer, "must be a text object")
        return
    kind = value.get("type")
    if kind not in ("plain_text", "mrkdwn"):
        walk.fail(f"{pointer}/type", f"unsupported type: {kind}")
        return
    if rule.plain and kind != "plain_text":
        walk.fail(f"{pointer}/type", f"must be plain_text, not {kind}")
    for prop, owner in (("emoji", "plain_text"), ("verbatim", "mrkdwn")):
        if prop in value and kind != owner:
            walk.fail(pointer, f"invalid additional property: {prop}")
    text = value.get("text")
    if not isinstance(text, str):
        walk.fail(pointer, "missing required field: text")
    elif not text:
        walk.fail(f"{pointer}/text", "must be more than 0 characters")
    elif len(text) > rule.max_len:
        walk.fail(f"{pointer}/text", f"must be less than {rule.max_len + 1} characters")
