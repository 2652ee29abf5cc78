#!/usr/bin/env python3
"""Edge client for the lab's UDP tests.

  lab_udp.py tcp VIP PORT                          connects, prints "tcp NAME" from the stand-in's greeting
  lab_udp.py udp VIP PORT SPORT COUNT INTERVAL_MS  sends COUNT datagrams from source port SPORT, one every
                                                   INTERVAL_MS, each waiting up to 2 s for its reply; prints
                                                   "reply SEQ NAME" or "lost SEQ", then "served=A,B lost=K"
"""
import socket
import sys
import time


def tcp(vip, port):
    with socket.create_connection((vip, port), timeout=10) as s:
        greeting = s.makefile().readline().strip()
    print(f"tcp {greeting.split(':')[0]}", flush=True)


def udp(vip, port, sport, count, interval_ms):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", sport))
    s.connect((vip, port))
    served, lost = [], 0
    for seq in range(count):
        payload = f"seq {seq}".encode()
        s.send(payload)
        deadline = time.monotonic() + 2
        name = None
        while name is None and time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = s.recv(2048)
            except socket.timeout:
                break
            except ConnectionRefusedError:
                # ICMP port unreachable from the VIP: the proxy has no server for us; try the next datagram.
                break
            fields = data.split(b":", 2)
            if len(fields) == 3 and fields[2] == payload:
                name = fields[0].decode()
        if name is None:
            lost += 1
            print(f"lost {seq}", flush=True)
        else:
            if name not in served:
                served.append(name)
            print(f"reply {seq} {name}", flush=True)
        time.sleep(interval_ms / 1000)
    print(f"served={','.join(served)} lost={lost}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "tcp":
        tcp(sys.argv[2], int(sys.argv[3]))
    else:
        udp(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
