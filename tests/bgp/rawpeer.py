"""A scriptable raw BGP speaker for the malformed-UPDATE tests.

Run inside the peer namespace:  rawpeer.py LOCAL_IP CLOUD_IP LOCAL_AS [FAMILIES]
It connects to CLOUD_IP:179, sends an OPEN (4-octet AS, route refresh, the
multiprotocol capability for FAMILIES: "ipv4,ipv6" by default, or "ipv6"
for a peer without IPv4 unicast), answers KEEPALIVEs, and then:
  stdin  "SEND <hex>"          sends the bytes as they are (a whole message)
  stdin  "FLOOD <n> <hex>"     sends them n times, as fast as the socket takes them
  stdin  "NOREAD"              stops reading (a peer that does not drain)
  stdout "RECV <type> <hex of body>" for every message received
  stdout "TIME <type> <monotonic seconds>" too, with RAWPEER_TIMES=1
  stdout "FLOODED <n>" when a FLOOD is written, "CLOSED" when the connection ends
RAWPEER_RCVBUF=<bytes> sets SO_RCVBUF before connecting.
The encoders below (msg, attr, update) are shared with the tests.
"""
import os
import socket
import struct
import sys
import threading
import time


def msg(t, body, marker=b"\xff" * 16, length=None):
    return marker + struct.pack("!HB", 19 + len(body) if length is None else length, t) + body


def attr(flags, t, v):
    if len(v) > 255 or flags & 0x10:
        return struct.pack("!BBH", flags | 0x10, t, len(v)) + v
    return struct.pack("!BBB", flags, t, len(v)) + v


def update(withdrawn=b"", attrs=b"", nlri=b""):
    return msg(2, struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attrs)) + attrs + nlri)


def pfx(text):
    addr, plen = text.split("/")
    plen = int(plen)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    raw = socket.inet_pton(fam, addr)
    return bytes([plen]) + raw[: (plen + 7) // 8]


def open_msg(asn, router_id, hold=30, families=("ipv4", "ipv6")):
    caps = b"".join(bytes([1, 4, 0, {"ipv4": 1, "ipv6": 2}[f], 0, 1]) for f in families)
    caps += bytes([2, 0]) + bytes([65, 4]) + struct.pack("!I", asn)
    opt = bytes([2, len(caps)]) + caps
    my_as = asn if asn < 65536 else 23456
    return msg(1, struct.pack("!BHH4sB", 4, my_as, hold, socket.inet_aton(router_id), len(opt)) + opt)


def main():
    local, cloud, asn = sys.argv[1], sys.argv[2], int(sys.argv[3])
    families = sys.argv[4].split(",") if len(sys.argv) > 4 else ["ipv4", "ipv6"]
    times = os.environ.get("RAWPEER_TIMES") == "1"
    rcvbuf = int(os.environ.get("RAWPEER_RCVBUF", "0"))
    s = None
    for _ in range(100):
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if rcvbuf:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            s.settimeout(5)
            s.bind((local, 0))
            s.connect((cloud, 179))
            break
        except OSError:
            s.close()
            s = None
            time.sleep(0.2)
    if s is None:
        print("CLOSED", flush=True)
        return
    s.settimeout(None)
    lock = threading.Lock()

    def send(b):
        with lock:
            s.sendall(b)

    send(open_msg(asn, local, families=families))
    reading = threading.Event()
    reading.set()

    def reader():
        buf = b""
        while True:
            reading.wait()
            try:
                d = s.recv(65536)
            except OSError:
                d = b""
            if not d:
                print("CLOSED", flush=True)
                return
            buf += d
            while len(buf) >= 19:
                ln = struct.unpack("!H", buf[16:18])[0]
                if len(buf) < ln:
                    break
                t = buf[18]
                if times:
                    print(f"TIME {t} {time.monotonic():.6f}", flush=True)
                print(f"RECV {t} {buf[19:ln].hex()}", flush=True)
                if t in (1, 4):
                    send(msg(4, b""))  # KEEPALIVE for OPEN and every KEEPALIVE
                buf = buf[ln:]

    threading.Thread(target=reader, daemon=True).start()
    for line in sys.stdin:
        parts = line.split()
        try:
            if parts and parts[0] == "SEND":
                send(bytes.fromhex(parts[1]))
            elif parts and parts[0] == "FLOOD":
                send(bytes.fromhex(parts[2]) * int(parts[1]))
                print(f"FLOODED {parts[1]}", flush=True)
            elif parts and parts[0] == "NOREAD":
                reading.clear()
        except OSError:
            pass


if __name__ == "__main__":
    main()
