#!/usr/bin/env python3
"""runwatch.py --rss FILE --wall FILE -- CMD [ARG...]

Runs CMD (stdin, stdout and stderr inherited) and exits with its status.
Writes its wall time in ms (spawn to exit, taken when waitpid returns: not
when a poller next looks) to --wall, and the peak RSS (KiB) of the agent,
the broker and the fetcher to --rss as "name kib" lines.

The agent's figure is exact (ru_maxrss of the child we wait for); the
broker's and the fetcher's are their VmHWM (a high-water mark, so only
growth in the last sampling interval could be missed), read from /proc
every 50 ms without forking: a shell loop of pgrep/sed costs ~200 forks a
second on a 2-core machine, competing with the run it measures.
"""
import os
import sys
import threading
import time


def children():
    """pid -> parent pid for every process we can see."""
    tree = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                s = f.read()
        except OSError:
            continue
        # comm may hold spaces and parentheses: the ppid follows the last ')'
        tree[int(d)] = int(s[s.rindex(")") + 2:].split()[1])
    return tree


def descendants(root):
    tree, out, todo = children(), [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(c for c, pp in tree.items() if pp == p)
    return out


def status(pid):
    name, hwm = None, None
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Name:"):
                    name = line.split()[1]
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return name, hwm


def main(argv):
    rss_out = wall_out = None
    while argv and argv[0] != "--":
        opt, val, argv = argv[0], argv[1], argv[2:]
        if opt == "--rss":
            rss_out = val
        elif opt == "--wall":
            wall_out = val
        else:
            sys.exit("runwatch: unknown option " + opt)
    cmd = argv[1:]
    if not cmd or not rss_out or not wall_out:
        sys.exit(__doc__)
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    peak, done = {}, {}

    def reap():
        _, st, ru = os.wait4(pid, 0)
        done["wall"] = (time.monotonic() - t0) * 1000
        done["status"], done["agent"] = st, ru.ru_maxrss

    waiter = threading.Thread(target=reap)
    waiter.start()
    known, scanned = [], 0.0
    while waiter.is_alive():
        # The process tree is set up once: scan all of /proc every 50 ms
        # until the fetcher is there, then once a second.
        now = time.monotonic()
        if "fetcher" not in peak or now - scanned > 1.0:
            known, scanned = descendants(pid)[1:], now
        for p in known:
            name, hwm = status(p)
            if hwm is None:
                continue
            # Below the agent, the broker shares the agent's name.
            role = "broker" if name == "portcullis" else "fetcher"
            peak[role] = max(peak.get(role, 0), hwm)
        waiter.join(0.05)
    peak["agent"] = done["agent"]
    with open(rss_out, "w") as f:
        for k in sorted(peak):
            f.write("%s %d\n" % (k, peak[k]))
    with open(wall_out, "w") as f:
        f.write("%d\n" % done["wall"])
    st = done["status"]
    sys.exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))


if __name__ == "__main__":
    main(sys.argv[1:])
