import pytest

from portal.tickets.states import (
    OPEN_STATES,
    TRANSITIONS,
    Action,
    Actor,
    State,
    TransitionError,
    allowed_actions,
    is_open,
    next_state,
)

P, IP, W, R, C, RO = (State.PENDING, State.IN_PROGRESS, State.WAITING, State.RESOLVED, State.CLOSED, State.REOPENED)
REQ, AGENT, SYS = Actor.REQUESTER, Actor.AGENT, Actor.SYSTEM

ALLOWED = [
    (P, Action.START, AGENT, IP),
    (RO, Action.START, AGENT, IP),
    (P, Action.ASK, AGENT, W),
    (IP, Action.ASK, AGENT, W),
    (RO, Action.ASK, AGENT, W),
    (W, Action.ANSWER, REQ, IP),
    (P, Action.RESOLVE, AGENT, R),
    (IP, Action.RESOLVE, AGENT, R),
    (W, Action.RESOLVE, AGENT, R),
    (RO, Action.RESOLVE, AGENT, R),
    (R, Action.CONFIRM, REQ, C),
    (R, Action.REOPEN, REQ, RO),
    (R, Action.AUTO_CLOSE, SYS, C),
    (P, Action.CLOSE, AGENT, C),
    (IP, Action.CLOSE, AGENT, C),
    (W, Action.CLOSE, AGENT, C),
    (RO, Action.CLOSE, AGENT, C),
]


@pytest.mark.parametrize("state,action,actor,target", ALLOWED)
def test_every_allowed_transition(state, action, actor, target):
    assert next_state(state, action, actor) is target
    assert next_state(str(state), str(action), str(actor)) is target  # plain strings from the database


def test_the_table_holds_exactly_the_rules():
    assert len(TRANSITIONS) == 17
    assert {(s, a): (t, frozenset({who})) for s, a, who, t in ALLOWED} == dict(TRANSITIONS)
    with pytest.raises(TypeError):
        TRANSITIONS[(C, Action.REOPEN)] = (RO, frozenset({REQ}))  # read-only


@pytest.mark.parametrize(
    "state,action,actor",
    [
        # the requester cannot do support's work
        (P, Action.START, REQ),
        (IP, Action.RESOLVE, REQ),
        (P, Action.CLOSE, REQ),
        (IP, Action.ASK, REQ),
        (IP, Action.ANSWER, REQ),
        (P, Action.REOPEN, REQ),
        (C, Action.REOPEN, REQ),
        (IP, Action.CONFIRM, REQ),
        (R, Action.AUTO_CLOSE, REQ),
        # support cannot speak for the requester, nor act on finished tickets
        (R, Action.CONFIRM, AGENT),
        (R, Action.REOPEN, AGENT),
        (W, Action.ANSWER, AGENT),
        (R, Action.AUTO_CLOSE, AGENT),
        (IP, Action.START, AGENT),
        (W, Action.START, AGENT),
        (W, Action.ASK, AGENT),
        (R, Action.CLOSE, AGENT),
        (R, Action.RESOLVE, AGENT),
        (R, Action.START, AGENT),
        # the system only auto-closes resolved tickets
        (P, Action.AUTO_CLOSE, SYS),
        (IP, Action.AUTO_CLOSE, SYS),
        (W, Action.AUTO_CLOSE, SYS),
        (P, Action.CLOSE, SYS),
        (IP, Action.RESOLVE, SYS),
        (R, Action.CONFIRM, SYS),
        # closed is terminal for everyone
        (C, Action.START, AGENT),
        (C, Action.CLOSE, AGENT),
        (C, Action.RESOLVE, AGENT),
        (C, Action.CONFIRM, REQ),
        (C, Action.AUTO_CLOSE, SYS),
    ],
)
def test_forbidden_transitions(state, action, actor):
    with pytest.raises(TransitionError) as caught:
        next_state(state, action, actor)
    err = caught.value
    assert (err.state, err.action, err.actor) == (state, action, actor)
    assert isinstance(err, ValueError)


def test_closed_is_terminal():
    assert [key for key in TRANSITIONS if key[0] is C] == []
    assert all(allowed_actions(C, who) == [] for who in Actor)


def test_transition_error_message_and_unknown_values():
    with pytest.raises(TransitionError, match="requester may not resolve a ticket that is in_progress"):
        next_state(IP, Action.RESOLVE, REQ)
    with pytest.raises(TransitionError) as caught:
        next_state("archived", "start", "agent")
    assert (caught.value.state, caught.value.action, caught.value.actor) == ("archived", "start", "agent")
    with pytest.raises(TransitionError):
        next_state(P, "escalate", AGENT)
    with pytest.raises(TransitionError):
        next_state(P, Action.START, "manager")


@pytest.mark.parametrize(
    "state,actor,expected",
    [
        (P, AGENT, [Action.START, Action.ASK, Action.RESOLVE, Action.CLOSE]),
        (IP, AGENT, [Action.ASK, Action.RESOLVE, Action.CLOSE]),
        (W, AGENT, [Action.RESOLVE, Action.CLOSE]),
        (RO, AGENT, [Action.START, Action.ASK, Action.RESOLVE, Action.CLOSE]),
        (R, AGENT, []),
        (P, REQ, []),
        (IP, REQ, []),
        (W, REQ, [Action.ANSWER]),
        (R, REQ, [Action.CONFIRM, Action.REOPEN]),
        (RO, REQ, []),
        (R, SYS, [Action.AUTO_CLOSE]),
        (P, SYS, []),
        ("waiting", "requester", [Action.ANSWER]),
        ("nonsense", "agent", []),
    ],
)
def test_allowed_actions_in_display_order(state, actor, expected):
    assert allowed_actions(state, actor) == expected


def test_open_states():
    assert frozenset({P, IP, W, RO}) == OPEN_STATES
    assert [is_open(s) for s in State] == [True, True, True, False, False, True]
    assert is_open("waiting") is True
    assert is_open("resolved") is False


def test_values_are_stable_strings():
    assert [s.value for s in State] == ["pending", "in_progress", "waiting", "resolved", "closed", "reopened"]
    assert [a.value for a in Action] == [
        "start",
        "ask",
        "answer",
        "resolve",
        "confirm",
        "reopen",
        "auto_close",
        "close",
    ]
    assert [a.value for a in Actor] == ["requester", "agent", "system"]
