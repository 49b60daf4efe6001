#!/usr/bin/env python3
"""An independent verifier for gatelog compliance bundles, written from docs/FORMAT.md §12, §6,
§7 and §4 alone (Python 3 standard library only; Ed25519 per RFC 8032 §5.1.7, in pure Python).

    python3 verify_bundle.py BUNDLE KEYS

KEYS holds the store's verifier keys, one per line (`gatelog key list`). Prints one line per
problem and a summary; exit 0 when the bundle is valid, 1 when it is not, 2 on usage errors.
"""
import base64
import hashlib
import json
import sys

# --- Ed25519 verification (RFC 8032 §5.1), reference arithmetic -------------------------------
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    A = (y1 - x1) * (y2 - x2) % P
    B = (y1 + x1) * (y2 + x2) % P
    C = 2 * t1 * t2 * D % P
    Dd = 2 * z1 * z2 % P
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return (E * F % P, G * H % P, F * G % P, E * H % P)


def _mul(s, p):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q


def _equal(a, b):
    x1, y1, z1, _ = a
    x2, y2, z2, _ = b
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


G = (lambda y: (_recover_x(y, 0), y, 1, _recover_x(y, 0) * y % P))(4 * pow(5, P - 2, P) % P)


def ed25519_verify(public, message, signature):
    if len(public) != 32 or len(signature) != 64:
        return False
    A = _decompress(public)
    R = _decompress(signature[:32])
    if A is None or R is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % L
    return _equal(_mul(s, G), _add(R, _mul(h, A)))


# --- C2SP verifier keys and signed notes (FORMAT.md §6, §7) -----------------------------------
def parse_key(line):
    name, key_hash, b64 = line.strip().split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    if len(raw) != 33 or raw[0] != 1:
        raise ValueError("not an Ed25519 verifier key")
    expected = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if expected.hex() != key_hash.lower():
        raise ValueError("key hash does not match")
    return name, expected, raw[1:]


def signature_line(line):
    """A §6 signature line as (name, 68-byte blob), or None: "— ", a non-empty name without
    spaces, one space, canonical base64 (padded, unused bits zero) of the 4-byte key hash and the
    64-byte signature."""
    if not line.startswith("\u2014 "):
        return None
    parts = line[2:].split(" ")
    if len(parts) != 2 or not parts[0]:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except ValueError:
        return None
    # Canonical base64 only (as gatelog writes it): the same bytes have one spelling.
    if len(blob) != 68 or base64.b64encode(blob).decode() != parts[1]:
        return None
    return parts[0], blob


def note_is_signed(note, keys):
    """The checkpoint of a signed note if a pinned key signed it, False if none did, None if the
    note is malformed: every line after the blank line is a signature line (one or more, each
    ending in a newline), also the ones of keys not pinned."""
    body, sep, signatures = note.partition("\n\n")
    if not sep:
        return None
    body += "\n"
    lines = body.split("\n")[:-1]
    if len(lines) != 5 or not lines[3].startswith("chain ") or not lines[4].startswith("time "):
        return None
    size = lines[1]
    if not size or not set(size) <= set("0123456789") or (len(size) > 1 and size[0] == "0"):
        return None
    try:
        checkpoint = {"origin": lines[0], "size": int(size), "root": base64.b64decode(lines[2], validate=True)}
    except ValueError:
        return None
    sig_lines = signatures.split("\n")
    if sig_lines[-1] != "" or len(sig_lines) < 2:
        return None
    parsed = [signature_line(line) for line in sig_lines[:-1]]
    if any(p is None for p in parsed):
        return None
    for name, blob in parsed:
        for key_name, key_hash, public in keys:
            if key_name == name and blob[:4] == key_hash and ed25519_verify(public, body.encode(), blob[4:]):
                return checkpoint
    return False


HEX_DIGITS = frozenset("0123456789abcdef")


def digest_hex(text):
    """A 32-byte digest written as §12 writes every one: 64 lowercase hex digits; else None."""
    if not isinstance(text, str) or len(text) != 64 or not set(text) <= HEX_DIGITS:
        return None
    return bytes.fromhex(text)


# --- RFC 9162 §2.1.3.2 inclusion proofs (FORMAT.md §4) ----------------------------------------
def root_from_inclusion(leaf, index, size, path):
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


MEMBERS = {
    "gatelog-bundle": {"type", "version", "created", "exported_by", "filter", "content", "warnings"},
    "checkpoint": {"type", "region", "note", "keys"},
    "record": {"type", "region", "position", "envelope", "content", "content_digest", "inclusion_path"},
    "end": {"type", "records", "uncovered", "sha256"},
}


def _unique_members(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"member {key!r} appears twice")
        seen[key] = value
    return seen


def _digits_only(text):
    """JSON integers as §12 writes them: digits only, no sign, no leading zero."""
    if text.startswith("-") or (len(text) > 1 and text.startswith("0")):
        raise ValueError(f"integer {text} is not written as digits only")
    return int(text)


def parse_line(raw):
    """One line as an object with each member once, of its type's members only (§12)."""
    if b"\r" in raw:
        raise ValueError("a carriage return outside a string")
    obj = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_members, parse_int=_digits_only)
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    if next(iter(obj), None) != "type":
        raise ValueError("the first member is not type")
    extra = set(obj) - MEMBERS.get(obj.get("type"), set(obj))
    if extra:
        raise ValueError(f"member {sorted(extra)[0]!r} is not part of a {obj.get('type')} line")
    return obj


def is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def verify(bundle_bytes, keys):
    problems = []
    lines = bundle_bytes.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    else:
        problems.append("the last line has no newline: cut short")
    running = hashlib.sha256()
    checkpoints, seen, records, ended, content_included = {}, {}, 0, False, False
    for number, raw in enumerate(lines, 1):
        try:
            obj = parse_line(raw)
        except ValueError as error:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
            if number == 1:
                return [f"line 1: {error}"], {}, 0
            problems.append(f"line {number}: {error}")
            running.update(raw + b"\n")
            continue
        kind = obj.get("type")
        if number == 1:
            if kind != "gatelog-bundle" or not is_count(obj.get("version")) or obj.get("version") != 1:
                return ["not a version-1 gatelog bundle"], {}, 0
            if not isinstance(obj.get("content"), bool):
                return ["line 1: content must be true or false"], {}, 0
            content_included = obj["content"]
        elif ended:
            problems.append(f"line {number}: data after the end line")
            break
        elif kind == "checkpoint":
            region = obj["region"]
            cp = note_is_signed(obj["note"], keys)
            if not cp or cp["origin"] != "gatelog/" + region or region in checkpoints:
                problems.append(f"line {number}: checkpoint of {region} is not validly signed by a pinned key")
            else:
                checkpoints[region] = cp
        elif kind == "record":
            records += 1
            region, position = obj.get("region"), obj.get("position")
            if not isinstance(region, str) or not is_count(position) or not isinstance(obj.get("envelope"), str) \
                    or not isinstance(obj.get("inclusion_path"), list) or (("content" in obj) == ("content_digest" in obj)) \
                    or ("content" in obj) != content_included:
                problems.append(f"line {number}: malformed record line")
                running.update(raw + b"\n")
                continue
            cp = checkpoints.get(region)
            envelope_digest = hashlib.sha256(obj["envelope"].encode("utf-8")).digest()
            if "content" in obj:
                content_digest = hashlib.sha256(obj["content"].encode("utf-8")).digest() if isinstance(obj["content"], str) else None
            else:
                content_digest = digest_hex(obj["content_digest"])
            path = [digest_hex(h) for h in obj["inclusion_path"]]
            if content_digest is None or None in path:
                problems.append(f"line {number}: malformed record line (digests are 64 lowercase hex digits)")
                running.update(raw + b"\n")
                continue
            leaf = hashlib.sha256(b"\x00" + envelope_digest + content_digest).digest()
            if cp is None or root_from_inclusion(leaf, position, cp["size"], path) != cp["root"]:
                problems.append(f"line {number}: record {region}/{position} is not proven by its checkpoint")
            elif position in seen.setdefault(region, set()):
                problems.append(f"line {number}: position {region}/{position} appears twice")
            else:
                seen[region].add(position)
        elif kind == "end":
            ended = True
            if obj.get("sha256") != running.hexdigest():
                problems.append(f"line {number}: sha256 of the bundle does not match")
            if not is_count(obj.get("records")) or obj.get("records") != records:
                problems.append(f"line {number}: end line counts {obj.get('records')} records, found {records}")
            continue
        else:
            problems.append(f"line {number}: unknown line type {kind!r}")
        running.update(raw + b"\n")
    if not ended:
        problems.append("no end line: cut short")
    return problems, {r: (len(seen.get(r, ())), cp["size"]) for r, cp in checkpoints.items()}, records


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as f:
        keys = [parse_key(line) for line in f if line.strip()]
    with open(argv[1], "rb") as f:
        problems, regions, records = verify(f.read(), keys)
    for p in problems:
        print("PROBLEM", p)
    for region, (count, size) in sorted(regions.items()):
        print(f"{region}: {count} records proven against checkpoint size {size}" + (" (complete)" if count == size else ""))
    print(("VALID" if not problems else "INVALID") + f": {records} records")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
