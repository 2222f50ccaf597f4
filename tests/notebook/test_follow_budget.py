"""A widget's follower keeps its drawing budget from its first drawing on: the drawing a widget makes when it is
created counts, so the thread does not draw again at once (a `%%mlrun` cell's chart used to draw twice
back to back on the first logged point, in the training loop's time)."""

from __future__ import annotations

import threading

from jupyter_mlext.widgets._follow import Follower


def test_the_first_update_in_the_thread_waits_as_long_as_after_any_update():
    updates = threading.Event()
    follower = Follower(lambda: updates.set() or False, interval=0.01, budget=0.5)
    follower.start(last_took=30.0)  # a 30 s drawing at half the wall time: the next one is due in 30 s
    assert not updates.wait(0.5)
    follower.stop()
    assert not follower.running and not updates.is_set()


def test_without_an_earlier_update_the_thread_updates_at_once():
    updates = threading.Event()
    follower = Follower(lambda: updates.set() or True, interval=10.0)
    follower.start()
    assert updates.wait(10.0)
    follower.stop()
