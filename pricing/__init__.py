"""The pure pricing core: an `Inquiry` in, a `Quote` out, every number from a rates file."""

from pricing.engine import quote, recommended_scope, staffing_units
from pricing.model import (
    AiChoice,
    Billing,
    BudgetFit,
    Inquiry,
    InquiryError,
    LineItem,
    Notice,
    ProductKind,
    Quote,
    Range,
    Response,
    Scope,
    ServiceMode,
    Tooling,
    VolumePattern,
)
from pricing.money import round_money
from pricing.rates import DEFAULT_RATES_PATH, Figure, Rates, RatesError, load_rates

__all__ = [
    "DEFAULT_RATES_PATH",
    "AiChoice",
    "Billing",
    "BudgetFit",
    "Figure",
    "Inquiry",
    "InquiryError",
    "LineItem",
    "Notice",
    "ProductKind",
    "Quote",
    "Range",
    "Rates",
    "RatesError",
    "Response",
    "Scope",
    "ServiceMode",
    "Tooling",
    "VolumePattern",
    "load_rates",
    "quote",
    "recommended_scope",
    "round_money",
    "staffing_units",
]
