"""Drawing, grading and attempt rules (pure)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.quiz import drawing, grading, policy
from portal.quiz.drawing import Candidate, Draw, DrawError

T0 = datetime(2026, 12, 1, 9, 0)


def bank(n_single=10, n_multi=5, n_tf=5, n_practical=2, level="beginner"):
    out, i = [], 0
    for kind, n in (("single", n_single), ("multiple", n_multi), ("true_false", n_tf), ("practical", n_practical)):
        for j in range(n):
            i += 1
            keys = (
                ("A", "B", "C", "D")
                if kind in ("single", "multiple")
                else (("true", "false") if kind == "true_false" else ())
            )
            out.append(Candidate(i, kind, level, ("登录" if j % 2 else "审批",), keys))
    return out


def test_draw_takes_the_counts_without_repeats_and_puts_the_practical_last():
    draws = [Draw(4, "single"), Draw(2, "multiple", ("登录",)), Draw(2, "true_false"), Draw(1, "practical")]
    paper = drawing.draw(bank(), draws, "beginner", random.Random(7))
    ids = [p.question_id for p in paper]
    assert len(ids) == 9 and len(set(ids)) == 9
    kinds = {c.id: c.kind for c in bank()}
    assert kinds[ids[-1]] == "practical" and "practical" not in [kinds[i] for i in ids[:-1]]
    tags = {c.id: c.tags for c in bank()}
    assert sum(1 for i in ids if kinds[i] == "multiple" and "登录" in tags[i]) == 2


def test_each_paper_is_shuffled_and_reproducible_from_its_seed():
    draws = [Draw(5, "single")]
    a = drawing.draw(bank(), draws, "beginner", random.Random(1))
    b = drawing.draw(bank(), draws, "beginner", random.Random(1))
    c = drawing.draw(bank(), draws, "beginner", random.Random(2))
    assert a == b and a != c
    assert all(sorted(p.option_order) == ["A", "B", "C", "D"] for p in a)
    assert any(p.option_order != ("A", "B", "C", "D") for p in a + c)


def test_true_false_options_keep_their_order():
    paper = drawing.draw(bank(), [Draw(5, "true_false")], "beginner", random.Random(3))
    assert all(p.option_order == ("true", "false") for p in paper)


def test_not_enough_questions_is_a_clear_error():
    with pytest.raises(DrawError, match="1 needed|needed"):
        drawing.draw(bank(n_practical=0), [Draw(1, "practical")], "beginner", random.Random(1))
    inactive = [Candidate(1, "single", "beginner", (), ("A", "B"), active=False)]
    with pytest.raises(DrawError):
        drawing.draw(inactive, [Draw(1)], "beginner", random.Random(1))
    with pytest.raises(DrawError):  # another level's questions do not count
        drawing.draw(bank(level="advanced"), [Draw(1)], "beginner", random.Random(1))


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        [{"count": 0}],
        [{"count": True}],
        [{"count": 2, "kind": "essay"}],
        [{"count": 2, "tags": "登录"}],
        ["x"],
    ],
)
def test_bad_draw_definitions(data):
    with pytest.raises(DrawError):
        drawing.parse_draws(data)


@given(seed=st.integers(0, 10**6), counts=st.lists(st.integers(1, 3), min_size=1, max_size=4))
def test_a_drawn_paper_never_repeats_a_question(seed, counts):
    draws = [Draw(n) for n in counts]
    try:
        paper = drawing.draw(bank(), draws, "beginner", random.Random(seed))
    except DrawError:
        assert sum(counts) > len(bank())
        return
    assert len({p.question_id for p in paper}) == sum(counts)


@pytest.mark.parametrize(
    ("kind", "correct", "response", "rule", "points"),
    [
        ("single", ["B"], ["B"], "none", "2.00"),
        ("single", ["B"], ["A"], "none", "0.00"),
        ("single", ["B"], [], "penalty", "0.00"),
        ("true_false", ["false"], ["false"], "none", "2.00"),
        ("multiple", ["A", "C"], ["A", "C"], "none", "2.00"),
        ("multiple", ["A", "C"], ["A"], "none", "0.00"),
        ("multiple", ["A", "C"], ["A"], "proportional", "1.00"),
        ("multiple", ["A", "C"], ["A", "B"], "proportional", "0.00"),
        ("multiple", ["A", "B", "C"], ["A", "B", "D"], "penalty", "0.67"),
        ("multiple", ["A", "C"], ["A", "B", "D"], "penalty", "0.00"),
        ("multiple", ["A", "C"], ["A", "B", "C", "D"], "penalty", "0.00"),
        ("multiple", ["A", "C"], ["A", "B", "C"], "penalty", "1.00"),
    ],
)
def test_objective_grading(kind, correct, response, rule, points):
    assert grading.grade_objective(kind, correct, response, 2, rule) == Decimal(points)


@given(
    correct=st.sets(st.sampled_from("ABCDE"), min_size=1),
    chosen=st.sets(st.sampled_from("ABCDE")),
    rule=st.sampled_from(grading.RULES),
)
def test_partial_credit_stays_within_the_points_and_full_only_when_exact(correct, chosen, rule):
    points = grading.grade_objective("multiple", correct, chosen, 4, rule)
    assert Decimal(0) <= points <= Decimal(4)
    assert (points == 4) == (chosen == correct)


def test_rubric_and_verdict():
    rubric = [{"criterion": "定位原因", "points": 4}, {"criterion": "步骤正确", "points": 6}]
    assert grading.grade_rubric(rubric, ["3.5", 6]) == Decimal("9.50")
    for bad in (["5", "1"], ["1"], ["x", "1"], ["1.2", "1"], ["-1", "1"]):
        with pytest.raises(grading.RubricError):
            grading.grade_rubric(rubric, bad)
    assert grading.verdict(Decimal(12), Decimal(20), 60) == grading.Verdict(Decimal("60.00"), True)
    assert grading.verdict(Decimal("11.99"), Decimal(20), 60).passed is False


RULES = policy.Rules(attempts_allowed=2, wait_hours=24, prerequisite_level=None, time_limit_minutes=30)


def past(n, state="failed", hours_ago=48):
    start = T0 - timedelta(hours=hours_ago)
    return policy.PastAttempt(n, state, start, start + timedelta(minutes=20))


def test_start_rules():
    assert policy.can_start(RULES, "beginner", [], [], T0).allowed
    assert policy.can_start(RULES, "beginner", [past(1, "in_progress")], [], T0) == policy.Decision(
        False, "in_progress", resume=1
    )
    assert policy.can_start(RULES, "beginner", [past(1), past(2)], [], T0).reason == "no_attempts_left"
    waiting = policy.can_start(RULES, "beginner", [past(1, hours_ago=2)], [], T0)
    assert waiting.reason == "wait" and waiting.not_before == T0 - timedelta(hours=2) + timedelta(minutes=20, hours=24)
    inter = policy.Rules(3, 0, "beginner", 30)
    assert policy.can_start(inter, "intermediate", [], [], T0).reason == "no_prerequisite"
    held = policy.Holding("beginner", T0 + timedelta(days=300))
    assert policy.can_start(inter, "intermediate", [], [held], T0).allowed
    expired = policy.Holding("beginner", T0 - timedelta(days=1))
    assert policy.can_start(inter, "intermediate", [], [expired], T0).reason == "no_prerequisite"
    assert policy.can_start(RULES, "beginner", [], [held], T0).reason == "certified"
    soon = policy.Holding("beginner", T0 + timedelta(days=10))  # renewal window
    assert policy.can_start(RULES, "beginner", [], [soon], T0).allowed


def test_time_limit_is_the_servers():
    end = policy.deadline(T0, RULES)
    assert end == T0 + timedelta(minutes=30)
    assert policy.may_answer(end + timedelta(seconds=29), end) and not policy.may_answer(
        end + timedelta(seconds=31), end
    )
    assert policy.submission(end, end, "refuse") == policy.Submission(True, False, end + policy.GRACE)
    late = end + timedelta(minutes=5)
    assert policy.submission(late, end, "refuse").accepted is False
    graded = policy.submission(late, end, "grade_at_limit")
    assert graded.accepted and graded.late and graded.cutoff == end + policy.GRACE
