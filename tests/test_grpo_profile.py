"""bench/grpo_profile.py's clock: forward passes inside generate count as generation, not twice."""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from grpo_profile import Clock  # noqa: E402


class Model:
    def forward(self, x):
        time.sleep(0.01)
        return x

    def generate(self, n):
        for _ in range(n):
            self.forward(0)
        return n


def test_clock_splits_generate_from_forward():
    m, clock = Model(), Clock()
    clock.wrap(m, "forward", "forward")
    clock.wrap(m, "generate", "generate")
    assert m.generate(3) == 3 and m.forward(5) == 5
    assert 0.03 <= clock.now["generate"] < 0.1
    assert 0.01 <= clock.now["forward"] < 0.03  # the one call outside generate only
    assert clock.depth == 0


def test_clock_depth_recovers_after_an_error():
    class Boom:
        def generate(self):
            raise RuntimeError("x")
    b, clock = Boom(), Clock()
    clock.wrap(b, "generate", "generate")
    try:
        b.generate()
    except RuntimeError:
        pass
    assert clock.depth == 0 and "generate" in clock.now


def test_a_wrapped_call_inside_another_counts_once():
    """The shared prefix calls the backbone directly (counted), and model.forward calls it too
    (inside a counted call: not counted again)."""
    class Backbone:
        def forward(self):
            time.sleep(0.01)

    class Outer:
        def __init__(self):
            self.model = Backbone()

        def forward(self):
            self.model.forward()

    m, clock = Outer(), Clock()
    clock.wrap(m, "forward", "forward")
    clock.wrap(m.model, "forward", "forward")
    m.forward()
    m.model.forward()
    assert 0.02 <= clock.now["forward"] < 0.03
