"""The admin token the tests' apps are made with: a client that sends it opens every lab, as the instance's
admin does (tests/api/test_access.py checks the keys themselves)."""

ADMIN_TOKEN = "test-admin-token-not-a-secret"
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def bearer(*keys: str) -> dict[str, str]:
    """The Authorization header a script holding `keys` sends (SPEC §12)."""
    return {"Authorization": "Bearer " + ", ".join(keys)}
