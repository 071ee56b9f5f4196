"""The Docker engine's API, as the leak detector and the janitor read it:
HTTP over the engine's Unix socket (or TCP), Python's standard library only.

The detector never trusts ptest to report its own leaks, so it asks the
engine itself; and never the docker CLI (one process per question is too
slow to sample with).
"""
import http.client
import json
import os
import socket
import urllib.parse

API = "/v1.41"


def default_address():
    """The engine the suite runs against: DOCKER_HOST when it names a Unix
    socket, else the standard one. (A tcp:// DOCKER_HOST is the faults
    scenario's hop, set only for the commands under test.)"""
    host = os.environ.get("DOCKER_HOST", "")
    if host.startswith("unix://"):
        return host
    return "unix:///var/run/docker.sock"


class _Conn(http.client.HTTPConnection):
    def __init__(self, address, timeout):
        self.address = address
        if address.startswith("tcp://"):
            hostport = address.removeprefix("tcp://")
            host, _, port = hostport.rpartition(":")
            super().__init__(host, int(port), timeout=timeout)
        else:
            super().__init__("localhost", timeout=timeout)

    def connect(self):
        if self.address.startswith("unix://"):
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.settimeout(self.timeout)
            self.sock.connect(self.address.removeprefix("unix://"))
        else:
            super().connect()


class EngineError(Exception):
    def __init__(self, status, message):
        super().__init__(f"{status}: {message}")
        self.status = status


class Engine:
    def __init__(self, address=None, timeout=30):
        self.address = address or default_address()
        self.timeout = timeout

    def call(self, method, path, body=None, query=None, ok=(200, 201, 204, 304)):
        url = API + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        c = _Conn(self.address, self.timeout)
        try:
            c.request(method, url, body=None if body is None else json.dumps(body),
                      headers={"Content-Type": "application/json"})
            r = c.getresponse()
            data = r.read()
        finally:
            c.close()
        if r.status not in ok:
            raise EngineError(r.status, data[:300].decode(errors="replace"))
        return json.loads(data) if data else None

    def ping(self):
        try:
            c = _Conn(self.address, 5)
            c.request("GET", "/_ping")
            ok = c.getresponse().status == 200
            c.close()
            return ok
        except OSError:
            return False

    @staticmethod
    def _filters(**f):
        return {"filters": json.dumps({k: [v] if isinstance(v, str) else v for k, v in f.items() if v})}

    def containers(self, label=None, name=None):
        q = {"all": "1", **self._filters(label=label, name=name)}
        return self.call("GET", "/containers/json", query=q) or []

    def networks(self, label=None):
        return self.call("GET", "/networks", query=self._filters(label=label)) or []

    def volumes(self, label=None):
        return (self.call("GET", "/volumes", query=self._filters(label=label)) or {}).get("Volumes") or []

    def images(self, label=None, reference=None):
        q = {"all": "0", **self._filters(label=label, reference=reference)}
        return self.call("GET", "/images/json", query=q) or []

    def remove_container(self, cid):
        self.call("DELETE", f"/containers/{cid}", query={"force": "1", "v": "1"}, ok=(204, 404, 409))

    def remove_network(self, nid):
        self.call("DELETE", f"/networks/{nid}", ok=(204, 404))

    def remove_volume(self, name):
        self.call("DELETE", f"/volumes/{name}", query={"force": "1"}, ok=(204, 404))

    def remove_image(self, ref):
        self.call("DELETE", f"/images/{urllib.parse.quote(ref, safe='')}", query={"force": "1"}, ok=(200, 404, 409))
