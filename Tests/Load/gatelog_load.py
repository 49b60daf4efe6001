#!/usr/bin/env python3
"""Load client for a running `gatelog serve` on loopback (bounded in count and time).

  ingest: POST /v1/records with NDJSON batches from FILE over keep-alive connections.
      python3 Tests/Load/gatelog_load.py ingest PORT TOKEN FILE --batch 100 --connections 4 --seconds 20
  get:    paced GET /v1/records/{id} for ids taken from FILE, optionally with ingest running beside it.
      python3 Tests/Load/gatelog_load.py get PORT TOKEN FILE --rate 5000 --seconds 10 --connections 8 [--get-run R]
  single: paced single-record POSTs (one record per request).
      python3 Tests/Load/gatelog_load.py single PORT TOKEN FILE --rate 2000 --seconds 10 --connections 8
Prints throughput and latency percentiles (until the 200)."""
import argparse, http.client, json, threading, time

def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]

def load_lines(path, limit):
    out = []
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(line)
            if len(out) >= limit:
                break
    return out

def rewrite_id(line, new_id):
    # Generated records start with {"id":"…", — replace the value so every request is new.
    end = line.index(b'"', 7)
    return b'{"id":"' + new_id.encode() + line[end:]

def run_ingest(args, lines, stop_at, results, offset):
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    headers = {"Authorization": "Bearer " + args.token, "Content-Type": "application/x-ndjson"}
    i = offset
    while time.time() < stop_at:
        batch = []
        for _ in range(args.batch):
            batch.append(rewrite_id(lines[i % len(lines)], "load-%d-%d" % (args.run, i)))
            i += args.connections
        body = b"\n".join(batch) + b"\n"
        t = time.perf_counter()
        conn.request("POST", "/v1/records", body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        results["latency"].append(time.perf_counter() - t)
        if resp.status == 200:
            results["records"] += json.loads(data)["accepted"]
        else:
            results["errors"] += 1

def run_paced(args, make_request, stop_at, results, index):
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    per_conn = args.rate / args.connections
    start = time.perf_counter()
    k = 0
    while time.time() < stop_at:
        due = start + k / per_conn + index / args.rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        method, path, body, headers = make_request(index + k * args.connections)
        t = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        results["latency"].append(time.perf_counter() - t)
        if resp.status == 200:
            results["records"] += 1
        else:
            results["errors"] += 1
            results.setdefault("statuses", {}).setdefault(resp.status, 0)
            results["statuses"][resp.status] += 1
        k += 1

def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["ingest", "get", "single"])
    p.add_argument("port", type=int)
    p.add_argument("token")
    p.add_argument("file")
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--rate", type=float, default=1000)
    p.add_argument("--run", type=int, default=int(time.time()))
    p.add_argument("--ids", type=int, default=20000, help="records to read from FILE")
    p.add_argument("--get-run", type=int, help="get ids written by an earlier `ingest --run R` (load-R-N)")
    p.add_argument("--get-count", type=int, default=10000, help="with --get-run: ids 0..N-1")
    args = p.parse_args()
    lines = load_lines(args.file, args.ids)
    results = {"records": 0, "errors": 0, "latency": []}
    stop_at = time.time() + args.seconds
    auth = {"Authorization": "Bearer " + args.token}
    threads = []
    for c in range(args.connections):
        if args.mode == "ingest":
            target = lambda c=c: run_ingest(args, lines, stop_at, results, c)
        elif args.mode == "get":
            ids = (["load-%d-%d" % (args.get_run, n) for n in range(args.get_count)] if args.get_run is not None
                   else [json.loads(l)["id"] for l in lines])
            target = lambda c=c, ids=ids: run_paced(args, lambda n: ("GET", "/v1/records/" + ids[n % len(ids)], None, auth),
                                                    stop_at, results, c)
        else:
            hdr = dict(auth, **{"Content-Type": "application/json"})
            target = lambda c=c: run_paced(args, lambda n: ("POST", "/v1/records",
                                                            rewrite_id(lines[n % len(lines)], "single-%d-%d" % (args.run, n)), hdr),
                                           stop_at, results, c)
        threads.append(threading.Thread(target=target))
    t0 = time.time()
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.time() - t0
    lat = results["latency"]
    unit = "records" if args.mode == "ingest" else "requests"
    print("%s: %d %s ok in %.1f s = %.0f/s, %d errors; latency p50 %.2f ms p99 %.2f ms max %.2f ms" % (
        args.mode, results["records"], unit, elapsed, results["records"] / elapsed, results["errors"],
        percentile(lat, 0.5) * 1000, percentile(lat, 0.99) * 1000, max(lat or [0]) * 1000))
    if results.get("statuses"):
        print("error statuses:", results["statuses"])

if __name__ == "__main__":
    main()
