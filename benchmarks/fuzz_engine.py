"""A long fuzz run of the dialogue engine and the free-text parser (not in `make test`).

Run: .venv/bin/python benchmarks/fuzz_engine.py [--sequences 10000]
Hypothesis generates random event sequences (buttons of the current screen, forged ids,
random Unicode text, tricky phrases) and checks, after every event: no exception, a screen
with a way forward, the cheap button check equal to the rendered buttons, the state
surviving a JSON round trip. Prints the count and the time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, given, settings

from tests import test_dialogue_fuzz as fuzz


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sequences", type=int, default=10_000)
    args = parser.parse_args()
    runs = [0]
    test = fuzz.test_random_events_never_raise_and_always_leave_a_way_forward
    check = test.hypothesis.inner_test  # the test's body, without its own settings

    @settings(max_examples=args.sequences, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(fuzz.actions, fuzz.st.sampled_from(["zh_CN", "zh_TW", "en"]))
    def run(steps: list[tuple[str, object]], locale: str) -> None:
        runs[0] += 1
        check(steps, locale)

    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    print(f"fuzz: {runs[0]:,} random event sequences (up to 40 events each), 0 failures, "
          f"{seconds:.1f} s")


if __name__ == "__main__":
    main()
