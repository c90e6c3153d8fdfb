"""Lab keys: made from the instance's secret and a random nonce per lab, stored only as hashes.

A key is HMAC-SHA256(secret, nonce ‖ role), so the database holds nothing that opens a lab (a nonce and two
hashes), yet whoever holds the secret — the admin token — can make the keys again and hand them out
(`GET /labs/{id}/keys`). A key has 192 random-looking bits; SHA-256 is enough to store it (a slow password
hash protects guessable secrets, and these cannot be guessed)."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_BYTES = 24  # 192 bits, 32 URL-safe characters
MAX_KEY_LENGTH = 200
MAX_KEYS_PER_REQUEST = 256  # SPEC §12 asks that 64 be accepted; a script's keyring may hold more


@dataclass(frozen=True)
class LabKeys:
    edit: str
    view: str


@dataclass(frozen=True)
class IssuedKeys:
    """What a new lab stores (`nonce`, the hashes) and what its creator is told once (`keys`)."""

    nonce: str
    keys: LabKeys

    @property
    def edit_hash(self) -> str:
        return key_hash(self.keys.edit)

    @property
    def view_hash(self) -> str:
        return key_hash(self.keys.view)


def _derive(secret: str, nonce: str, role: str) -> str:
    digest = hmac.new(secret.encode(), f"vnetlab\0{nonce}\0{role}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:KEY_BYTES]).decode().rstrip("=")


def derive_keys(secret: str, nonce: str) -> LabKeys:
    return LabKeys(edit=_derive(secret, nonce, "edit"), view=_derive(secret, nonce, "view"))


def derive_token(secret: str, nonce: str, purpose: str) -> str:
    """Another secret made the same way (an assignment's join token)."""
    return _derive(secret, nonce, purpose)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def issue_keys(secret: str) -> IssuedKeys:
    nonce = new_nonce()
    return IssuedKeys(nonce, derive_keys(secret, nonce))


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_admin_token() -> str:
    return secrets.token_urlsafe(32)
