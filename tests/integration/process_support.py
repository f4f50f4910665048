"""What the process tests share: free loopback ports, a small HTTP client, the wire fixtures.

Standard library only. The tests run as scripts, so this module is found beside them.
"""
import os
import socket
import urllib.error
import urllib.request

_handed_out = set()


def free_port():
    """A port the OS reports free that this run has not handed out before: the kernel may return
    a just-closed port again, and two options naming one port is a configuration error."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


_udp_handed_out = set()


def free_udp_port():
    """The same for a UDP port."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _udp_handed_out:
            _udp_handed_out.add(port)
            return port


def agent_udp_flags():
    """--processor.* flags that put the agent's three UDP servers on free loopback ports (the
    all-in-one runs them too; their defaults, 6831/6832/5775 on every interface, would collide
    between tests running at once)."""
    return [f"--processor.{name}.server-host-port=127.0.0.1:{free_udp_port()}"
            for name in ("jaeger-compact", "jaeger-binary", "zipkin-compact")]


def http(method, url, body=None, headers=None, timeout=10):
    """(status, body, headers) of one request; HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def fixture(root, name):
    """The bytes of tests/fixtures/wire/<name>."""
    with open(os.path.join(root, "tests", "fixtures", "wire", name), "rb") as f:
        return f.read()
