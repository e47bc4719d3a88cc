"""The article's three reference profiles (small, medium, large shop), as inquiries: what
tests/test_reference_profiles.py prices and tests/test_card.py draws."""

from __future__ import annotations

from pricing import Inquiry, Response, Scope

R_SMALL = Inquiry(daily_orders=60, categories=3, scope=Scope.BASIC, response=Response.STANDARD)
R_MEDIUM = Inquiry(daily_orders=300, categories=5, scope=Scope.TECHNICAL, response=Response.FAST)
R_LARGE = Inquiry(daily_orders=800, categories=6, scope=Scope.FULL_CHAIN,
                  response=Response.EMERGENCY)
