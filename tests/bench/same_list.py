"""Fail unless zhimai and Django answered GET /api/resumes with 200 and the same list.

    same_list.py DIR    (DIR/{zhimai,django}.{json,status}, written by run.sh)
"""
import json
import sys
from datetime import datetime


def load(d, name):
    status = open("%s/%s.status" % (d, name)).read().strip()
    body = open("%s/%s.json" % (d, name), encoding="utf-8").read()
    if status != "200":
        sys.exit("bench: %s answered GET /api/resumes with %s: %s" % (name, status, body[:500]))
    data = json.loads(body)["data"]
    # DRF leaves out a zero microsecond part: compare the instants
    for it in data["items"]:
        for k in ("created_at", "updated_at"):
            it[k] = datetime.fromisoformat(it[k].replace("Z", "+00:00"))
    return data


def main():
    d = sys.argv[1]
    z, dj = load(d, "zhimai"), load(d, "django")
    if len(z["items"]) != 10:
        sys.exit("bench: expected 10 resumes from zhimai, got %d" % len(z["items"]))
    if z != dj:
        sys.exit("bench: Django's list differs from zhimai's\nzhimai: %r\ndjango: %r" % (z, dj))
    print("bench: zhimai and Django answer the same %d resumes" % len(z["items"]))


main()
