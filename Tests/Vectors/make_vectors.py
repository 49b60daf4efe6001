#!/usr/bin/env python3
"""Independent implementation of gatelog's hashing (docs/FORMAT.md, sections 3, 4 and 6) that
writes the test vectors the Swift tests compare against, using only Python's hashlib and the
openssl command line tool.

    python3 Tests/Vectors/make_vectors.py           # (re)write hashing.json and checkpoint-note.txt
    python3 Tests/Vectors/make_vectors.py --check   # recompute and compare with the committed files

Definitions, from the specification (not from the Swift code):
    envelope        = "{" + the input's top-level members other than "request" and "response",
                      in input order, each as <JSON string key>:<value bytes exactly as received>,
                      joined by "," + "}"
    content         = '{"request":R,"response":S}' with the raw values R and S; an absent member is
                      left out ('{}' when both are absent)
    envelope_digest = SHA-256(envelope)              content_digest = SHA-256(content)
    leaf            = SHA-256(0x00 || envelope_digest || content_digest)           RFC 9162 leaf
    node(l, r)      = SHA-256(0x01 || l || r)                                       RFC 9162 node
    chain[-1]       = 32 zero bytes
    chain[i]        = SHA-256(0x02 || chain[i-1] || uint64be(i) || leaf[i])
    id_hash         = first 8 bytes of SHA-256(UTF-8 id), as a big-endian integer
Deterministic record i (accumulated vector), as input text:
    {"id":"rec-<i>","ts":"2026-01-01T00:00:00.000Z","region":"vector","n":<i>,"request":{"i":<i>}}
    so envelope = {"id":"rec-<i>","ts":"2026-01-01T00:00:00.000Z","region":"vector","n":<i>}
    and content = {"request":{"i":<i>}}       (<i> in decimal, no leading zeros)
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
H = lambda b: hashlib.sha256(b).digest()
ZERO = bytes(32)

FIXED_RECORDS = [
    # The example record of the README, with whitespace inside values and unknown fields: both
    # are kept byte for byte in the envelope.
    '{"id":"req_8f1c2b","ts":"2026-11-24T09:00:00.123Z","region":"eu-west-1","tenant":"acme","team":"support",'
    '"user":"zo\u00eb@acme.com","api_key_id":"key_123","kind":"chat","model":"openai-main/gpt-4o","provider":"openai",'
    '"route":{"rule_id":"lb-prod", "backend":"openai-eu","strategy":"latency","fallback":false,"attempts":1},'
    '"metadata":{"environment":"prod","feature":"countdown-bot","customer_id":"acme-42"},'
    '"request":{"messages":[{"role":"user","content":"How many days until launch?"}],"params":{"temperature":0.2}},'
    '"response":{"choices":[{"message":{"role":"assistant","content":"42 days."},"finish_reason":"stop"}]},'
    '"usage":{"input_tokens":123,"output_tokens":456},"cost_usd":0.00123,'
    '"latency_ms":{"total":812.4,"ttft":230.1,"itl":12.5},"status":200,"error":null,'
    '"trace":{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"},'
    '"guardrails":[{"name":"pii","action":"redact"}],"x_custom":{"a": [1, 2.50, "\\n"]}}',
    # A minimal record: required fields and a request, no response.
    '{"id":"req_2","ts":"2026-11-24T09:00:01+02:00","region":"eu-west-1","request":{"prompt":"hi"}}',
]

NOTE_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")  # RFC 8032 7.1 test 1
NOTE_KEY_NAME = "gatelog-vector"
NOTE_TIME = 1767225600000


def split_record(text):
    """Returns (envelope bytes, content bytes) of one JSON object, keeping raw member values."""
    decoder = json.JSONDecoder()
    s = text
    ws = " \t\r\n"
    i = 0
    while s[i] in ws:
        i += 1
    assert s[i] == "{"
    i += 1
    members = []
    while True:
        while s[i] in ws:
            i += 1
        if s[i] == "}":
            break
        key, i = decoder.raw_decode(s, i)
        while s[i] in ws:
            i += 1
        assert s[i] == ":"
        i += 1
        while s[i] in ws:
            i += 1
        _, end = decoder.raw_decode(s, i)
        members.append((key, s[i:end]))
        i = end
        while s[i] in ws:
            i += 1
        if s[i] == ",":
            i += 1
            continue
        assert s[i] == "}"
        break
    envelope = "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + v for k, v in members if k not in ("request", "response")) + "}"
    body = dict((k, v) for k, v in members if k in ("request", "response"))
    content = "{" + ",".join('"%s":%s' % (k, body[k]) for k in ("request", "response") if k in body) + "}"
    return envelope.encode(), content.encode()


def leaf(envelope, content):
    return H(b"\x00" + H(envelope) + H(content))


def node(left, right):
    return H(b"\x01" + left + right)


def chain(previous, position, leaf_hash):
    return H(b"\x02" + previous + position.to_bytes(8, "big") + leaf_hash)


def split_point(n):
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def mth(leaves):
    """RFC 9162 section 2.1.1 Merkle Tree Hash over leaf hashes."""
    if not leaves:
        return H(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    """RFC 9162 section 2.1.3.1 PATH(m, D[n])."""
    n = len(leaves)
    if n <= 1:
        return []
    k = split_point(n)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def verify_inclusion(leaf_hash, index, size, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def deterministic(i):
    envelope = ('{"id":"rec-%d","ts":"2026-01-01T00:00:00.000Z","region":"vector","n":%d}' % (i, i)).encode()
    content = ('{"request":{"i":%d}}' % i).encode()
    return envelope, content


def deterministic_input(i):
    return '{"id":"rec-%d","ts":"2026-01-01T00:00:00.000Z","region":"vector","n":%d,"request":{"i":%d}}' % (i, i, i)


def openssl(args, data):
    return subprocess.run(["openssl"] + args, input=data, capture_output=True, check=True).stdout


def ed25519_keys(seed, directory):
    """PEM files for a raw Ed25519 seed (RFC 8410 DER prefixes); returns (private path, public path, raw public key)."""
    priv_der = bytes.fromhex("302e020100300506032b657004220420") + seed
    priv = os.path.join(directory, "key.pem")
    with open(priv, "w") as f:
        f.write("-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n" % base64.b64encode(priv_der).decode())
    pub_der = openssl(["pkey", "-in", priv, "-pubout", "-outform", "DER"], b"")
    assert pub_der[:12] == bytes.fromhex("302a300506032b6570032100")
    pub = os.path.join(directory, "pub.pem")
    with open(pub, "w") as f:
        f.write("-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n" % base64.b64encode(pub_der).decode())
    return priv, pub, pub_der[12:]


def checkpoint_note(size, root, head):
    body = "gatelog/vector\n%d\n%s\nchain %s\ntime %d\n" % (size, base64.b64encode(root).decode(), base64.b64encode(head).decode(), NOTE_TIME)
    with tempfile.TemporaryDirectory() as d:
        priv, pub, raw_pub = ed25519_keys(NOTE_SEED, d)
        msg = os.path.join(d, "msg")
        with open(msg, "wb") as f:
            f.write(body.encode())
        signature = openssl(["pkeyutl", "-sign", "-rawin", "-inkey", priv, "-in", msg], b"")
        assert len(signature) == 64
        sig_file = os.path.join(d, "sig")
        with open(sig_file, "wb") as f:
            f.write(signature)
        verified = subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", pub, "-in", msg, "-sigfile", sig_file],
                                  capture_output=True)
        assert verified.returncode == 0, verified.stdout + verified.stderr
    key_hash = H(NOTE_KEY_NAME.encode() + b"\n\x01" + raw_pub)[:4]
    note = body + "\n" + "\u2014 %s %s\n" % (NOTE_KEY_NAME, base64.b64encode(key_hash + signature).decode())
    verifier_key = "%s+%s+%s" % (NOTE_KEY_NAME, key_hash.hex(), base64.b64encode(b"\x01" + raw_pub).decode())
    return note, verifier_key, raw_pub


def build():
    records = []
    previous = ZERO
    for position, text in enumerate(FIXED_RECORDS):
        envelope, content = split_record(text)
        record_id = json.loads(text)["id"]
        leaf_hash = leaf(envelope, content)
        previous = chain(previous, position, leaf_hash)
        records.append({
            "input": text,
            "envelope": envelope.decode(),
            "content": content.decode(),
            "envelope_digest": H(envelope).hex(),
            "content_digest": H(content).hex(),
            "leaf_hash": leaf_hash.hex(),
            "id_hash": H(record_id.encode())[:8].hex(),
            "position": position,
            "chain_hash": previous.hex(),
        })

    leaves = [leaf(*deterministic(i)) for i in range(8)]
    roots = [{"size": n, "root": mth(leaves[:n]).hex()} for n in range(0, 9)]
    inclusion = []
    for n in range(1, 9):
        root = mth(leaves[:n])
        for m in range(n):
            proof = path(m, leaves[:n])
            assert verify_inclusion(leaves[m], m, n, proof, root)
            inclusion.append({"size": n, "index": m, "path": [p.hex() for p in proof]})

    count = 10000
    all_leaves = []
    head = ZERO
    marks = {1, 2, 3, 1000, 1024, 4097, count}
    snapshots = []
    for i in range(count):
        envelope, content = deterministic(i)
        if i < 3:
            assert split_record(deterministic_input(i)) == (envelope, content)
        lh = leaf(envelope, content)
        all_leaves.append(lh)
        head = chain(head, i, lh)
        if i + 1 in marks:
            snapshots.append({"size": i + 1, "chain_head": head.hex(), "merkle_root": mth(all_leaves).hex()})

    note, verifier_key, raw_pub = checkpoint_note(count, mth(all_leaves), head)
    vectors = {
        "description": "gatelog format v1 hashing vectors, generated by make_vectors.py from the specification with hashlib; see docs/FORMAT.md",
        "records": records,
        "merkle": {
            "leaves_from": "deterministic records 0..7",
            "leaves": [l.hex() for l in leaves],
            "roots": roots,
            "inclusion": inclusion,
        },
        "accumulated": {
            "generator": 'record i = {"id":"rec-<i>","ts":"2026-01-01T00:00:00.000Z","region":"vector","n":<i>,"request":{"i":<i>}}; '
                         'envelope = {"id":"rec-<i>","ts":"2026-01-01T00:00:00.000Z","region":"vector","n":<i>}; content = {"request":{"i":<i>}}',
            "count": count,
            "chain_head": head.hex(),
            "merkle_root": mth(all_leaves).hex(),
            "snapshots": snapshots,
        },
        "checkpoint": {
            "seed": NOTE_SEED.hex(),
            "key_name": NOTE_KEY_NAME,
            "public_key": raw_pub.hex(),
            "verifier_key": verifier_key,
            "origin": "gatelog/vector",
            "tree_size": count,
            "time": NOTE_TIME,
            "note_file": "checkpoint-note.txt",
        },
    }
    return json.dumps(vectors, indent=2, ensure_ascii=False) + "\n", note


def main():
    text, note = build()
    targets = {os.path.join(HERE, "hashing.json"): text, os.path.join(HERE, "checkpoint-note.txt"): note}
    if "--check" in sys.argv[1:]:
        bad = [p for p, content in targets.items() if not os.path.exists(p) or open(p, encoding="utf-8").read() != content]
        for p in bad:
            print("differs from the specification: %s" % p, file=sys.stderr)
        sys.exit(1 if bad else 0)
    for p, content in targets.items():
        with open(p, "w", encoding="utf-8") as f:
            f.write(content)
        print("wrote %s" % p)


if __name__ == "__main__":
    main()
