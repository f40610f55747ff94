from django.http import HttpRequest, JsonResponse

from brokers import errors

from .kite import client


def holdings(request: HttpRequest) -> JsonResponse:
    try:
        return JsonResponse(client().holdings(), safe=False)
    except errors.BrokerError as e:
        return JsonResponse({"error": e.message}, status=e.status or 502)


def quote(request: HttpRequest, instrument: str) -> JsonResponse:
    data = client().ltp(instrument)
    return JsonResponse(data)
