"""A TCP hop in front of the Docker engine, for the faults scenario: ptest
is given DOCKER_HOST=tcp://127.0.0.1:PORT, and the hop forwards each
connection to the engine's Unix socket — until `drop()`, which closes every
connection in flight and stops listening, so that the engine is gone for
whoever used the hop (and only for them: the shared engine itself is never
touched). `restore()` listens again on the same port."""
import socket
import threading


class DockerHop:
    def __init__(self, engine_socket="/var/run/docker.sock"):
        self.engine_socket = engine_socket
        self.lock = threading.Lock()
        self.conns = set()
        self.listener = None
        self.port = None
        self.accepted = 0
        self.dropped = 0
        self._listen()

    @property
    def address(self):
        return f"tcp://127.0.0.1:{self.port}"

    def _listen(self):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port or 0))
        ls.listen(128)
        self.port = ls.getsockname()[1]
        self.listener = ls
        threading.Thread(target=self._accept, args=(ls,), daemon=True).start()

    def _accept(self, ls):
        while True:
            try:
                client, _ = ls.accept()
            except OSError:
                return  # dropped
            try:
                upstream = socket.socket(socket.AF_UNIX)
                upstream.connect(self.engine_socket)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.listener is not ls:
                    client.close()
                    upstream.close()
                    return
                self.conns.add(client)
                self.conns.add(upstream)
                self.accepted += 1
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            with self.lock:
                for s in (src, dst):
                    if s in self.conns:
                        self.conns.discard(s)
                        s.close()

    def drop(self):
        """The engine goes away: connections in flight are cut, new ones
        refused."""
        with self.lock:
            ls, self.listener = self.listener, None
            conns, self.conns = list(self.conns), set()
        if ls:
            ls.close()
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.dropped += len(conns) // 2

    def restore(self):
        with self.lock:
            if self.listener is not None:
                return
        self._listen()

    def close(self):
        self.drop()
