"""The ticket state machine: which action moves which state, and who may take it."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class State(StrEnum):
    PENDING = "pending"  # 待处理
    IN_PROGRESS = "in_progress"  # 处理中
    WAITING = "waiting"  # 等待补充: waiting for the requester, resolution clock paused
    RESOLVED = "resolved"  # 已解决
    CLOSED = "closed"  # 已关闭
    REOPENED = "reopened"  # 已重开


class Action(StrEnum):  # declaration order is the display order
    START = "start"
    ASK = "ask"  # ask the requester for information
    ANSWER = "answer"  # the requester replies while waiting
    RESOLVE = "resolve"
    CONFIRM = "confirm"  # the requester confirms the solution
    REOPEN = "reopen"
    AUTO_CLOSE = "auto_close"  # the system closes an unconfirmed resolved ticket
    CLOSE = "close"  # an agent closes a duplicate or invalid ticket


class Actor(StrEnum):
    REQUESTER = "requester"
    AGENT = "agent"
    SYSTEM = "system"


OPEN_STATES = frozenset({State.PENDING, State.IN_PROGRESS, State.WAITING, State.REOPENED})

_AGENT, _REQUESTER, _SYSTEM = frozenset({Actor.AGENT}), frozenset({Actor.REQUESTER}), frozenset({Actor.SYSTEM})


def _build() -> dict[tuple[State, Action], tuple[State, frozenset[Actor]]]:
    t: dict[tuple[State, Action], tuple[State, frozenset[Actor]]] = {}
    for s in (State.PENDING, State.REOPENED):
        t[s, Action.START] = (State.IN_PROGRESS, _AGENT)
    for s in (State.PENDING, State.IN_PROGRESS, State.REOPENED):
        t[s, Action.ASK] = (State.WAITING, _AGENT)
    t[State.WAITING, Action.ANSWER] = (State.IN_PROGRESS, _REQUESTER)
    for s in OPEN_STATES:
        t[s, Action.RESOLVE] = (State.RESOLVED, _AGENT)
        t[s, Action.CLOSE] = (State.CLOSED, _AGENT)
    t[State.RESOLVED, Action.CONFIRM] = (State.CLOSED, _REQUESTER)
    t[State.RESOLVED, Action.REOPEN] = (State.REOPENED, _REQUESTER)
    t[State.RESOLVED, Action.AUTO_CLOSE] = (State.CLOSED, _SYSTEM)
    return t


TRANSITIONS: Mapping[tuple[State, Action], tuple[State, frozenset[Actor]]] = MappingProxyType(_build())


class TransitionError(ValueError):
    """An action that the state machine does not allow for this state and actor."""

    def __init__(self, state: object, action: object, actor: object) -> None:
        self.state, self.action, self.actor = state, action, actor
        super().__init__(f"{actor} may not {action} a ticket that is {state}")


def next_state(state: State | str, action: Action | str, actor: Actor | str) -> State:
    try:
        key = (State(state), Action(action))
        who = Actor(actor)
    except ValueError:
        raise TransitionError(state, action, actor) from None
    rule = TRANSITIONS.get(key)
    if rule is None or who not in rule[1]:
        raise TransitionError(key[0], key[1], who)
    return rule[0]


def allowed_actions(state: State | str, actor: Actor | str) -> list[Action]:
    """Actions this actor may take now, in Action declaration order."""
    try:
        key_state, who = State(state), Actor(actor)
    except ValueError:
        return []
    return [a for a in Action if (rule := TRANSITIONS.get((key_state, a))) and who in rule[1]]


def is_open(state: State | str) -> bool:
    return State(state) in OPEN_STATES
