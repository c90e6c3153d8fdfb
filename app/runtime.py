"""How the processes that run vnetlab set up Python's cyclic garbage collector.

The engine makes no reference cycles, but a large lab makes millions of objects, and with the default
thresholds the collector walks the whole heap again and again while they are made (a 10,000-VM lab: six full
collections, more time than the simulation itself). The engine does not touch the collector — it is a library
and the collector is the process's — so each vnetlab process decides once, at start, for itself.
"""

import gc

# Young collections after 50,000 new objects (not 700); a full collection only after 2,000 of them. Cycles
# that the web framework makes die young and are still collected by the first two generations.
THRESHOLDS = (50_000, 20, 100)


def settle_collector() -> None:
    """Moves what is loaded so far out of the collector's sight and raises its thresholds (see above)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
