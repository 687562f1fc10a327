"""Payback at break-even: the month in which cumulative benefits first reach cumulative costs (reach, not pass).

Issue 17: no test had a break-even case. Amounts are undiscounted; a yearly line is spread evenly over
its months (financials.py's stated model), so every expected month below is counted by hand.
"""
from __future__ import annotations

from pmo_assess.business_plan.financials import MoneyLine, compute_financials


def payback(costs: list[MoneyLine], benefits: list[MoneyLine], horizon: int = 3) -> int | None:
    return compute_financials(costs, benefits, horizon_years=horizon, day_rate=None).payback_months


def test_benefits_that_exactly_equal_the_costs_pay_back_in_that_month():
    # cost 1,200 at the start of year 1; benefit 1,200 a year = 100 a month → cumulative 1,200 at month 12
    assert payback([MoneyLine("set-up", 1_200)], [MoneyLine("savings", 1_200, "yearly")]) == 12
    # one month's benefit short of break-even at month 12 (cost 1,300): reached at month 13 (1,300)
    assert payback([MoneyLine("set-up", 1_300)], [MoneyLine("savings", 1_200, "yearly")]) == 13


def test_break_even_reached_through_monthly_fractions_still_counts():
    # 1,100 a year is 91.666... a month; twelve of them add up to 1099.9999999999998 in floating point.
    # Break-even is at month 12 in exact arithmetic (12 × 1100/12 = 1,100 = the cost)
    assert sum([1_100 / 12] * 12) != 1_100  # the float noise this case is about
    assert payback([MoneyLine("set-up", 1_100)], [MoneyLine("savings", 1_100, "yearly")]) == 12


def test_months_before_anything_happens_are_not_a_payback():
    # nothing is spent or earned in year 1 (0 >= 0 is no payback); year 2 opens with cost 100, benefit 200
    costs, benefits = [MoneyLine("set-up", 100, "one-off", 2)], [MoneyLine("savings", 200, "one-off", 2)]
    assert payback(costs, benefits) == 13


def test_benefits_that_never_reach_the_costs_have_no_payback():
    # 3 years × 1,000 = 3,000 < 3,001
    assert payback([MoneyLine("set-up", 3_001)], [MoneyLine("savings", 1_000, "yearly")]) is None
