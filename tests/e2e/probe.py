"""probe: small network tools the e2e tests run inside instance namespaces
(through `openvpc instance exec`), where nping and scapy are not available.
Plain python3, standard library only.

    probe.py listen OUTFILE
        Records every ARP, IPv4 and IPv6 packet that arrives on any device of
        the namespace (AF_PACKET, outgoing packets skipped) as one JSON line:
        {"dev","proto","src","dst","sport","dport","icmp_type","ttl","t"}.  For
        ICMP echo, sport is the identifier; for ARP, icmp_type is the
        operation and src/dst the sender and target addresses.  Writes OUTFILE + ".ready" once
        listening; stops on SIGTERM.

    probe.py send PROBES.json
        Sends crafted packets straight out of a device (AF_PACKET), bypassing
        the namespace's own stack, so a probe is exactly the packet asked for
        (any source address, any ports, a bare TCP SYN).  PROBES.json is a
        list of {"dev","src","dst","proto":"tcp|udp|icmp|arp","sport","dport",
        "tcp_flags" (default 0x02, SYN),"ttl","gw"}; the destination MAC is the gateway's, learnt by ARP
        (the network answers for the gateway).  An "arp" probe is a
        broadcast who-has dst tell src.  Prints one JSON line with the
        number sent.

    probe.py echo-server PORT
        A TCP echo server on every IPv4 and IPv6 address (any number of
        clients) for flow tests.

    probe.py flow HOST PORT SECONDS [INTERVAL]
        A TCP client that sends a line every INTERVAL seconds (default 0.02)
        for SECONDS and reads its echo; prints one JSON summary: sent,
        echoed, the time of the first and last echo, the longest gap
        between echoes, and the error that ended it, if any.
"""
import ipaddress
import json
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
PACKET_OUTGOING = 4
PROTO = {"icmp": 1, "tcp": 6, "udp": 17, "icmpv6": 58}
PROTO_NAME = {v: k for k, v in PROTO.items()}


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def mac_of(dev):
    with open(f"/sys/class/net/{dev}/address") as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def ipv4_packet(src, dst, proto, payload, ttl=64, ident=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, ttl,
                      PROTO[proto], 0, socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def l4(p):
    src, dst, proto = p["src"], p["dst"], p["proto"]
    sport, dport = int(p.get("sport") or 0), int(p.get("dport") or 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst)
    if proto == "tcp":
        seq = (sport * 7919 + dport) & 0xFFFFFFFF
        flags = int(p.get("tcp_flags", 0x02))
        ack = (dport * 104729 + sport) & 0xFFFFFFFF if flags & 0x10 else 0
        seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
        c = csum(pseudo + struct.pack("!BBH", 0, 6, len(seg)) + seg)
        return seg[:16] + struct.pack("!H", c) + seg[18:]
    if proto == "udp":
        data = b"openvpc-e2e-probe"
        seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
        c = csum(pseudo + struct.pack("!BBH", 0, 17, len(seg)) + seg) or 0xFFFF
        return seg[:6] + struct.pack("!H", c) + seg[8:]
    if proto == "icmp":
        data = b"openvpc-e2e-probe"
        msg = struct.pack("!BBHHH", 8, 0, 0, sport & 0xFFFF, 1) + data
        return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
    raise ValueError(proto)


def arp_resolve(s, dev, my_mac, my_ip, ip, timeout=1.0):
    """Asks who-has ip on dev; returns the answer's MAC or None."""
    arp = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 1, my_mac, socket.inet_aton(my_ip),
                      b"\0" * 6, socket.inet_aton(ip))
    frame = b"\xff" * 6 + my_mac + struct.pack("!H", ETH_P_ARP) + arp
    r = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    r.bind((dev, ETH_P_ARP))
    try:
        s.send(frame)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            ready, _, _ = select.select([r], [], [], max(0.0, end - time.monotonic()))
            if not ready:
                break
            pkt = r.recv(2048)
            if len(pkt) < 42:
                continue
            op = struct.unpack("!H", pkt[20:22])[0]
            if op == 2 and pkt[28:32] == socket.inet_aton(ip):
                return pkt[22:28]
    finally:
        r.close()
    return None


def cmd_send(path):
    with open(path) as f:
        probes = json.load(f)
    socks, gwmac = {}, {}
    sent = 0
    for p in probes:
        dev = p.get("dev", "eth0")
        if dev not in socks:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((dev, 0))
            socks[dev] = s
        s = socks[dev]
        my_mac = mac_of(dev)
        key = (dev, p["gw"])
        if key not in gwmac:
            gwmac[key] = arp_resolve(s, dev, my_mac, p.get("arp_src", p["src"]), p["gw"]) \
                or bytes.fromhex("eeffffffffff")
        if p["proto"] == "arp":
            # who-has dst tell src, broadcast, as a host resolving a neighbour does
            arp = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 1, my_mac,
                              socket.inet_aton(p["src"]), b"\0" * 6, socket.inet_aton(p["dst"]))
            s.send(b"\xff" * 6 + my_mac + struct.pack("!H", ETH_P_ARP) + arp)
            sent += 1
            time.sleep(float(p.get("gap", 0.003)))
            continue
        pkt = ipv4_packet(p["src"], p["dst"], p["proto"], l4(p), ttl=int(p.get("ttl", 64)),
                          ident=sent + 1)
        s.send(gwmac[key] + my_mac + struct.pack("!H", ETH_P_IP) + pkt)
        sent += 1
        time.sleep(float(p.get("gap", 0.003)))
    print(json.dumps({"sent": sent, "gw": {f"{k[0]}/{k[1]}": v.hex(":") for k, v in gwmac.items()}}))


def parse(pkt):
    if len(pkt) < 14:
        return None
    et = struct.unpack("!H", pkt[12:14])[0]
    off = 14
    if et == 0x8100 and len(pkt) >= 18:
        et = struct.unpack("!H", pkt[16:18])[0]
        off = 18
    if et == ETH_P_ARP and len(pkt) >= off + 28:
        op = struct.unpack("!H", pkt[off + 6:off + 8])[0]
        return {"proto": "arp", "src": socket.inet_ntoa(pkt[off + 14:off + 18]),
                "dst": socket.inet_ntoa(pkt[off + 24:off + 28]), "sport": 0, "dport": 0,
                "icmp_type": op}
    if et == ETH_P_IP and len(pkt) >= off + 20:
        ihl = (pkt[off] & 0x0F) * 4
        proto = pkt[off + 9]
        src = socket.inet_ntoa(pkt[off + 12:off + 16])
        dst = socket.inet_ntoa(pkt[off + 16:off + 20])
        ttl = pkt[off + 8]
        l4o = off + ihl
    elif et == ETH_P_IPV6 and len(pkt) >= off + 40:
        proto = pkt[off + 6]
        src = str(ipaddress.IPv6Address(pkt[off + 8:off + 24]))
        dst = str(ipaddress.IPv6Address(pkt[off + 24:off + 40]))
        ttl = pkt[off + 7]
        l4o = off + 40
    else:
        return None
    rec = {"proto": PROTO_NAME.get(proto, str(proto)), "src": src, "dst": dst, "sport": 0,
           "dport": 0, "icmp_type": None, "ttl": ttl}
    if proto in (6, 17) and len(pkt) >= l4o + 4:
        rec["sport"], rec["dport"] = struct.unpack("!HH", pkt[l4o:l4o + 4])
        if proto == 6 and len(pkt) >= l4o + 14:
            rec["tcp_flags"] = pkt[l4o + 13]
    elif proto in (1, 58) and len(pkt) >= l4o + 8:
        rec["icmp_type"] = pkt[l4o]
        rec["sport"] = struct.unpack("!H", pkt[l4o + 4:l4o + 6])[0]
        if proto == 58 and rec["icmp_type"] in (135, 136):
            rec["nd"] = pkt[l4o:].hex()  # the whole ND message, options included
    return rec


def cmd_listen(out):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    stop = [False]

    def on_term(_sig, _frm):
        stop[0] = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    with open(out, "a", buffering=1) as f:
        with open(out + ".ready", "w") as r:
            r.write(str(os.getpid()))
        while not stop[0]:
            try:
                ready, _, _ = select.select([s], [], [], 0.2)
            except InterruptedError:
                continue
            if not ready:
                continue
            pkt, addr = s.recvfrom(65535)
            if addr[2] == PACKET_OUTGOING:
                continue
            rec = parse(pkt)
            if rec is None:
                continue
            rec["dev"] = addr[0]
            rec["t"] = time.time()
            f.write(json.dumps(rec) + "\n")


def cmd_echo_server(port):
    ls = socket.socket(socket.AF_INET6)  # IPv4 and IPv6 both
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("::", port))
    ls.listen(64)
    conns = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        ready, _, _ = select.select([ls] + conns, [], [], 1.0)
        for r in ready:
            if r is ls:
                c, _ = ls.accept()
                conns.append(c)
                continue
            try:
                d = r.recv(65536)
            except OSError:
                d = b""
            if not d:
                conns.remove(r)
                r.close()
                continue
            try:
                r.sendall(d)
            except OSError:
                conns.remove(r)
                r.close()


def cmd_flow(host, port, seconds, interval):
    res = {"sent": 0, "echoed": 0, "first_echo": None, "last_echo": None, "max_gap": 0.0,
           "error": None, "start": time.time()}
    try:
        c = socket.create_connection((host, port), timeout=2)
    except OSError as e:
        res["error"] = f"connect: {e}"
        print(json.dumps(res))
        return
    c.setblocking(False)
    end = time.monotonic() + seconds
    nxt = time.monotonic()
    buf = b""
    last = None
    try:
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= nxt:
                c.send(b"x" * 31 + b"\n")
                res["sent"] += 1
                nxt += interval
            ready, _, _ = select.select([c], [], [], max(0.0, min(nxt, end) - time.monotonic()))
            if ready:
                d = c.recv(65536)
                if not d:
                    res["error"] = "closed by the peer"
                    break
                buf += d
                n = buf.count(b"\n")
                buf = buf[buf.rfind(b"\n") + 1:] if n else buf
                if n:
                    t = time.time()
                    res["echoed"] += n
                    res["first_echo"] = res["first_echo"] or t
                    if last is not None:
                        res["max_gap"] = max(res["max_gap"], t - last)
                    last = t
                    res["last_echo"] = t
    except OSError as e:
        res["error"] = str(e)
    res["end"] = time.time()
    if last is not None:
        res["max_gap"] = max(res["max_gap"], res["end"] - last)
    print(json.dumps(res))


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd = argv[1]
    if cmd == "listen":
        cmd_listen(argv[2])
    elif cmd == "send":
        cmd_send(argv[2])
    elif cmd == "echo-server":
        cmd_echo_server(int(argv[2]))
    elif cmd == "flow":
        cmd_flow(argv[2], int(argv[3]), float(argv[4]), float(argv[5]) if len(argv) > 5 else 0.02)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
