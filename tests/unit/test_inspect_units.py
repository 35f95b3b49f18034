"""conf/systemd/zhimai-inspect.{service,timer} and conf/cron.d/zhimai-inspect are valid (issue 16).

The units go through `systemd-analyze verify` (skipped, exit 77, where it is not installed), with ExecStart
pointed at this build's zhimai-inspect (verify checks the program exists); the cron entry is checked field
by field (five time fields in range, a user, the program with -c)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("ZM_INSPECT_BIN", "")


def check_cron():
    lines = [ln for ln in open(os.path.join(ROOT, "conf", "cron.d", "zhimai-inspect")).read().splitlines()
             if ln.strip() and not ln.startswith("#")]
    env = [ln for ln in lines if re.match(r"^[A-Z_]+=", ln)]
    jobs = [ln for ln in lines if ln not in env]
    assert len(jobs) == 1, jobs
    f = jobs[0].split()
    ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
    for field, (lo, hi) in zip(f[:5], ranges):
        if field != "*":
            assert field.isdigit() and lo <= int(field) <= hi, (field, lo, hi)
    assert re.match(r"^[a-z_][a-z0-9_-]*$", f[5]), f[5]
    assert f[6].endswith("/zhimai-inspect") and "-c" in f[7:] and "--origin" in f[7:], f
    print("cron.d/zhimai-inspect: ok")


def check_units():
    if not shutil.which("systemd-analyze"):
        print("systemd-analyze not installed: units not verified")
        return 77
    assert BIN and os.access(BIN, os.X_OK), "ZM_INSPECT_BIN must name the built zhimai-inspect"
    with tempfile.TemporaryDirectory() as d:
        for name in ("zhimai-inspect.service", "zhimai-inspect.timer"):
            text = open(os.path.join(ROOT, "conf", "systemd", name)).read()
            text = text.replace("/usr/local/bin/zhimai-inspect", BIN)
            # the zhimai user need not exist where the tests run
            text = re.sub(r"^(User|Group)=.*$", "", text, flags=re.M)
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        p = subprocess.run(["systemd-analyze", "verify", "--man=no", os.path.join(d, "zhimai-inspect.service"),
                            os.path.join(d, "zhimai-inspect.timer")], capture_output=True, text=True, timeout=60)
        out = p.stdout + p.stderr
        # a container without systemd as PID 1 may say so; anything about our units is a failure
        bad = [ln for ln in out.splitlines() if "zhimai-inspect" in ln]
        assert p.returncode == 0 and not bad, "systemd-analyze verify:\n" + out
    print("systemd units: ok")
    return 0


if __name__ == "__main__":
    check_cron()
    sys.exit(check_units())
