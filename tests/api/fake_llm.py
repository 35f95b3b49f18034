#!/usr/bin/python3
"""A scripted OpenAI-compatible chat-completions server for tests.

    /usr/bin/python3 tests/api/fake_llm.py [--key KEY] [--port N]

Listens on 127.0.0.1 (a free port unless --port), prints the port on the
first line of stdout, and serves until killed.  Standard library only.

POST /v1/chat/completions answers with the next scripted step (below).
Before that it checks what a real server would: with --key, the header
"Authorization: Bearer KEY" (else 401 in OpenAI's error format); a JSON
body with model and messages (else 400); and -- stricter than OpenAI, to
test the client -- response_format {"type": "json_object"} (else 400;
a script with "require_json": false lets requests without it through).
With nothing scripted it answers 500 "no scripted reply left", so a test
that makes one request too many fails loudly.

Control endpoints:
    POST /_fake/script  {"steps": [step, ...], "require_json": true}
                                        replace the script, clear the log
    GET  /_fake/log     {"requests": [{"t": monotonic seconds, "headers": {...},
                                       "body": {...}}, ...]}

A step is an object:
    {"content": "..."}                 200, a chat completion with that content;
                                       optional "model", "finish_reason", "usage"
                                       ({"prompt_tokens", "completion_tokens",
                                       "total_tokens"}, default 100/50/150)
    {"status": 429, "message": "...", "headers": {"Retry-After": "1"}}
                                       an error in OpenAI's format
    {"raw": "...", "status": 200}      this body verbatim
    "sleep": seconds                   on any step: wait that long first

A request with "stream": true gets a content step as Server-Sent Events,
the way OpenAI streams (Transfer-Encoding: chunked, text/event-stream):
a chunk with the role, one chunk per piece of "deltas" (default: the
whole content), a chunk with the finish_reason, a usage chunk when the
request asked for stream_options.include_usage, then "data: [DONE]".
More keys shape the stream:
    "deltas": ["你", "好"]    the content's pieces, one chunk each
    "split": [1, 2, 3]        write the bytes in pieces of these sizes (cycled),
                              each its own HTTP chunk, so events, lines, CRLFs and
                              UTF-8 characters are cut at awkward places
                              (default: one piece per event)
    "keepalive": true         a ": keep-alive" comment after the first event
    "crlf": true              lines end in CRLF
    "multiline": true         each event's JSON spread over several data: lines
    "cut_after": n            after n content chunks the connection is dropped
                              (no finish, no [DONE], no final HTTP chunk)
    "end_after": n            after n content chunks the response ends cleanly,
                              without finish_reason or [DONE]
    "no_done": true           everything but the [DONE]
    "error_event": "..."      after the deltas, an error event instead of the end
    "ignore_stream": true     answer with one JSON body, as a server that does
                              not stream would

From a test: FakeLLM(key) runs this server in a child process and drives it
over the control endpoints; start() runs one in a thread of the caller.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import fakeproc

DEFAULT_USAGE = {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}


class State:
    def __init__(self, key):
        self.key = key
        self.lock = threading.Lock()
        self.steps = []
        self.log = []
        self.count = 0
        self.require_json = True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real endpoints do
    server_version = "fake-llm/1"

    def log_message(self, fmt, *args):  # quiet: the test prints what matters
        pass

    @property
    def state(self):
        return self.server.state

    def send_json(self, status, obj, headers=None):
        self.send_raw(status, json.dumps(obj, ensure_ascii=False).encode(), headers)

    def send_raw(self, status, data, headers=None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): expected in the timeout test

    def send_error_json(self, status, message, code=None, headers=None):
        err = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
        self.send_json(status, {"error": err}, headers)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        if self.path == "/_fake/log":
            with self.state.lock:
                self.send_json(200, {"requests": list(self.state.log)})
            return
        self.send_error_json(404, "no such endpoint: GET %s" % self.path)

    def do_POST(self):
        raw = self.read_body()
        if self.path == "/_fake/script":
            script = json.loads(raw)
            with self.state.lock:
                self.state.steps = list(script.get("steps", []))
                self.state.require_json = script.get("require_json", True)
                self.state.log = []
            self.send_json(200, {"ok": True})
            return
        if self.path != "/v1/chat/completions":
            self.send_error_json(404, "no such endpoint: POST %s" % self.path)
            return
        self.chat(raw)

    def chat(self, raw):
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        with self.state.lock:
            self.state.log.append(
                {
                    "t": time.monotonic(),
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body if body is not None else raw.decode("utf-8", "replace"),
                }
            )
            self.state.count += 1
            n = self.state.count

        if self.state.key is not None:
            auth = self.headers.get("Authorization", "")
            if auth != "Bearer " + self.state.key:
                shown = auth[7:10] + "***" if auth.startswith("Bearer ") else "(none)"
                self.send_error_json(
                    401,
                    "Incorrect API key provided: %s. You can find your API key at "
                    "https://platform.openai.com/account/api-keys." % shown,
                    code="invalid_api_key",
                )
                return
        if not isinstance(body, dict):
            self.send_error_json(400, "We could not parse the JSON body of your request.")
            return
        if not isinstance(body.get("model"), str) or not isinstance(body.get("messages"), list):
            self.send_error_json(400, "you must provide a model and messages")
            return
        if self.state.require_json and body.get("response_format") != {"type": "json_object"}:
            self.send_error_json(400, "fake_llm: response_format {\"type\": \"json_object\"} expected")
            return

        with self.state.lock:
            step = self.state.steps.pop(0) if self.state.steps else None
        if step is None:
            self.send_error_json(500, "fake_llm: no scripted reply left")
            return
        if step.get("sleep"):
            time.sleep(step["sleep"])

        if "raw" in step:
            self.send_raw(step.get("status", 200), step["raw"].encode(), step.get("headers"))
            return
        if step.get("status", 200) != 200:
            self.send_error_json(step["status"], step.get("message", "error"),
                                 headers=step.get("headers"))
            return
        if body.get("stream") is True and not step.get("ignore_stream"):
            self.stream(body, step, n)
            return
        self.send_json(
            200,
            {
                "id": "chatcmpl-fake-%d" % n,
                "object": "chat.completion",
                "created": int(time.time()),
                "model": step.get("model", body["model"]),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": step.get("content")},
                        "finish_reason": step.get("finish_reason", "stop"),
                    }
                ],
                "usage": step.get("usage", DEFAULT_USAGE),
            },
            step.get("headers"),
        )


    def stream(self, body, step, n):
        """The content step as Server-Sent Events (see the module's docstring)."""
        model = step.get("model", body["model"])

        def chunk(delta, finish=None, **extra):
            c = {"id": "chatcmpl-fake-%d" % n, "object": "chat.completion.chunk", "created": int(time.time()),
                 "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            c.update(extra)
            return json.dumps(c, ensure_ascii=False)

        pieces = step.get("deltas", [step.get("content")])
        events = [chunk({"role": "assistant", "content": ""})]
        cut = None
        for i, p in enumerate(pieces):
            if i == step.get("cut_after", step.get("end_after")):
                cut = "drop" if "cut_after" in step else "end"
                break
            events.append(chunk({"content": p}))
        if cut is None and step.get("error_event"):
            events.append(json.dumps({"error": {"message": step["error_event"], "type": "server_error"}}))
            cut = "end"
        if cut is None:
            events.append(chunk({}, step.get("finish_reason", "stop")))
            if (body.get("stream_options") or {}).get("include_usage"):
                u = json.dumps({"id": "chatcmpl-fake-%d" % n, "object": "chat.completion.chunk",
                                "model": model, "choices": [], "usage": step.get("usage", DEFAULT_USAGE)})
                events.append(u)
            if not step.get("no_done"):
                events.append("[DONE]")

        nl = "\r\n" if step.get("crlf") else "\n"
        blocks = []
        for i, e in enumerate(events):
            lines = e.replace(', "', ',\n"').split("\n") if step.get("multiline") else [e]
            blocks.append("".join("data: %s%s" % (l, nl) for l in lines) + nl)
            if i == 0 and step.get("keepalive"):
                blocks.append(": keep-alive" + nl + nl)
        data = "".join(blocks).encode()
        split = step.get("split")
        if split:
            writes, off, k = [], 0, 0
            while off < len(data):
                writes.append(data[off:off + split[k % len(split)]])
                off += split[k % len(split)]
                k += 1
        else:
            writes = [b.encode() for b in blocks]
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for w in writes:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(w), w))
                self.wfile.flush()
                time.sleep(0.002)  # separate reads on the other side, mostly
            if cut == "drop":
                self.close_connection = True  # mid-body: the client sees the stream break off
                return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client stopped reading (its callback said stop)


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler asleep in a timeout test must not block shutdown

    def handle_error(self, request, client_address):
        # a client hanging up mid-reply is part of the tests, not an error
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def start(key=None, port=0):
    """Start a server in a background thread; returns it (.server_port, .shutdown())."""
    srv = Server(("127.0.0.1", port), Handler)
    srv.state = State(key)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class FakeLLM(fakeproc.FakeProcess):
    """fake_llm.py in a child process, driven over its control endpoints."""

    def __init__(self, key):
        super().__init__(os.path.abspath(__file__), key)

    def script(self, *steps, require_json=True):
        """Replace the script (and clear the log)."""
        self.call("POST", "/_fake/script", {"steps": list(steps), "require_json": require_json})

    def requests(self):
        """The requests logged since the last script()."""
        return self.call("GET", "/_fake/log")["requests"]


def main():
    fakeproc.serve(__doc__, Server, Handler, State)


if __name__ == "__main__":
    main()
