"""The decision flow of an approval request, with plain values."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.approvals.flow import (
    Decision,
    FlowError,
    RequestState,
    StepState,
    can_resubmit,
    can_withdraw,
    decide,
    start,
)

P, W, A = StepState.PENDING, StepState.WAITING, StepState.APPROVED


def test_a_route_starts_at_its_first_step():
    out = start(2)
    assert out.steps == (P, W) and out.request == RequestState.IN_PROGRESS and out.next_position == 0
    with pytest.raises(FlowError):
        start(0)


def test_approvals_walk_the_route_and_the_last_one_approves_the_request():
    out = decide("in_progress", (P, W), 0, "approve")
    assert out.steps == (A, P) and out.request == RequestState.IN_PROGRESS and out.next_position == 1
    out = decide(out.request, out.steps, 1, Decision.APPROVE)
    assert out.steps == (A, A) and out.request == RequestState.APPROVED and out.next_position is None


@pytest.mark.parametrize(
    "decision, step, ending",
    [
        ("reject", StepState.REJECTED, RequestState.REJECTED),
        ("return", StepState.RETURNED, RequestState.RETURNED),
    ],
)
def test_reject_and_return_end_the_round(decision, step, ending):
    out = decide("in_progress", (A, P, W), 1, decision)
    assert out.steps == (A, step, StepState.SKIPPED) and out.request == ending


def test_a_decision_cannot_be_made_twice_or_out_of_turn():
    out = decide("in_progress", (P, W), 0, "approve")
    with pytest.raises(FlowError):
        decide(out.request, out.steps, 0, "approve")  # the same step again (double click)
    with pytest.raises(FlowError):
        decide("in_progress", (P, W), 1, "approve")  # the second approver before the first
    with pytest.raises(FlowError):
        decide("approved", (A, A), 1, "reject")  # after the end
    with pytest.raises(FlowError):
        decide("in_progress", (P,), 5, "approve")


def test_resubmit_and_withdraw():
    assert can_resubmit("returned") and not can_resubmit("in_progress")
    assert can_withdraw("in_progress") and can_withdraw("returned") and not can_withdraw("approved")


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 6), decisions=st.lists(st.sampled_from(list(Decision)), min_size=1, max_size=8))
def test_any_sequence_of_decisions_keeps_exactly_one_pending_step_while_in_progress(n, decisions):
    out = start(n)
    for d in decisions:
        if out.request != RequestState.IN_PROGRESS:
            with pytest.raises(FlowError):
                decide(out.request, out.steps, out.next_position or 0, d)
            break
        before = out
        out = decide(out.request, out.steps, out.next_position, d)
        assert sum(s == P for s in out.steps) == (1 if out.request == RequestState.IN_PROGRESS else 0)
        assert out.steps[: before.next_position] == before.steps[: before.next_position], "decided steps never change"
    if out.request == RequestState.APPROVED:
        assert all(s == A for s in out.steps)
