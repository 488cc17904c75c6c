"""Process mapping: the yearly cost of an old and a new way of doing a task, and the saving."""

from __future__ import annotations

from collections.abc import Sequence

from portalroi.businesscase.inputs import ProcessMap, ProcessStep

__all__ = ["process_saving", "step_cost"]


def step_cost(step: ProcessStep) -> float:
    """Yearly cost of one step: per_year × (minutes / 60 × hourly_rate + other_cost).

    Examples
    --------
    >>> step_cost(ProcessStep(name="call", minutes=15, per_year=400, hourly_rate=48))
    4800.0
    """
    return step.per_year * (step.minutes / 60.0 * step.hourly_rate + step.other_cost)


def _total(steps: Sequence[ProcessStep]) -> float:
    return sum((step_cost(s) for s in steps), 0.0)


def process_saving(process: ProcessMap) -> float:
    """Yearly saving of a process map: cost of the old steps minus cost of the new ones.

    Examples
    --------
    >>> old = [ProcessStep(name="phone", minutes=15, per_year=400, hourly_rate=48)]
    >>> new = [ProcessStep(name="portal", minutes=3, per_year=400, hourly_rate=48)]
    >>> process_saving(ProcessMap(name="status", old=old, new=new))
    3840.0
    """
    return _total(process.old) - _total(process.new)
