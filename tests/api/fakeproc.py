"""What the fake servers of tests/api share (fake_llm.py, fake_speech.py): each runs as a child process
that prints its port, and a test drives it over its control endpoints (POST /_fake/script, GET /_fake/log)."""
import argparse
import http.client
import json
import subprocess
import sys


class FakeProcess:
    """The fake server script at path, in a child process requiring key; base is its API's URL."""

    def __init__(self, path, key, base_path=""):
        self.proc = subprocess.Popen([sys.executable, path, "--key", key], stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline())
        self.base = "http://127.0.0.1:%d%s" % (self.port, base_path)

    def call(self, method, path, obj=None):
        # http.client rather than urllib: no proxy from the environment
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            body = json.dumps(obj).encode() if obj is not None else None
            c.request(method, path, body=body, headers={"Content-Type": "application/json"})
            return json.loads(c.getresponse().read())
        finally:
            c.close()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def serve(doc, server_cls, handler_cls, state_cls):
    """A fake server's main(): --key, --port; prints the port it listens on, then serves."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--key", help="API key to require (default: any or none)")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    srv = server_cls(("127.0.0.1", args.port), handler_cls)
    srv.state = state_cls(args.key)
    print(srv.server_port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
