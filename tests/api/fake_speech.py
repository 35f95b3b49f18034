#!/usr/bin/python3
"""A scripted OpenAI-compatible speech server for tests: /v1/audio/speech and /v1/audio/transcriptions.

    /usr/bin/python3 tests/api/fake_speech.py [--key KEY] [--port N]

Listens on 127.0.0.1 (a free port unless --port), prints the port on the first line of stdout,
and serves until killed.  Standard library only.

POST /v1/audio/speech {model, input, voice, response_format?, speed?} answers a real WAV (16-bit
mono PCM at 16 kHz, a 440 Hz tone of 0.08 s a character of input, so its length follows the text),
sent chunked in pieces of 4096 bytes.  With --key the header "Authorization: Bearer KEY" is
required (else 401 in OpenAI's error format); a body without model, input or voice is 400.

POST /v1/audio/transcriptions (multipart/form-data: file, model, language?, response_format?)
answers {"text": ...}: a scripted text, or one derived from the audio: a WAV's duration from its
header ("audio 3.00 s"), anything else its size ("audio 1234 bytes").  file and model are
required (else 400).

Each endpoint takes the next step of its own script; with none left it answers as above.
A step is an object:
    {"status": 500, "message": "..."}   an error in OpenAI's format (429 with "Retry-After": "1")
    {"sleep": s}                        wait s seconds before answering (with anything else)
    {"cut_after": n}                    speech: send n bytes of the WAV, then drop the connection
                                        (no final chunk)
    {"text": "..."}                     transcriptions: this text

Control endpoints:
    POST /_fake/script  {"speech": [step, ...], "transcriptions": [step, ...]}  replace, clear the log
    GET  /_fake/log     {"requests": [{"path", "headers", "body" (speech: the JSON),
                                       "fields" (transcriptions: the form's text fields),
                                       "file": {"name", "type", "bytes", "duration"}}, ...]}

From a test: FakeSpeech(key) runs this server in a child process and drives it.
"""
import email.parser
import email.policy
import http.client
import http.server
import io
import json
import math
import os
import socketserver
import struct
import threading
import time
import wave

import fakeproc

RATE = 16000
SECONDS_PER_CHAR = 0.08


ONE_SECOND = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * i / RATE))) for i in range(RATE))


def tone_wav(seconds):
    """A WAV of a 440 Hz tone, seconds long."""
    n = int(RATE * seconds)
    frames = (ONE_SECOND * (n // RATE + 1))[:2 * n]
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)
    return out.getvalue()


def wav_duration(data):
    """A WAV's duration from its header (the data chunk's size), or None when it is not one."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos, rate, block = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt " and size >= 16:
            _, ch, rate, _, block, _ = struct.unpack("<HHIIHH", data[pos + 8:pos + 24])
        elif cid == b"data" and rate and block:
            size = min(size, len(data) - pos - 8)
            return size / float(rate * block)
        pos += 8 + size + (size & 1)
    return None


class State:
    def __init__(self, key):
        self.key = key
        self.lock = threading.Lock()
        self.scripts = {"speech": [], "transcriptions": []}
        self.log = []

    def next_step(self, kind):
        with self.lock:
            s = self.scripts[kind]
            return s.pop(0) if s else {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_error_obj(self, status, message, headers=None):
        self.send_json(status, {"error": {"message": message, "type": "fake_error", "code": None}}, headers)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def authorized(self):
        st = self.server.state
        if st.key and self.headers.get("Authorization") != "Bearer " + st.key:
            self.send_error_obj(401, "Incorrect API key provided")
            return False
        return True

    def do_GET(self):
        if self.path == "/_fake/log":
            with self.server.state.lock:
                self.send_json(200, {"requests": list(self.server.state.log)})
        else:
            self.send_error_obj(404, "no such path")

    def do_POST(self):
        st = self.server.state
        body = self.read_body()
        if self.path == "/_fake/script":
            d = json.loads(body or b"{}")
            with st.lock:
                st.scripts = {"speech": list(d.get("speech", [])), "transcriptions": list(d.get("transcriptions", []))}
                st.log = []
            return self.send_json(200, {"ok": True})
        if self.path == "/v1/audio/speech":
            try:
                return self.speech(body)
            except (BrokenPipeError, ConnectionResetError):
                return None  # the client gave up (a timeout): nothing to answer
        if self.path == "/v1/audio/transcriptions":
            return self.transcriptions(body)
        self.send_error_obj(404, "no such path")

    def logged(self, entry):
        entry["headers"] = {k.lower(): v for k, v in self.headers.items()}
        entry["path"] = self.path
        entry["t"] = time.monotonic()
        with self.server.state.lock:
            self.server.state.log.append(entry)

    def speech(self, raw):
        st = self.server.state
        try:
            req = json.loads(raw)
        except ValueError:
            req = None
        self.logged({"body": req})
        step = st.next_step("speech")
        if step.get("sleep"):
            time.sleep(step["sleep"])
        if not self.authorized():
            return
        if not isinstance(req, dict) or not all(isinstance(req.get(k), str) and req.get(k) for k in
                                                ("model", "input", "voice")):
            return self.send_error_obj(400, "model, input and voice are required")
        if step.get("status"):
            hdrs = {"Retry-After": "1"} if step["status"] == 429 else None
            return self.send_error_obj(step["status"], step.get("message", "scripted failure"), hdrs)
        audio = tone_wav(SECONDS_PER_CHAR * len(req["input"]))
        cut = step.get("cut_after")
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = 0
        for i in range(0, len(audio), 4096):
            piece = audio[i:i + 4096]
            if cut is not None and sent + len(piece) > cut:
                piece = piece[:cut - sent]
                if piece:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
        self.wfile.write(b"0\r\n\r\n")

    def transcriptions(self, raw):
        st = self.server.state
        ctype = self.headers.get("Content-Type", "")
        fields, file = {}, None
        if ctype.startswith("multipart/form-data"):
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                data = part.get_payload(decode=True) or b""
                if part.get_filename() is not None:
                    file = {"name": part.get_filename(), "type": part.get_content_type(), "bytes": len(data),
                            "duration": wav_duration(data)}
                elif name:
                    fields[name] = data.decode("utf-8", "replace")
        self.logged({"fields": fields, "file": file})
        step = st.next_step("transcriptions")
        if step.get("sleep"):
            time.sleep(step["sleep"])
        if not self.authorized():
            return
        if file is None or not fields.get("model"):
            return self.send_error_obj(400, "file and model are required")
        if step.get("status"):
            hdrs = {"Retry-After": "1"} if step["status"] == 429 else None
            return self.send_error_obj(step["status"], step.get("message", "scripted failure"), hdrs)
        if "text" in step:
            text = step["text"]
        elif file["duration"] is not None:
            text = "audio %.2f s" % file["duration"]
        else:
            text = "audio %d bytes" % file["bytes"]
        self.send_json(200, {"text": text})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class FakeSpeech(fakeproc.FakeProcess):
    """fake_speech.py in a child process, driven over its control endpoints."""

    def __init__(self, key):
        super().__init__(os.path.abspath(__file__), key, "/v1")

    def script(self, speech=(), transcriptions=()):
        """Replace both scripts (and clear the log)."""
        self.call("POST", "/_fake/script", {"speech": list(speech), "transcriptions": list(transcriptions)})

    def requests(self, path=None):
        """The requests logged since the last script(), those to path only when given."""
        return [q for q in self.call("GET", "/_fake/log")["requests"] if path is None or q["path"] == path]


def main():
    fakeproc.serve(__doc__, Server, Handler, State)


if __name__ == "__main__":
    main()
