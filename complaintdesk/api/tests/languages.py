"""The same API request in English (no Accept-Language) and in Simplified Chinese."""

ZH = {"accept-language": "zh-hans"}


def message(response) -> str:
    detail = response.json()["detail"]
    return detail[0]["msg"] if isinstance(detail, list) else detail


def in_both(send) -> tuple[tuple[int, str], tuple[int, str]]:
    """(status, message) of `send(headers)` without the header and with it."""
    english, chinese = send({}), send(ZH)
    return (english.status_code, message(english)), (chinese.status_code, message(chinese))
