"""No lost updates: two writers with the same If-Match at the same instant — exactly one wins."""

import threading

import httpx

from tests.api.conftest import EXAMPLES
from tests.keys import ADMIN_HEADERS

API = "/api/v1"
ROUNDS = 8


def _write(base_url: str, url: str, target: int, version: int, start: threading.Barrier, answers: list) -> None:
    with httpx.Client(base_url=base_url, timeout=30, headers=ADMIN_HEADERS) as http:
        start.wait()
        reply = http.patch(url, json={"network_id": target}, headers={"If-Match": f'"{version}"'})
        answers.append((reply.status_code, target))


def test_same_if_match_at_the_same_instant_exactly_one_wins(live_url):
    with httpx.Client(base_url=live_url, timeout=30, headers=ADMIN_HEADERS) as http:
        seed = (EXAMPLES / "01-seed-virtual-pc.yaml").read_bytes()
        lab = http.post(f"{API}/labs/import", content=seed, headers={"Content-Type": "application/yaml"}).json()
        lab_url = f"{API}/labs/{lab['id']}"
        networks = {n["name"]: n["id"] for n in http.get(f"{lab_url}/networks").json()}
        adapter_url = f"{lab_url}/adapters/{http.get(f'{lab_url}/adapters').json()[3]['id']}"  # xp-off
        targets = [networks["Local only"], networks["Shared networking (NAT)"]]
        for round_number in range(ROUNDS):
            version = http.get(lab_url).json()["version"]
            start, answers = threading.Barrier(2), []
            threads = [
                threading.Thread(target=_write, args=(live_url, adapter_url, target, version, start, answers))
                for target in targets
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(status for status, _ in answers) == [200, 412], (round_number, answers)
            winner = next(target for status, target in answers if status == 200)
            assert http.get(adapter_url).json()["network_id"] == winner
            assert http.get(lab_url).json()["version"] == version + 1
