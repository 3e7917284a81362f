"""``POST /v1/route``: a next-morning delivery plan (CVRPTW) for a depot, stops and vehicles."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictFloat, StrictInt, model_validator

from groupbuy_ml.serving.schemas.common import Id, RequestModel, ResponseModel

__all__ = ["MAX_STOPS", "MAX_TIME_LIMIT_S", "DepotIn", "DroppedStop", "FleetIn", "PlannedRoute",
           "RouteRequest", "RouteResponse", "StopIn"]

MAX_STOPS = 200
MAX_TIME_LIMIT_S = 30.0
_COORD = 1e6
_TIME = 1e6


class _Place(RequestModel):
    x: StrictFloat | None = Field(None, ge=-_COORD, le=_COORD)
    y: StrictFloat | None = Field(None, ge=-_COORD, le=_COORD)
    lat: StrictFloat | None = Field(None, ge=-90, le=90)
    lon: StrictFloat | None = Field(None, ge=-180, le=180)
    ready_time: StrictFloat = Field(0.0, ge=0, le=_TIME)
    due_time: StrictFloat = Field(1440.0, ge=0, le=_TIME)

    @model_validator(mode="after")
    def _place_and_window(self) -> _Place:
        if (self.x is None) != (self.y is None) or (self.lat is None) != (self.lon is None):
            raise ValueError("give both x and y, or both lat and lon")
        if self.x is None and self.lat is None:
            raise ValueError("give a position: x and y, or lat and lon")
        if self.due_time < self.ready_time:
            raise ValueError(f"due_time {self.due_time} is before ready_time {self.ready_time}")
        return self


class DepotIn(_Place):
    """The warehouse; its window is the latest shift the vehicles may work."""

    id: Id = "depot"


class StopIn(_Place):
    """A pickup point to deliver to, with its receiving window and unloading time."""

    id: Id
    demand: StrictFloat = Field(ge=0, le=1e6)
    service_time: StrictFloat = Field(0.0, ge=0, le=1e4)


class FleetIn(RequestModel):
    """Identical vehicles."""

    count: StrictInt = Field(ge=1, le=100)
    capacity: StrictFloat = Field(gt=0, le=1e7)
    shift_start: StrictFloat | None = Field(None, ge=0, le=_TIME)
    shift_end: StrictFloat | None = Field(None, ge=0, le=_TIME)

    @model_validator(mode="after")
    def _shift(self) -> FleetIn:
        if None not in (self.shift_start, self.shift_end) and self.shift_end < self.shift_start:
            raise ValueError("shift_end is before shift_start")
        return self


class RouteRequest(RequestModel):
    """A delivery problem. Times share one unit (minutes after midnight, say); travel time is
    distance / ``speed`` (distance in the x/y unit, or km for ``haversine`` on lat/lon)."""

    depot: DepotIn
    stops: list[StopIn] = Field(min_length=1, max_length=MAX_STOPS)
    vehicles: FleetIn
    metric: Literal["euclidean", "haversine"] = "euclidean"
    speed: StrictFloat = Field(1.0, gt=0, le=1e4, description="distance units per time unit")
    time_limit_s: StrictFloat = Field(5.0, ge=0.1, le=MAX_TIME_LIMIT_S)
    objective: Literal["vehicles", "distance"] = "vehicles"
    allow_drop: bool = Field(True, description="leave out stops no route can take (reported)")

    @model_validator(mode="after")
    def _consistent(self) -> RouteRequest:
        ids = [str(self.depot.id)] + [str(s.id) for s in self.stops]
        if len(set(ids)) != len(ids):
            raise ValueError("stop ids must be unique and differ from the depot id")
        axis = ("lat", "lon") if self.metric == "haversine" else ("x", "y")
        for i, place in enumerate([self.depot, *self.stops]):
            if getattr(place, axis[0]) is None:
                where = "depot" if i == 0 else f"stops[{i - 1}]"
                raise ValueError(f"{where} has no {axis[0]}/{axis[1]}, which metric="
                                 f"{self.metric!r} needs")
        return self


class PlannedRoute(ResponseModel):
    """One vehicle's tour (depot at both ends implied)."""

    vehicle: int
    stop_ids: list[Id]
    arrival: list[float]
    start: list[float]
    departure: float
    end: float
    load: float
    distance: float


class DroppedStop(ResponseModel):
    """A stop left out of the plan, and why."""

    stop_id: Id
    reason: str


class RouteResponse(ResponseModel):
    """The plan."""

    found: bool
    feasible: bool | None
    vehicles_used: int
    total_distance: float
    routes: list[PlannedRoute]
    dropped: list[DroppedStop]
    wall_s: float
