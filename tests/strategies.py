"""Hypothesis strategies for generated inquiries."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from pricing import (
    AiChoice,
    Billing,
    Inquiry,
    ProductKind,
    Response,
    Scope,
    ServiceMode,
    Tooling,
    VolumePattern,
)

daily_orders = st.one_of(st.integers(1, 3000), st.integers(1, 1_000_000))
budgets = st.one_of(st.none(), st.integers(1, 100_000).map(Decimal))


@st.composite
def inquiries(draw: st.DrawFn, *, ai: st.SearchStrategy[AiChoice] | None = None) -> Inquiry:
    return Inquiry(
        daily_orders=draw(daily_orders),
        categories=draw(st.integers(1, 40)),
        product_kinds=frozenset(draw(st.sets(st.sampled_from(list(ProductKind))))),
        multi_level=draw(st.booleans()),
        cross_border=draw(st.booleans()),
        response=draw(st.sampled_from(list(Response))),
        scope=draw(st.sampled_from(list(Scope))),
        tooling=draw(st.sampled_from(list(Tooling))),
        ai=draw(ai if ai is not None else st.sampled_from(list(AiChoice))),
        mode=draw(st.sampled_from(list(ServiceMode))),
        volume=draw(st.sampled_from(list(VolumePattern))),
        billing=draw(st.sampled_from(list(Billing))),
        budget=draw(budgets),
        discount=draw(st.sampled_from(["0", "0", "0.05", "0.1", "0.35"]).map(Decimal)),
    )


# AI fixed on or off: "auto" is a recommendation that may switch to a cheaper plan.
fixed_ai_inquiries = inquiries(ai=st.sampled_from([AiChoice.YES, AiChoice.NO]))


# An explicit scope, any AI choice. "帮我推荐" for the scope is a recommendation that switches
# to another service at a volume (100 and 500 orders); it is checked on its own.
explicit_inquiries = inquiries().filter(lambda inquiry: inquiry.scope is not Scope.AUTO)
