"""The REST API (SPEC §9), all under /api/v1."""

from fastapi import APIRouter

from app.api import assignments, history, labs, parts, simulation

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(labs.router)
for part_router in parts.routers:
    api_router.include_router(part_router)
api_router.include_router(simulation.router)
api_router.include_router(history.router)
api_router.include_router(assignments.router)
