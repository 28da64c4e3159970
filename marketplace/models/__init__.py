"""The customer side's models: home and landing pages, ratings and reviews."""

from marketplace.models.pages import HomePage, LandingPage
from marketplace.models.reviews import Review, ReviewReply, ReviewReport

__all__ = ["HomePage", "LandingPage", "Review", "ReviewReply", "ReviewReport"]
