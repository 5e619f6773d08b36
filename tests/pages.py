"""Reading a page in a test: its text, its main content, its messages and its form's request id."""
import html
import re

REQUEST_ID_INPUT = re.compile(r'<input type="hidden" name="request_id" value="([^"]+)"')
MESSAGE = re.compile(r'<p class="message message-(\w+)"[^>]*>(.*?)</p>', re.S)


def text_of(response) -> str:
    return response.content.decode()


def main_of(response) -> str:
    """The page's main content (no navigation)."""
    return text_of(response).split("<main", 1)[-1]


def messages_of(response) -> list[tuple[str, str]]:
    """The flash messages shown: (level, text with whitespace collapsed and entities decoded)."""
    return [(level, " ".join(html.unescape(text).split())) for level, text in MESSAGE.findall(text_of(response))]


def request_id_of(response) -> str:
    """The request id of the page's form (its idempotency key)."""
    found = REQUEST_ID_INPUT.search(text_of(response))
    assert found, "the page has no form with a request id"
    return found[1]


def english_day(day) -> str:
    """A day as the English pages write it (the one date helper, portal.core.formats.day): ``1 Jan 2027``."""
    return f"{day.day} {day:%b %Y}"
