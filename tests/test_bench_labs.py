"""The benchmark's synthetic labs stay valid documents, so bench/ cannot silently measure an error path."""

from app.engine.document import LabDocument
from app.engine.simulate import Simulation
from bench.labs import lab_data


def test_bench_lab_is_valid_and_mixed():
    doc = LabDocument.model_validate(lab_data(100))
    assert {host.product for host in doc.hosts} == {"virtual_pc_2007", "virtual_server_2005_r2", "hyper_v"}
    result = Simulation(doc).result()
    assert sum(len(h.vms) for h in doc.hosts) == 100
    assert {a.source for a in result.adapters} == {"dhcp", "apipa", "none"}
    assert 1.5 <= len(result.adapters) / 100 <= 2.5
