#!/usr/bin/python3
"""Kill test of the journal: the writer is SIGKILLed at 20 random moments and restarted each time;
at the end every record is present exactly once with the right payload, and every intermediate
file recovered. The file format is parsed independently here (header, magic, lengths, FNV-1a).

usage: kill_test.py JOURNAL_WRITER WORKDIR
"""
import os
import random
import signal
import struct
import subprocess
import sys
import time

WRITER, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
path = os.path.join(WORK, "journal.bin")
if os.path.exists(path):
    os.remove(path)
N = 20000
rng = random.Random(20261124)


def records(data, checksums=True):
    """(key, payload) of the complete records, and the offset where they end."""
    assert data[:8] == b"ATEJRNL1", "header"
    pos, out = 8, []
    while pos + 20 <= len(data):
        magic, klen, plen, chk = struct.unpack_from("<IIIQ", data, pos)
        end = pos + 20 + klen + plen
        if magic != 0xA7E5C0DE or end > len(data):
            break
        body = data[pos + 20:end]
        if checksums:
            h = 14695981039346656037
            for b in body:
                h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
            if h != chk:
                break
        out.append((body[:klen].decode(), body[klen:]))
        pos = end
    return out, pos


kills, torn, fails = 0, 0, []
for round_ in range(20):
    p = subprocess.Popen([WRITER, path, str(N)], stderr=subprocess.PIPE, text=True)
    time.sleep(rng.uniform(0.01, 0.12))
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
        kills += 1
    _, err = p.communicate()
    torn += "recovered" in err
    # after every kill: only complete records before any torn bytes, no key twice
    recs, end = records(open(path, "rb").read(), checksums=False)
    ks = [k for k, _ in recs]
    if len(ks) != len(set(ks)):
        fails.append(f"round {round_}: a key was written twice")
r = subprocess.run([WRITER, path, str(N)], capture_output=True, text=True, timeout=120)
if r.returncode != 0:
    print("FAIL final run:", r.stderr)
    sys.exit(1)
data = open(path, "rb").read()
recs, end = records(data)
keys = [k for k, _ in recs]
if end != len(data):
    fails.append(f"{len(data) - end} bytes after the last complete record")
if sorted(keys) != [f"cand-{i:05d}" for i in range(N)]:
    dup = len(keys) - len(set(keys))
    fails.append(f"{len(set(keys))} distinct keys of {N}, {dup} duplicates")
v = subprocess.run([WRITER, path, str(N), "verify"], capture_output=True, text=True)
if v.returncode != 0:
    fails.append("payload verification: " + v.stderr.strip())
for f in fails:
    print("FAIL", f)
print(f"kill_test: {kills} kills, {torn} torn tails recovered, {len(recs)} records, "
      f"{'OK' if not fails else 'FAILED'}")
if kills < 15:
    fails.append(f"only {kills} of 20 runs were killed: the test did not exercise recovery")
    print("FAIL", fails[-1])
sys.exit(1 if fails else 0)
