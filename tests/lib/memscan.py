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
        # Sanitizer shadow maps span terabytes of untouched pages.
        if end - start > (1 << 30):
            continue
        pos = start
        while pos < end and not found:
            n = min(16 << 20, end - pos)
            try:
                mem.seek(pos)
                found = needle in mem.read(min(n + len(needle), end - pos))
            except (OSError, ValueError, OverflowError):
                pass
            pos += n
        if found:
            break
print("present" if found else "absent")
