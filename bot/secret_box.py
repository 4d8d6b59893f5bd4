"""Encrypting the secrets people hand the bot (calendar addresses, CalDAV passwords) with
the ``SECRET_KEY`` setting: Fernet, so a stored value is unreadable and tamper-evident
without the key. Several keys rotate: the first encrypts, any decrypts."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretsUnavailable(Exception):
    """No SECRET_KEY is set, or none of its keys opens a stored secret."""


class SecretBox:
    def __init__(self, keys: Sequence[str]) -> None:
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys]) if keys else None

    @property
    def ready(self) -> bool:
        return self._fernet is not None

    def seal(self, plain: str) -> str:
        if self._fernet is None:
            raise SecretsUnavailable("SECRET_KEY is not set")
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, token: str) -> str:
        if self._fernet is None:
            raise SecretsUnavailable("SECRET_KEY is not set")
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretsUnavailable("SECRET_KEY does not open this secret") from None
