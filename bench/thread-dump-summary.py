#!/usr/bin/env python3
"""Where the plugin-on server's request threads were in the thread dumps bench/run takes with --profile-samples.

    bench/thread-dump-summary.py bench/work/profiles-<run>/<scale>-<operation>   (the prefix of the dump files)

Each busy request thread (http-nio-*-exec-*) is counted once per dump, by what it is doing: queued for or holding
the audit ledger (AuditTrail.append: encoding and hashing its own event, or waiting for the ledger writer to commit
it), loading the patient's
sharing state (PatientStateLoader), or elsewhere (its first frame from the record, HAPI or Hibernate).
"""
import collections
import glob
import sys


def request_threads(text):
    return [block for block in text.split("\n\n") if '"http-nio-' in block and "-exec-" in block]


def frames_of(block):
    return [line.strip()[3:] for line in block.splitlines() if line.strip().startswith("at ")]


def activity(frames):
    idle = any("TaskQueue.take" in f or "LinkedBlockingQueue.take" in f for f in frames[:10])
    if idle:
        return None
    if any("AuditTrail.append" in f for f in frames):
        below = frames[:next(i for i, f in enumerate(frames) if "AuditTrail.append" in f)]
        if any("AuditGroupCommit.append" in f for f in below):
            return "audit: waiting for the ledger writer's commit"
        return "audit: building, encoding and hashing its own event"
    if any("AccessAlerts" in f for f in frames):
        return "access alerts"
    if any("PatientStateLoader" in f for f in frames):
        return "sharing policy: loading the patient's state"
    if any("SharedCareConsentService" in f or "ConsentInterceptor" in f for f in frames):
        return "sharing policy: deciding"
    first = next((f for f in frames if f.startswith(("uk.sharedcare", "ca.uhn", "org.hibernate"))), "?")
    return "other: " + first.split("(")[0]


def main(prefixes):
    for prefix in prefixes:
        counts = collections.Counter()
        files = sorted(glob.glob(prefix + "-*.txt"))
        for name in files:
            with open(name) as dump:
                for block in request_threads(dump.read()):
                    what = activity(frames_of(block))
                    if what:
                        counts[what] += 1
        total = sum(counts.values())
        print(f"{prefix.split('/')[-1]}: {total} busy request threads in {len(files)} dumps")
        for what, count in counts.most_common():
            print(f"  {count:4d}  {100.0 * count / max(total, 1):5.1f}%  {what}")


if __name__ == "__main__":
    main(sys.argv[1:])
