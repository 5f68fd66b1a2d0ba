#!/usr/bin/env python3
"""memscan.py PID NEEDLE: print "present" if NEEDLE is in any readable
mapping of PID (read through /proc/PID/mem), else "absent"."""
import re, sys

pid, needle = sys.argv[1], sys.argv[2].encode()
found = False
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (r)", line)
        if not m or "[vvar]" in line or "[vsyscall]" in line:
            continue
        start, end = int(m.group(1), 16), int(m.group(2), 16)
        try:
            mem.seek(start)
            if needle in mem.read(end - start):
                found = True
                break
        except (OSError, ValueError, OverflowError):
            continue
print("present" if found else "absent")
