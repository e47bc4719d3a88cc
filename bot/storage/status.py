"""A quote's status and its link's state: the words, and the rules that change them.

One place for both sides: bot/storage/store.py builds its UPDATEs from the transitions
here (so SQL and Python cannot disagree), and `kameng export --status` checks its
argument against QuoteStatus. The life of a quote:

    event            from                                 to
    save             -                                    new
    over the limit   (bot/services/quotes.py, set_status) pending_approval
    admin's verdict  pending_approval (same)              approved or rejected
    share (SHARE)    new, pending_approval, revoked       sent; any other stays as it is
    first open       sent                                 opened; any other stays
    revoke           any, while it has a live link        revoked
    accept           any, unless accepted or revoked      accepted: locked from then on

So an approved quote stays "approved" once shared and opened; only a sent one becomes
"opened". The store decides when revoke and accept may happen at all.

A link's state is not stored: it follows from the record and the time (`link_state`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class QuoteStatus(StrEnum):
    """The `status` column of a quote."""

    NEW = "new"  # saved, not shared yet
    PENDING_APPROVAL = "pending_approval"  # discount above the limit, waits for an admin
    APPROVED = "approved"  # an admin allowed the discount
    REJECTED = "rejected"  # an admin refused it
    SENT = "sent"  # its link is live
    OPENED = "opened"  # the prospect opened the link
    ACCEPTED = "accepted"  # the prospect accepted: locked from then on
    REVOKED = "revoked"  # its link was withdrawn


class LinkState(StrEnum):
    """What a share link leads to; each is also a catalog key, `link.<state>`."""

    OK = "ok"
    UNKNOWN = "unknown"  # no quote has this token
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Transition:
    """An event's effect on the status: to `to`, from any of `sources` (all if empty);
    any other status is left as it is."""

    to: QuoteStatus
    sources: tuple[QuoteStatus, ...] = ()

    def after(self, status: str) -> str:
        """The status once the event has happened to a quote in `status`."""
        return self.to.value if not self.sources or status in self.sources else status

    def sql(self) -> tuple[str, list[str]]:
        """The same rule as `status = …` for an UPDATE, and its parameters."""
        if not self.sources:
            return "status = ?", [self.to.value]
        marks = ", ".join("?" * len(self.sources))
        return (f"status = CASE WHEN status IN ({marks}) THEN ? ELSE status END",
                [*(source.value for source in self.sources), self.to.value])


SHARE = Transition(QuoteStatus.SENT, (QuoteStatus.NEW, QuoteStatus.PENDING_APPROVAL,
                                      QuoteStatus.REVOKED))
FIRST_OPEN = Transition(QuoteStatus.OPENED, (QuoteStatus.SENT,))
REVOKE = Transition(QuoteStatus.REVOKED)
ACCEPT = Transition(QuoteStatus.ACCEPTED)


def link_state(*, found: bool, revoked_at: str | None, expires_at: str | None,
               now: str) -> LinkState:
    """The state of a link from its quote's columns and the time (ISO strings in UTC,
    which compare in time order): revoked before expired, expired at `expires_at`."""
    if not found:
        return LinkState.UNKNOWN
    if revoked_at:
        return LinkState.REVOKED
    if expires_at and expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.OK
