"""The Google Reader API client (fetch/greader.py): against a real FreshRSS for what
the API is, and against a tiny local server for the faults FreshRSS never makes
(malformed and huge answers, 429/5xx, redirects, a server that pages forever)."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from freshrss_server import GROUP, FeedSite, FreshRSS
from freshrss_server import freshrss as freshrss
from freshrss_server import freshrss_session as freshrss_session
from freshrss_server import site as site

from briefreader.fetch.greader import (
    READ,
    READING_LIST,
    STARRED,
    GReaderClient,
    GReaderError,
    long_item_id,
    short_item_id,
)

#: Tests against the real FreshRSS: on the worker that has it (freshrss_server.GROUP).
on_freshrss = pytest.mark.xdist_group(GROUP)


def test_item_ids_both_forms() -> None:
    assert short_item_id("1796222593854993") == "1796222593854993"
    assert short_item_id(long_item_id("1796222593854993")) == "1796222593854993"
    assert short_item_id("tag:google.com,2005:reader/item/000661a7a9a4ee11") == str(
        0x000661A7A9A4EE11
    )
    for bad in ("", "x", "-1", "tag:google.com,2005:reader/item/zz", None, 1.5, "9" * 30):
        assert short_item_id(bad) is None


@on_freshrss
def test_real_server_round_trip(freshrss: FreshRSS, site: FeedSite) -> None:
    url = site.put_feed("client-a", 5)

    async def go() -> None:
        async with GReaderClient(freshrss.endpoint, name="me@test") as c:
            await c.login(freshrss.user, freshrss.api_password)
            stream = await c.subscribe(url, title="Client A", folder="Tech")
            assert stream.startswith("feed/")
            subs = {s.id: s for s in await c.subscriptions()}
            assert subs[stream].url == url
            assert subs[stream].title == "Client A"
            assert subs[stream].folders == ("Tech",)
            ids = (await c.item_ids(READING_LIST)).ids
            assert len(ids) == 5
            items = await c.item_contents(ids)
            assert sorted(str(short_item_id(i["id"])) for i in items) == sorted(ids)
            assert {i["title"] for i in items} == {f"client-a story {n}" for n in range(5)}
            await c.edit_tag(ids[:2], add=READ)
            await c.edit_tag(ids[:1], add=STARRED)
            unread = (await c.item_ids(READING_LIST, exclude=READ)).ids
            assert sorted(unread) == sorted(ids[2:])
            assert (await c.item_ids(STARRED)).ids == ids[:1]
            await c.edit_tag(ids[:2], remove=READ)
            assert len((await c.item_ids(READING_LIST, exclude=READ)).ids) == 5
            await c.unsubscribe(stream)
            assert stream not in {s.id for s in await c.subscriptions()}

    asyncio.run(go())


@on_freshrss
def test_real_server_pages_ids(freshrss: FreshRSS, site: FeedSite, monkeypatch: Any) -> None:
    import briefreader.fetch.greader as greader

    monkeypatch.setattr(greader, "IDS_PAGE", 3)
    url = site.put_feed("client-pages", 10)

    async def go() -> None:
        async with GReaderClient(freshrss.endpoint) as c:
            await c.login(freshrss.user, freshrss.api_password)
            stream = await c.subscribe(url)
            try:
                got = await c.item_ids(f"{stream}")
                assert len(got.ids) == 10 and len(set(got.ids)) == 10
                assert c.requests >= 4 + 3  # four pages at least
                capped = await c.item_ids(stream, limit=4)
                assert len(capped.ids) == 4 and capped.truncated
            finally:
                await c.unsubscribe(stream)

    asyncio.run(go())


@on_freshrss
def test_wrong_password_is_one_line_naming_the_account(freshrss: FreshRSS) -> None:
    async def go() -> GReaderError:
        async with GReaderClient(freshrss.endpoint, name="me@server") as c:
            with pytest.raises(GReaderError) as info:
                await c.login(freshrss.user, "not-the-password-123")
            return info.value

    err = asyncio.run(go())
    assert err.auth and err.status == 401
    text = str(err)
    assert text.startswith("me@server: login: HTTP 401")
    assert "\n" not in text and "not-the-password-123" not in text


# -- faults FreshRSS does not make: a tiny server of our own ---------------------------

Handler = Callable[[str, dict[str, list[str]], bytes], tuple[int, dict[str, str], bytes]]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (the size cap does, on purpose) is no
        error of the server's: not printed (it came after the test had ended)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Faulty:
    """A local server: ClientLogin always succeeds; other paths answer as told."""

    def __init__(self, required: dict[str, str] | None = None) -> None:
        self.routes: dict[str, Handler] = {"token": _answer(200, b"tok-57\n")}
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        #: Headers every request must carry (an app id and key), else 403, as
        #: Inoreader refuses a client without them.
        self.required = dict(required or {})
        owner = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _go(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                owner.seen.append((self.command, parts.path, dict(self.headers)))
                headers: dict[str, str]
                if any(self.headers.get(k) != v for k, v in owner.required.items()):
                    status, headers, out = 403, {}, b"Error=AppId and AppKey required\n"
                elif parts.path.endswith("/accounts/ClientLogin"):
                    status, headers, out = 200, {}, b"SID=x\nLSID=null\nAuth=user/secret-auth\n"
                else:
                    route = owner.routes.get(parts.path.split("/api/0/", 1)[-1])
                    if route is None:
                        status, headers, out = 404, {}, b"no"
                    else:
                        status, headers, out = route(self.command, parse_qs(parts.query), body)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if headers.get("Connection") == "close":
                    self.close_connection = True  # the body ends when the connection does
                elif "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = _go
            do_POST = _go

        self.httpd = _QuietServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        # (polled every 20 ms, not 0.5 s: shutdown() waits for one poll, and every
        # test with a Faulty server waited for it)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api/greader.php"

    def __enter__(self) -> Faulty:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> Handler:
    return lambda _m, _q, _b: (status, headers or {}, body)


def _fail_on(
    server: Faulty, route: str, handler: Handler, call: str = "subscriptions", **kw: Any
) -> GReaderError:
    server.routes[route] = handler

    async def go() -> GReaderError:
        async with GReaderClient(server.endpoint, name="me@faulty", **kw) as c:
            await c.login("me", "pw-secret-1")
            with pytest.raises(GReaderError) as info:
                if call == "subscriptions":
                    await c.subscriptions()
                else:
                    await c.item_ids(READING_LIST)
            return info.value

    err = asyncio.run(go())
    text = str(err)
    assert text.startswith("me@faulty: ") and "\n" not in text
    assert "pw-secret-1" not in text and "secret-auth" not in text
    return err


def test_malformed_answers() -> None:
    with Faulty() as s:
        err = _fail_on(s, "subscription/list", _answer(200, b"{not json"))
        assert "malformed answer" in str(err)
        err = _fail_on(s, "subscription/list", _answer(200, b"[1, 2]"))
        assert "not a JSON object" in str(err)
        err = _fail_on(s, "subscription/list", _answer(200, b'{"subscriptions": 3}'))
        assert "no subscriptions list" in str(err)
        err = _fail_on(s, "stream/items/ids", _answer(200, b'{"itemRefs": "x"}'), call="ids")
        assert "itemRefs is not a list" in str(err)
        err = _fail_on(s, "subscription/list", _answer(200, b"[" * 100_000 + b"]" * 100_000))
        assert "malformed answer" in str(err)


def test_huge_answer_is_cut_at_the_cap() -> None:
    big = b'{"subscriptions": [' + b'{"id": "feed/1", "url": "http://x/"},' * 60_000 + b"]}"
    with Faulty() as s:
        err = _fail_on(s, "subscription/list", _answer(200, big), max_bytes=1024 * 1024)
        assert "answer too large" in str(err) and "(the limit is 1 MB)" in str(err)
        # the same without a Content-Length: cut while streaming
        err = _fail_on(
            s,
            "subscription/list",
            lambda _m, _q, _b: (200, {"Connection": "close"}, big),
            max_bytes=1024 * 1024,
        )
        assert "answer too large: more than 1 MB" in str(err)


@pytest.mark.parametrize(
    ("status", "headers", "expect", "flag"),
    [
        (401, {}, "HTTP 401 Unauthorized", "auth"),
        (403, {}, "HTTP 403 Forbidden", "auth"),
        (429, {"Retry-After": "120"}, "HTTP 429 Too Many Requests (retry after 120 s)", ""),
        (500, {}, "HTTP 500 Internal Server Error", ""),
        (502, {}, "HTTP 502 Bad Gateway", ""),
        (503, {}, "HTTP 503 Service Unavailable", ""),
        (501, {}, "does not offer subscription/list", "unsupported"),
        (404, {}, "does not offer subscription/list", "unsupported"),
    ],
)
def test_status_errors(status: int, headers: dict[str, str], expect: str, flag: str) -> None:
    with Faulty() as s:
        err = _fail_on(s, "subscription/list", _answer(status, b"nope", headers))
    assert expect in str(err)
    assert err.status == status
    if flag:
        assert getattr(err, flag)
    if status == 429:
        assert err.retry_after == 120


def test_redirect_is_not_followed_and_names_its_target() -> None:
    with Faulty() as s, Faulty() as elsewhere:
        err = _fail_on(
            s,
            "subscription/list",
            _answer(302, b"", {"Location": elsewhere.endpoint + "/reader/api/0/subscription/list"}),
        )
        assert "redirects to" in str(err) and "give that address" in str(err)
        assert elsewhere.seen == []  # the auth header went nowhere else


def test_a_server_that_pages_forever_is_bounded(monkeypatch: Any) -> None:
    import briefreader.fetch.greader as greader

    monkeypatch.setattr(greader, "MAX_PAGES", 5)
    counter = iter(range(10**6))

    def forever(_m: str, _q: dict[str, list[str]], _b: bytes) -> tuple[int, dict[str, str], bytes]:
        n = next(counter)
        body = {"itemRefs": [{"id": str(n)}], "continuation": f"c{n}"}
        return 200, {}, json.dumps(body).encode()

    async def go() -> Any:
        with Faulty() as s:
            s.routes["stream/items/ids"] = forever
            async with GReaderClient(s.endpoint) as c:
                await c.login("me", "pw")
                return await c.item_ids(READING_LIST)

    got = asyncio.run(go())
    assert len(got.ids) == 5 and got.truncated


def test_server_down_and_bad_urls(tmp_path: Path) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()

    async def go() -> str:
        async with GReaderClient(f"http://127.0.0.1:{port}/api/greader.php", name="me@down") as c:
            with pytest.raises(GReaderError) as info:
                await c.login("me", "pw")
            return str(info.value)

    text = asyncio.run(go())
    assert text.startswith("me@down: login: connection refused")
    for bad in ("ftp://example.org/api", "file:///etc/passwd", "not a url", ""):
        with pytest.raises(GReaderError):
            GReaderClient(bad)


def test_slow_server_hits_the_deadline() -> None:
    import time

    def slow(_m: str, _q: dict[str, list[str]], _b: bytes) -> tuple[int, dict[str, str], bytes]:
        time.sleep(2)
        return 200, {}, b'{"subscriptions": []}'

    with Faulty() as s:
        err = _fail_on(s, "subscription/list", slow, deadline=0.5)
    assert "no response within 0.5 s" in str(err)


def test_items_contents_carries_the_action_token() -> None:
    bodies: list[bytes] = []

    def contents(_m: str, _q: dict[str, list[str]], b: bytes) -> tuple[int, dict[str, str], bytes]:
        bodies.append(b)
        return 200, {}, b'{"items": []}'

    async def go(server: Faulty) -> None:
        async with GReaderClient(server.endpoint) as c:
            await c.login("me", "pw")
            await c.item_contents(["1", "2"])

    with Faulty() as s:
        s.routes["stream/items/contents"] = contents
        asyncio.run(go(s))
        assert parse_qs(bodies[0].decode()) == {"T": ["tok-57"], "i": ["1", "2"]}
        del s.routes["token"]  # a server without tokens: asked without one
        bodies.clear()
        asyncio.run(go(s))
        assert parse_qs(bodies[0].decode()) == {"i": ["1", "2"]}


def test_app_id_and_key_go_on_every_request() -> None:
    app = {"AppId": "1000001234", "AppKey": "k3y-not-for-printing"}
    with Faulty(required=app) as s:
        s.routes["subscription/list"] = _answer(200, b'{"subscriptions": []}')
        s.routes["edit-tag"] = _answer(200, b"OK")

        async def go(**kw: Any) -> None:
            async with GReaderClient(s.endpoint, name="me@inoreader", **kw) as c:
                await c.login("me", "pw")
                await c.subscriptions()
                await c.edit_tag(["1"], add=READ)

        with pytest.raises(GReaderError) as info:
            asyncio.run(go())
        assert info.value.auth and "HTTP 403" in str(info.value)
        s.seen.clear()
        asyncio.run(go(app=("1000001234", "k3y-not-for-printing")))
        paths = [path.rsplit("/", 1)[-1] for _m, path, _h in s.seen]
        assert paths == ["ClientLogin", "list", "token", "edit-tag"]
        for _m, _p, headers in s.seen:
            assert headers["AppId"] == "1000001234"
            assert headers["AppKey"] == "k3y-not-for-printing"
    with pytest.raises(GReaderError, match="AppKey is not a printable"):
        GReaderClient(s.endpoint, app=("1", "two\nlines"))


@pytest.mark.parametrize(
    ("status", "body", "unsupported"),
    [
        (400, b"Unknown method", True),
        (400, b'{"error": "not implemented"}', True),
        (400, b"Bad Request!", False),  # FreshRSS: refused or lacking, it does not say
        (405, b"", True),
    ],
)
def test_a_call_the_server_lacks_is_told_apart(status: int, body: bytes, unsupported: bool) -> None:
    with Faulty() as s:
        err = _fail_on(s, "subscription/list", _answer(status, body))
    assert err.unsupported == unsupported
    if unsupported:
        assert str(err).endswith("this server does not offer subscription/list")
