"""`ipconfig /all` as the VM's guest OS prints it: the XP family [IPC] or Windows Vista and later [W7R]."""

from app.engine.guests import GuestFamily, guest_family
from app.engine.ipconfig.lines import Guest, Layout, Locale
from app.engine.ipconfig.vista import render_vista_and_later
from app.engine.ipconfig.xp import render_xp

__all__ = ["Guest", "Layout", "Locale", "render_ipconfig"]


def render_ipconfig(guest: Guest, locale: Locale = Locale.EN, layout: Layout = Layout.XP) -> str:
    """Vista and later accept `locale` and `layout` and ignore them: their English text has one layout [W7R-12]."""
    family = guest_family(guest.os)
    if family == GuestFamily.XP:
        return render_xp(guest, locale, layout)
    return render_vista_and_later(guest, family)
