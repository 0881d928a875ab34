"""How a decision moves a request along its route (pure: states in, states out).

A request is in progress while one step is pending and the later ones wait. Approving passes
the request to the next step, or approves it after the last; rejecting ends it; returning sends
it back to the requester, who edits and resubmits (a new round with a freshly computed route) or
withdraws it. Every other combination is refused, so a decision cannot be made twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RequestState(StrEnum):
    IN_PROGRESS = "in_progress"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


class StepState(StrEnum):
    WAITING = "waiting"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    SKIPPED = "skipped"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"


FINAL = frozenset({RequestState.APPROVED, RequestState.REJECTED, RequestState.WITHDRAWN})


class FlowError(ValueError):
    """The decision is no longer possible (the API answers 409)."""


@dataclass(frozen=True)
class Outcome:
    steps: tuple[StepState, ...]
    request: RequestState
    next_position: int | None  # the step that is pending now, if any


def start(n_steps: int) -> Outcome:
    if n_steps < 1:
        raise FlowError("a route has at least one step")
    steps = (StepState.PENDING,) + (StepState.WAITING,) * (n_steps - 1)
    return Outcome(steps, RequestState.IN_PROGRESS, 0)


def decide(
    request: RequestState | str, steps: tuple[StepState | str, ...], position: int, decision: Decision | str
) -> Outcome:
    request, decision = RequestState(request), Decision(decision)
    states = tuple(StepState(s) for s in steps)
    if request != RequestState.IN_PROGRESS:
        raise FlowError(f"the request is {request}")
    if not 0 <= position < len(states) or states[position] != StepState.PENDING:
        raise FlowError(f"step {position} is not waiting for a decision")
    after: list[StepState] = list(states)
    if decision == Decision.APPROVE:
        after[position] = StepState.APPROVED
        if position + 1 < len(after):
            after[position + 1] = StepState.PENDING
            return Outcome(tuple(after), RequestState.IN_PROGRESS, position + 1)
        return Outcome(tuple(after), RequestState.APPROVED, None)
    after[position] = StepState.REJECTED if decision == Decision.REJECT else StepState.RETURNED
    for i in range(position + 1, len(after)):
        after[i] = StepState.SKIPPED
    state = RequestState.REJECTED if decision == Decision.REJECT else RequestState.RETURNED
    return Outcome(tuple(after), state, None)


def can_resubmit(request: RequestState | str) -> bool:
    return RequestState(request) == RequestState.RETURNED


def can_withdraw(request: RequestState | str) -> bool:
    return RequestState(request) in (RequestState.IN_PROGRESS, RequestState.RETURNED)
