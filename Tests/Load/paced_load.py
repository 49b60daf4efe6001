#!/usr/bin/env python3
"""Open-loop (paced) HTTP/1.1 load on keep-alive connections, latency measured from the scheduled send time
(no coordinated omission). Loopback only.

usage: paced_load.py PORT PATH RATE SECONDS [CONNECTIONS]
"""
import socket, sys, threading, time

port, path, rate, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
conns = int(sys.argv[5]) if len(sys.argv) > 5 else 8
request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
latencies, errors, lock = [], [0], threading.Lock()

def read_response(sock, buf):
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk: raise IOError("closed")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, v = line.split(b":", 1)
        if k.strip().lower() == b"content-length": length = int(v)
    while len(rest) < length:
        rest += sock.recv(65536)
    if not head.startswith(b"HTTP/1.1 200"): raise IOError("status")
    return rest[length:]

def worker(index, start):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    interval = conns / rate
    n, buf, mine = 0, b"", []
    while True:
        scheduled = start + index * (interval / conns) + n * interval
        if scheduled - start > seconds: break
        now = time.perf_counter()
        if scheduled > now: time.sleep(scheduled - now)
        try:
            sock.sendall(request)
            buf = read_response(sock, buf)
            mine.append(time.perf_counter() - scheduled)
        except Exception:
            with lock: errors[0] += 1
            break
        n += 1
    with lock: latencies.extend(mine)

start = time.perf_counter() + 0.2
threads = [threading.Thread(target=worker, args=(i, start)) for i in range(conns)]
for t in threads: t.start()
for t in threads: t.join()
latencies.sort()
def pct(p): return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000
print(f"requests={len(latencies)} rate={len(latencies)/seconds:.0f}/s errors={errors[0]} "
      f"p50={pct(0.50):.2f}ms p90={pct(0.90):.2f}ms p99={pct(0.99):.2f}ms p99.9={pct(0.999):.2f}ms max={latencies[-1]*1000:.2f}ms")
