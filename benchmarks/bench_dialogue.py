"""Time of one dialogue engine step and of a whole dialogue (R-medium by buttons and text).

Run: .venv/bin/python benchmarks/bench_dialogue.py
Target (issue 3): the median engine step under 0.2 ms on the 2-core dev machine.
"""

from __future__ import annotations

import platform
import statistics
import time

from dialogs.engine import Engine
from dialogs.state import Event, Press, Say
from pricing import load_rates

WHOLE_DIALOGUE: list[Event] = [
    Say("日均300单，5类商品，要10分钟响应"), Press("m:game_cards"), Press("m:done"),
    Press("m:none"), Press("m:done"), Press("o:technical"), Press("o:none"), Say("纯人工"),
    Press("o:outsourced"), Press("o:steady"), Press("o:compare"), Say("预算5000"),
    Press("e:orders"), Say("三四百单"), Press("ok"),
]


def main() -> None:
    engine = Engine(load_rates())
    step_times: list[float] = []
    dialogue_times: list[float] = []
    for _ in range(300):
        started = time.perf_counter()
        state, _ = engine.start("zh_CN", dialog_id="bench")
        for event in WHOLE_DIALOGUE:
            before = time.perf_counter()
            state, screen = engine.handle(state, event)
            step_times.append(time.perf_counter() - before)
        assert screen.kind == "quote"
        dialogue_times.append(time.perf_counter() - started)
    steps = sorted(step_times)
    print(f"machine: {platform.machine()} {platform.python_implementation()} "
          f"{platform.python_version()}")
    print(f"engine step: median {statistics.median(steps) * 1e3:.3f} ms, "
          f"p95 {steps[int(len(steps) * 0.95)] * 1e3:.3f} ms, "
          f"max {steps[-1] * 1e3:.3f} ms over {len(steps):,} steps (target: median < 0.2 ms)")
    print(f"whole dialogue ({len(WHOLE_DIALOGUE)} events incl. the quote): median "
          f"{statistics.median(dialogue_times) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
