"""How the processes that run vnetlab set up the interpreter: its cyclic garbage collector, and (for the server)
how often threads take turns.

The engine makes no reference cycles, but a large lab makes millions of objects, and with the default
thresholds the collector walks the whole heap again and again while they are made (a 10,000-VM lab: six full
collections, more time than the simulation itself). The engine does not touch the collector — it is a library
and the collector is the process's — so each vnetlab process decides once, at start, for itself.
"""

import gc
import sys

# Young collections after 50,000 new objects (not 700); a full collection only after 2,000 of them. Cycles
# that the web framework makes die young and are still collected by the first two generations.
THRESHOLDS = (50_000, 20, 100)


def settle_collector() -> None:
    """Moves what is loaded so far out of the collector's sight and raises its thresholds (see above)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


# The server's event loop shares the interpreter with worker threads that import, simulate and render. Python
# lets a busy thread run 5 ms before another may take over; every request the loop handles while four imports
# run waits for that several times over. 1 ms keeps /healthz and small requests quick at a small cost in
# throughput (tests/api/test_event_loop.py checks the first; bench/load.py measures the second).
SWITCH_INTERVAL_SECONDS = 0.001


def share_the_interpreter_lock() -> None:
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
