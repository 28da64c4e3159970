"""The compare tray: up to four listing ids kept in the session, in the order they were added."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

SESSION_KEY = "marketplace_compare"
MAX_COMPARE = 4

TRAY_FULL = _("You can compare up to %(max)d listings. Remove one from the tray to add another.")
TOO_MANY = _("You can compare up to %(max)d listings side by side; showing the first %(max)d.")
UNKNOWN_IGNORED = _("Some listings could not be found and were left out: %(tokens)s.")
ADDED = _("Added to compare.")
REMOVED = _("Removed from compare.")


@dataclass(frozen=True)
class TrayChange:
    ids: list[int]
    changed: bool
    message: str = ""


def tray_ids(session) -> list[int]:
    raw = session.get(SESSION_KEY) or []
    ids = []
    for value in raw:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            continue
        if pk not in ids:
            ids.append(pk)
    return ids[:MAX_COMPARE]


def _store(session, ids: list[int]) -> None:
    session[SESSION_KEY] = ids
    session.modified = True


def add_to_tray(session, listing_id: int) -> TrayChange:
    ids = tray_ids(session)
    if listing_id in ids:
        return TrayChange(ids, False)
    if len(ids) >= MAX_COMPARE:
        return TrayChange(ids, False, str(TRAY_FULL % {"max": MAX_COMPARE}))
    ids.append(listing_id)
    _store(session, ids)
    return TrayChange(ids, True, str(ADDED))


def remove_from_tray(session, listing_id: int) -> TrayChange:
    ids = tray_ids(session)
    if listing_id not in ids:
        return TrayChange(ids, False)
    ids.remove(listing_id)
    _store(session, ids)
    return TrayChange(ids, True, str(REMOVED))


def replace_tray(session, ids: list[int]) -> None:
    _store(session, list(dict.fromkeys(ids))[:MAX_COMPARE])


def clear_tray(session) -> None:
    _store(session, [])


def parse_tokens(raw: str) -> list[str]:
    """``?ids=12,34,crm-pro`` (or repeated ``ids``) → tokens, trimmed, empty ones dropped."""
    tokens = []
    for part in (raw or "").replace(" ", ",").split(","):
        token = part.strip().strip("/")
        if token and len(token) <= 255:
            tokens.append(token)
    return tokens
