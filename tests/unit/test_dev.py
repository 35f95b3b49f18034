#!/usr/bin/python3
"""`./dev test` builds into build-test/, never into a running stack's build; `./dev`'s stop
steps stop a process left stopped by SIGSTOP.

After `./dev up`, $ZM_VAR/stack.env records the build the stack was started
from (ZM_BUILD) and every ./dev command reads it, so that the stack keeps
using its own binaries.  `./dev test` must not take that directory: rebuilding
it with sanitizers would swap the binaries under the running stack.

The test runs the real `dev` script in a scratch copy of the repository root
(just `dev` and a stub www/build.sh), with stub cmake and ctest on PATH that
record where they were asked to build and where they ran, and a stack.env
that points at another build directory holding a stack's file.  Nothing is
built or started.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEV = os.path.join(HERE, "..", "..", "dev")

# records its call; as cmake does, creates the build directory it is given with -B
STUB = """#!/bin/sh
printf '%s cwd=%s args=%s\\n' "$(basename "$0")" "$(pwd)" "$*" >>"$ZM_STUB_LOG"
while [ $# -gt 0 ]; do
    [ "$1" = -B ] && mkdir -p "$2"
    shift
done
"""


def main():
    tmp = tempfile.mkdtemp(prefix="zm_test_dev_")
    try:
        root = os.path.join(tmp, "root")
        os.makedirs(os.path.join(root, "www"))
        shutil.copy(DEV, os.path.join(root, "dev"))
        bindir = os.path.join(tmp, "bin")
        os.makedirs(bindir)
        for name, path in (("cmake", os.path.join(bindir, "cmake")), ("ctest", os.path.join(bindir, "ctest")),
                           ("build.sh", os.path.join(root, "www", "build.sh"))):
            with open(path, "w") as f:
                f.write(STUB)
            os.chmod(path, 0o755)

        # a stack started from another build, as `ZM_BUILD=... ./dev up` leaves it
        var = os.path.join(tmp, "var")
        stack_build = os.path.join(tmp, "stack-build")
        os.makedirs(var)
        os.makedirs(os.path.join(stack_build, "teststack"))
        keep = os.path.join(stack_build, "teststack", "keep")
        open(keep, "w").close()
        with open(os.path.join(var, "stack.env"), "w") as f:
            f.write("ZM_VAR=%s\nZM_BUILD=%s\nZM_ROOT=%s\n" % (var, stack_build, root))

        log = os.path.join(tmp, "stub.log")
        env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"], ZM_VAR=var, ZM_NO_INSTALL="1",
                   ZM_STUB_LOG=log)
        for k in ("ZM_BUILD", "ZM_BUILD_TYPE", "ZM_SANITIZE"):
            env.pop(k, None)
        out = subprocess.run([os.path.join(root, "dev"), "test", "-R", "x"], env=env, capture_output=True,
                             text=True)
        assert out.returncode == 0, "./dev test failed: %s%s" % (out.stdout, out.stderr)
        with open(log) as f:
            calls = f.read().splitlines()
        want = os.path.join(root, "build-test")
        configure = [c for c in calls if c.startswith("cmake ") and " -B " in c]
        assert configure, "cmake was not configured: %r" % calls
        for c in configure:
            assert " -B %s " % want in c, "./dev test configured %r, not %s" % (c, want)
        ctest = [c for c in calls if c.startswith("ctest ")]
        assert ctest == ["ctest cwd=%s args=--output-on-failure -j1 -R x" % want], \
            "ctest ran as %r, not in %s" % (ctest, want)
        assert os.path.exists(keep), "./dev test removed %s (the stack's build directory)" % keep
        assert sorted(os.listdir(stack_build)) == ["teststack"], os.listdir(stack_build)

        # and the stack itself still resolves to the build it was started from
        out = subprocess.run([os.path.join(root, "dev"), "build"], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        with open(log) as f:
            last = [c for c in f.read().splitlines() if c.startswith("cmake ") and " -B " in c][-1]
        assert " -B %s " % stack_build in last, "./dev build configured %r, not the stack's build" % last

        # builds configure through CMakePresets.json: ./dev test the test preset, ./dev build release;
        # ZM_BUILD_TYPE and ZM_SANITIZE still override what the preset says
        def configured(cmd, **extra):
            open(log, "w").close()
            out = subprocess.run([os.path.join(root, "dev")] + cmd, env=dict(env, **extra), capture_output=True,
                                 text=True)
            assert out.returncode == 0, out.stderr
            with open(log) as f:
                calls = [c for c in f.read().splitlines() if c.startswith("cmake ") and " -B " in c]
            assert len(calls) == 1, calls
            return calls[0] + " "

        c = configured(["test", "-R", "x"])
        assert "=--preset test " in c and "ZM_SANITIZE" not in c and "CMAKE_BUILD_TYPE" not in c, c
        c = configured(["test", "-R", "x"], ZM_SANITIZE="", ZM_BUILD_TYPE="Debug")
        assert " -DZM_SANITIZE=OFF " in c and " -DCMAKE_BUILD_TYPE=Debug " in c, c
        c = configured(["build"])
        assert "=--preset release " in c and "ZM_SANITIZE" not in c, c
        c = configured(["build"], ZM_SANITIZE="1")
        assert "=--preset release " in c and " -DZM_SANITIZE=ON " in c, c

        # a stack process left stopped (SIGSTOP, by a test cut short) still stops: the stop step continues it.
        # Its parent is a shell that reaps it (a zombie child of ours would look alive to the pid check).
        sh = subprocess.Popen(["sh", "-c", "sleep 300 & echo $!; wait"], stdout=subprocess.PIPE, text=True)
        pid = int(sh.stdout.readline())
        try:
            os.makedirs(os.path.join(var, "run", "db"))
            with open(os.path.join(var, "run", "db", "mysqld.pid"), "w") as f:
                f.write("%d\n" % pid)
            os.kill(pid, signal.SIGSTOP)
            out = subprocess.run([os.path.join(root, "dev"), "db-stop"], env=env, capture_output=True, text=True,
                                 timeout=60)
            assert out.returncode == 0 and "mariadb: stopped" in out.stdout, out
            sh.wait(timeout=30)
        finally:
            if sh.poll() is None:
                os.kill(pid, signal.SIGKILL)
                sh.kill()
                sh.wait()
            sh.stdout.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    npm_fallback()
    print("2 passed, 0 failed")
    return 0


# npm ci fails loudly, npm install works: the real www/build.sh says so in one line
NPM_STUB = """#!/bin/sh
case "$1" in
ci) i=0; while [ $i -lt 40 ]; do echo "npm error code EUSAGE line $i" >&2; i=$((i + 1)); done; exit 1 ;;
install) echo "npm warn deprecated something" >&2; mkdir -p node_modules/vite; echo {} >node_modules/vite/package.json ;;
run) [ -n "$ZM_NPM_BUILD_FAILS" ] && exit 1 ;;
esac
exit 0
"""


def npm_fallback():
    tmp = tempfile.mkdtemp(prefix="zm_test_dev_npm_")
    try:
        www = os.path.join(tmp, "www")
        os.makedirs(www)
        shutil.copy(os.path.join(HERE, "..", "..", "www", "build.sh"), www)
        with open(os.path.join(www, "package-lock.json"), "w") as f:
            f.write("{}\n")
        bindir = os.path.join(tmp, "bin")
        os.makedirs(bindir)
        with open(os.path.join(bindir, "npm"), "w") as f:
            f.write(NPM_STUB)
        os.chmod(os.path.join(bindir, "npm"), 0o755)
        env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"], TMPDIR=tmp)
        out = subprocess.run([os.path.join(www, "build.sh")], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out
        assert out.stderr.count("\n") == 1 and "npm install" in out.stderr, "not one line: %r" % out.stderr
        assert not [f for f in os.listdir(tmp) if f.startswith("zm-npm.")], "the npm log was left behind"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
