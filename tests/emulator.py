"""A test's handle on one provider emulator: its HTTP control endpoints and its live data."""
import requests


def controlled(control_class, handle):
    """The body of an emulator fixture: its control with zeroed call counts; its faults are
    cleared when the test ends (a hanging-call fault must not outlive the test)."""
    emulator = control_class(handle)
    emulator.reset_stats()
    yield emulator
    emulator.clear_faults()


class EmulatorControl:
    def __init__(self, handle):
        self.handle = handle
        self.url = handle.url

    @property
    def app(self):
        return self.handle.app

    @property
    def store(self):
        return self.handle.app.store  # replaced on every reset: always read it through here

    def faults(self, **config) -> None:
        response = requests.post(self.url + "/__sandbox__/faults", json=config, timeout=5)
        assert response.status_code == 200, response.text

    def fail(self, name: str, *, times: int | None = 1, status: int = 503) -> None:
        """Answer ``status`` (an upstream error page, nothing done) to the next ``times`` calls of
        ``name`` (every one while ``times`` is None, until ``clear_faults``)."""
        self.faults(error_rate=1.0, status=status, actions=[name], times=times)

    def lose_answer(self, name: str, *, times: int = 1) -> None:
        """Carry out the next ``times`` calls of ``name`` but answer 504, as if the answer was lost."""
        self.faults(lost_answer_rate=1.0, actions=[name], times=times)

    def clear_faults(self) -> None:
        requests.delete(self.url + "/__sandbox__/faults", timeout=5).raise_for_status()

    def stats(self) -> dict:
        response = requests.get(self.url + "/__sandbox__/stats", timeout=5)
        response.raise_for_status()
        return response.json()

    def calls(self, name: str | None = None) -> int:
        """API calls received since the last reset: all of them, or those of one action/operation."""
        stats = self.stats()
        return stats["total"] if name is None else stats["calls"].get(name, 0)

    def reset_stats(self) -> None:
        requests.delete(self.url + "/__sandbox__/stats", timeout=5).raise_for_status()
