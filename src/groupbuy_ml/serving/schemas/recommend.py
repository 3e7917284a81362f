"""``POST /v1/recommend``: top-k products for a known household or a cold-start profile."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, StringConstraints, model_validator

from groupbuy_ml.serving.schemas.common import ModelRef, RequestModel, ResponseModel

__all__ = ["MAX_K", "HouseholdProfile", "RecommendRequest", "RecommendResponse",
           "RecommendedItem", "Scene"]

MAX_K = 100
Scene = Literal["baby", "kids", "fitness", "elderly", "pet"]
"""The scenes of the market (``groupbuy_ml.data.simulate.catalog.SCENES``)."""
ProductId = Annotated[StrictInt, Field(ge=0, le=10**9)]
Category = Annotated[str, StringConstraints(min_length=1, max_length=64,
                                            pattern=r"^[A-Za-z0-9_\-]+$")]


class HouseholdProfile(RequestModel):
    """A household the model was not trained on: its scene tags and/or first products."""

    scenes: list[Scene] = Field(default_factory=list, max_length=5)
    product_ids: list[ProductId] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _not_empty(self) -> HouseholdProfile:
        if not self.scenes and not self.product_ids:
            raise ValueError("a profile needs at least one scene or one product id")
        return self


class RecommendRequest(RequestModel):
    """Who to recommend for, how many, and an optional scene or category filter."""

    user_id: StrictInt | None = Field(None, ge=0, le=2**31 - 1, description="a known household id")
    profile: HouseholdProfile | None = Field(
        None, description="cold start; also used when user_id is unknown to the model")
    k: StrictInt = Field(10, ge=1, le=MAX_K)
    scene: Scene | None = Field(None, description="only products that fit this scene")
    category: Category | None = Field(None, description="only products of this category")
    exclude_seen: bool = True

    @model_validator(mode="after")
    def _someone(self) -> RecommendRequest:
        if self.user_id is None and self.profile is None:
            raise ValueError("give user_id (a known household) or profile (cold start)")
        return self


class RecommendedItem(ResponseModel):
    """One recommended product."""

    rank: int
    product_id: int
    score: float
    category: str | None = None


class RecommendResponse(ResponseModel):
    """Ranked products, best first (fewer than k when a filter leaves fewer)."""

    model: ModelRef
    user_id: int | None
    cold_start: bool
    items: list[RecommendedItem]
