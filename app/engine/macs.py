"""Automatic MAC addresses [MAC] and the link-local address a MAC leads to [LL-1]."""

import hashlib
from ipaddress import IPv4Address

VIRTUAL_PC_OUI = (0x00, 0x03, 0xFF)
HYPER_V_OUI = (0x00, 0x15, 0x5D)
APIPA_FIRST = int(IPv4Address("169.254.1.0"))
APIPA_COUNT = int(IPv4Address("169.254.254.255")) - APIPA_FIRST + 1


def mac_text(octets: tuple[int, ...] | list[int] | bytes) -> str:
    return "-".join(f"{octet:02X}" for octet in octets)


def mac_octets(mac: str) -> bytes:
    return bytes.fromhex(mac.replace("-", ""))


def nic_mac_from_name(host_name: str) -> str:
    """A stable stand-in for a host's NIC MAC when the document gives none: unicast, locally administered."""
    digest = hashlib.sha256(f"vnetlab host nic:{host_name}".encode()).digest()
    return mac_text([(digest[0] & 0xFC) | 0x02, *digest[1:6]])


def virtual_pc_mac(nic_mac: str, counter: int) -> str:
    """00-03-FF, then the host NIC's byte 4 XOR the per-host counter, then its bytes 5 and 6."""
    nic = mac_octets(nic_mac)
    return mac_text([*VIRTUAL_PC_OUI, nic[3] ^ (counter & 0xFF), nic[4], nic[5]])


def hyper_v_mac(host_ip: IPv4Address | None, counter: int) -> str:
    """00-15-5D, the last two octets of the host OS's address, then the pool counter 00–FF."""
    third, fourth = host_ip.packed[2:] if host_ip is not None else (0, 0)
    return mac_text([*HYPER_V_OUI, third, fourth, counter])


def apipa_candidates(mac: str):
    """Link-local addresses in the order a client with this MAC tries them [LL-1]."""
    start = int.from_bytes(hashlib.sha256(mac_octets(mac)).digest()[:4], "big") % APIPA_COUNT
    for step in range(APIPA_COUNT):
        yield IPv4Address(APIPA_FIRST + (start + step) % APIPA_COUNT)
