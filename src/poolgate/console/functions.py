"""Functions: the list of Lambda functions (lambda ListFunctions)."""

from __future__ import annotations

from .methods import functions_of
from .web import ROUTER, Ctx, Page


@ROUTER.route("GET", "/functions")
async def function_list(ctx: Ctx) -> Page:
    return ctx.render("functions.html", title="Functions", section="functions", functions=await functions_of(ctx))


@ROUTER.route("GET", "/")
async def home(ctx: Ctx) -> Page:
    return ctx.render("home.html", title="poolgate console", base_url=ctx.settings.base_url,
                      local_mode=ctx.settings.local_mode)
