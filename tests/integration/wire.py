"""wire.py -- raw RESP over a socket for the transcript checkers
(pause_check.py, tracking_check.py): send a command as a RESP array and
read whatever arrives until the line goes quiet, shown as Python bytes
repr so two servers' transcripts compare line for line."""
import socket


def send(s, *args):
    parts = [str(a).encode() for a in args]
    s.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))


def recv(s, wait):
    """What arrived within `wait` seconds of quiet, or <none>."""
    s.settimeout(wait)
    got = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        got += chunk
    return repr(got) if got else "<none>"
