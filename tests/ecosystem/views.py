"""Async views as a team writes them."""

from django.http import HttpRequest, JsonResponse

import counters
from tests.testapp.models import Place


async def visit(request: HttpRequest, pk: int) -> JsonResponse:
    place = await Place.objects.aget(pk=pk)
    views = await counters.aincrement(place, "views")
    return JsonResponse({"views": views, "instance": place.views})
