"""Guest operating systems: which `ipconfig` each prints, and the names people know them by (SPEC §14.1)."""

from enum import StrEnum

from app.engine.document import OperatingSystem as Os


class GuestFamily(StrEnum):
    XP = "xp"  # §8: Windows 2000, XP, Server 2003, and until their own layouts come, Linux and `other`
    VISTA = "vista"  # NT 6.0: Windows Vista, Windows Server 2008
    SEVEN = "7"
    SERVER_2008_R2 = "2008_r2"


FAMILIES: dict[Os, GuestFamily] = {
    Os.WINDOWS_VISTA: GuestFamily.VISTA,
    Os.WINDOWS_SERVER_2008: GuestFamily.VISTA,
    Os.WINDOWS_7: GuestFamily.SEVEN,
    Os.WINDOWS_SERVER_2008_R2: GuestFamily.SERVER_2008_R2,
}

OS_NAMES: dict[Os, str] = {
    Os.WINDOWS_2000: "Windows 2000",
    Os.WINDOWS_XP: "Windows XP",
    Os.WINDOWS_SERVER_2003: "Windows Server 2003",
    Os.WINDOWS_VISTA: "Windows Vista",
    Os.WINDOWS_SERVER_2008: "Windows Server 2008",
    Os.WINDOWS_7: "Windows 7",
    Os.WINDOWS_SERVER_2008_R2: "Windows Server 2008 R2",
    Os.LINUX: "Linux",
    Os.OTHER: "Other",
}

# The designer's OS picker, grouped by the ipconfig each group prints.
OS_GROUPS: tuple[tuple[str, tuple[Os, ...]], ...] = (
    ("Windows XP and earlier", (Os.WINDOWS_2000, Os.WINDOWS_XP, Os.WINDOWS_SERVER_2003)),
    ("Windows Vista and later", (Os.WINDOWS_VISTA, Os.WINDOWS_SERVER_2008, Os.WINDOWS_7, Os.WINDOWS_SERVER_2008_R2)),
    ("Other (print Windows XP's ipconfig)", (Os.LINUX, Os.OTHER)),
)


def guest_family(os: Os) -> GuestFamily:
    return FAMILIES.get(os, GuestFamily.XP)


def ipconfig_imitates(os: Os) -> str:
    """The Windows whose `ipconfig /all` this guest's text imitates, as a person would name it."""
    return "Windows XP" if os in (Os.LINUX, Os.OTHER) else OS_NAMES[os]
