"""The engine is pure: importing it loads no web, database or template library."""

import subprocess
import sys


def test_engine_imports_no_framework():
    code = (
        "import sys, app.engine.simulate, app.engine.loading; "
        "print(sorted(m for m in ('fastapi', 'starlette', 'sqlmodel', 'sqlalchemy', 'jinja2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_engine_leaves_the_garbage_collector_alone():
    """The collector belongs to the process (app/runtime.py): it keeps collecting while the engine works, and its
    settings are as they were after."""
    code = (
        "import gc, sys; sys.path.insert(0, '.'); from bench.labs import lab_data, ics_chain; "
        "from app.engine.document import LabDocument; from app.engine.simulate import Simulation; "
        "docs = [LabDocument.model_validate(d) for d in (lab_data(300), ics_chain(20))]; "
        "runs = []; gc.callbacks.append(lambda phase, info: runs.append(phase)); gc.set_threshold(700, 10, 10); "
        "[Simulation(doc).result_json() for doc in docs]; "
        "print(runs.count('start') > 10, gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True True (700, 10, 10) 0"
