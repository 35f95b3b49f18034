#!/usr/bin/python3
"""Resumes, versions and files through nginx, black-box, from the HTTP contract:
uploads (multipart built by hand), content sniffing, name sanitizing, the size
cap (app and nginx), downloads with RFC 5987 file names, deletes that clean up
rows and stored files, cross-user isolation (always 404), text extraction of
real PDF/DOCX/TXT files, and the Django-compatible schema; control and
bidi characters kept out of names, parallel double deletes, the per-user
limits (zhimai-fcgi restarted with ZM_RESUMES_* overrides) and a full disk
(a small tmpfs mounted as storage.local_dir: needs root, skipped with a
message where mount is impossible).

Needs a running stack (./dev up with ZM_TEST_STACK=1 and ZM_VAR):

    ZM_VAR=/tmp/restest /usr/bin/python3 tests/api/test_resumes.py [test_name ...]

Every test makes its own users (register + login through the API, unique
emails, a fresh client address per call: the auth endpoints limit 20/min per IP),
so the file can be run again at once.  Every fixture file is built here, in
memory (a hand-written PDF 1.4, a DOCX made with zipfile, ...); copies of the
main ones are in tests/data/files/upload/ for manual tries.

"Leaves nothing behind" is checked as: the user's rows in api_resume,
api_resumeversion, zm_resume_file and every path under the user's storage
directory (<storage.local_dir>/resumes/<uid>/) are the same before and after.
"""
import contextlib
import errno
import hashlib
import io
import os
import random
import re
import struct
import subprocess
import time
import urllib.parse
import uuid
import zipfile
import zlib

import zmtest
from zmtest import (ISO_RE, RUN, UUID_RE, burst, data_of, expect_404, expect_error, expect_field, multipart,
                    new_user, raw, request, sql, sql_str, upload)

BUILD = zmtest.ENV["ZM_BUILD"]
CONF = zmtest.ENV["ZM_CONF"]
ROOT = zmtest.ROOT
MiB = 1024 * 1024
CAP = 10 * MiB  # 10485760: the largest accepted file

MIME_PDF = "application/pdf"
MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIME_TXT = "text/plain; charset=utf-8"
MIME_MD = "text/markdown; charset=utf-8"
MIMES = {MIME_PDF, MIME_DOCX, MIME_TXT, MIME_MD}

HEX32_RE = re.compile(r"^[0-9a-f]{32}$")
RESUME_KEYS = ("id", "name", "user_id", "created_at", "updated_at", "version_count")
VERSION_KEYS = ("id", "resume_id", "file_name", "original_name", "file_size", "file_type", "comment", "created_at",
                "download_url", "text_status", "text_error", "text_chars")

PDF_PHRASE = "Zhimai Resume Test 2026 Python Engineer"
DOCX_ZH = "张三 高级后端工程师"
DOCX_EN = "Skills: C, MySQL, Linux"

# ---- fixtures, built by hand ------------------------------------------------------------


def make_pdf(lines=(PDF_PHRASE,)):
    """A minimal valid PDF 1.4: one page, Helvetica text lines, a correct xref table."""
    ops = [b"BT", b"/F1 18 Tf", b"72 720 Td", b"22 TL"]
    for ln in lines:
        esc = ln.encode("ascii").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        ops.append(b"(" + esc + b") Tj T*")
    ops.append(b"ET")
    content = b"\n".join(ops)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % (len(objs) + 1) + b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def garbage_pdf():
    """%PDF- header and %%EOF trailer around random bytes: sniffed as PDF, cannot be parsed."""
    rnd = random.Random(2026)
    return b"%PDF-1.7\n" + bytes(rnd.randrange(256) for _ in range(4096)) + b"\n%%EOF\n"


def _zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(name, data)
    return buf.getvalue()


CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>')


def make_docx():
    """A DOCX as Word writes it, reduced: a Chinese paragraph and an English one (split over two runs)."""
    doc = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        '<w:p><w:r><w:t>' + DOCX_ZH + '</w:t></w:r></w:p>'
        '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Skills: C, My</w:t></w:r>'
        '<w:r><w:t>SQL, Linux</w:t></w:r></w:p>'
        '<w:sectPr/></w:body></w:document>')
    return _zip([("[Content_Types].xml", CONTENT_TYPES_XML), ("_rels/.rels", RELS_XML),
                 ("word/document.xml", doc.encode("utf-8"))])


def make_xlsx_like():
    """A zip with [Content_Types].xml but a spreadsheet inside: not a DOCX."""
    ct = CONTENT_TYPES_XML.replace("/word/document.xml", "/xl/workbook.xml")
    return _zip([("[Content_Types].xml", ct), ("_rels/.rels", RELS_XML.replace("word/document.xml", "xl/workbook.xml")),
                 ("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')])


def make_png():
    def chunk(typ, data):
        return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data) & 0xffffffff)
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def elf_bytes():
    with open("/bin/true", "rb") as f:
        data = f.read()
    assert data[:4] == b"\x7fELF", "/bin/true is not an ELF file?"
    return data


OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1528
ZH_TEXT = "张三\n高级后端工程师，十年 C 与 MySQL 经验。\n邮箱：zhangsan@example.com\n"


def text_file(tag=""):
    """A small unique UTF-8 text file."""
    return ("简历 %s %s\n" % (tag, uuid.uuid4().hex) + ZH_TEXT).encode("utf-8")


def text_of_size(n, tag=""):
    """A unique UTF-8 text file of exactly n bytes (n >= 40)."""
    head = ("简历 %s %s\n" % (tag, uuid.uuid4().hex)).encode("utf-8")[:n - 1]
    return head + b"x" * (n - len(head) - 1) + b"\n"


def invisible(ch):
    """Characters that must never reach a shown name: C0/C1 controls, bidi embeddings, overrides, isolates
    and marks, zero-width characters, soft hyphen, line/paragraph separators, BOM, tags."""
    cp = ord(ch)
    return (cp < 0x20 or 0x7f <= cp <= 0x9f or cp in (0xad, 0x61c, 0x180e, 0xfeff) or 0x200b <= cp <= 0x200f
            or 0x2028 <= cp <= 0x202e or 0x2060 <= cp <= 0x206f or 0xfff9 <= cp <= 0xfffb
            or 0xe0000 <= cp <= 0xe007f)


def visible(s, multiline=False):
    """s as the server keeps a name (one line: line breaks and tabs as spaces, trimmed) or a comment
    (multiline: keeps \\n and \\t, drops CR): without invisible characters."""
    out = []
    for ch in s:
        if multiline and ch in "\n\t":
            out.append(ch)
        elif not multiline and ch in "\t\n\r\v\f":
            out.append(" ")
        elif not invisible(ch):
            out.append(ch)
    s = "".join(out)
    return s if multiline else s.strip(" ")


def assert_clean(text, what, multiline=False):
    bad = [hex(ord(c)) for c in text if invisible(c) and not (multiline and c in "\n\t")]
    assert not bad, "%s %r keeps control or invisible characters %s" % (what, text, bad)


def create(user, data=None, filename="resume.txt", what="create a resume", **kw):
    r = upload(user["access"], data if data is not None else text_file(), filename, **kw)
    res = data_of(r, 201, "%s (POST /api/resumes, file %r)" % (what, filename))
    check_resume(res, user, with_versions=True, what=what)
    return res


def add_version(user, rid, data=None, filename="v.txt", what="add a version", **kw):
    r = upload(user["access"], data if data is not None else text_file(), filename,
               path="/api/resumes/%s/versions" % rid, **kw)
    v = data_of(r, 201, "%s (POST /api/resumes/%s/versions)" % (what, rid))
    check_version(v, str(uuid.UUID(rid)), what)  # rid may be in the 32-hex form
    return v


def get_resume(user, rid, what="GET resume"):
    d = data_of(request("GET", "/api/resumes/" + rid, token=user["access"]), 200, what)
    check_resume(d, user, with_versions=True, what=what)
    return d


def check_version(v, rid=None, what="version"):
    assert isinstance(v, dict), "%s: not an object: %r" % (what, v)
    for k in VERSION_KEYS:
        assert k in v, "%s: version lacks %r: %r" % (what, k, v)
    assert isinstance(v["id"], str) and UUID_RE.match(v["id"]), "%s: version id not a dashed UUID: %r" % (what, v)
    assert isinstance(v["resume_id"], str) and UUID_RE.match(v["resume_id"]), \
        "%s: resume_id not a dashed UUID: %r" % (what, v)
    if rid is not None:
        assert v["resume_id"] == rid, "%s: resume_id %r, expected %r" % (what, v["resume_id"], rid)
    assert isinstance(v["file_name"], str) and v["file_name"], "%s: file_name %r" % (what, v)
    assert isinstance(v["original_name"], str), "%s: original_name %r" % (what, v)
    assert isinstance(v["file_size"], int) and v["file_size"] > 0, "%s: file_size %r" % (what, v)
    assert v["file_type"] in MIMES, "%s: file_type %r is none of %r" % (what, v["file_type"], MIMES)
    assert v["comment"] is None or isinstance(v["comment"], str), "%s: comment %r" % (what, v)
    assert isinstance(v["created_at"], str) and ISO_RE.match(v["created_at"]), "%s: created_at %r" % (what, v)
    assert v["download_url"] == "/api/files/" + v["id"], \
        "%s: download_url %r, expected /api/files/<version id>" % (what, v["download_url"])
    assert v["text_status"] in ("pending", "done", "failed"), "%s: text_status %r" % (what, v["text_status"])
    assert v["text_error"] is None or isinstance(v["text_error"], str), "%s: text_error %r" % (what, v)
    assert isinstance(v["text_chars"], int) and v["text_chars"] >= 0, "%s: text_chars %r" % (what, v)
    return v


def check_resume(r, user, with_versions, what="resume"):
    assert isinstance(r, dict), "%s: not an object: %r" % (what, r)
    for k in RESUME_KEYS:
        assert k in r, "%s: resume lacks %r: %r" % (what, k, r)
    assert isinstance(r["id"], str) and len(r["id"]) == 36 and UUID_RE.match(r["id"]), \
        "%s: id is not a lowercase dashed UUID: %r" % (what, r["id"])
    assert isinstance(r["name"], str), "%s: name %r" % (what, r)
    assert r["user_id"] == str(user["id"]), \
        "%s: user_id should be the string %r, got %r" % (what, str(user["id"]), r["user_id"])
    for k in ("created_at", "updated_at"):
        assert isinstance(r[k], str) and ISO_RE.match(r[k]), "%s: %s not ISO 8601: %r" % (what, k, r[k])
    assert isinstance(r["version_count"], int) and r["version_count"] >= 1, "%s: version_count %r" % (what, r)
    if with_versions:
        vs = r.get("versions")
        assert isinstance(vs, list), "%s: no versions list: %r" % (what, r)
        assert len(vs) == r["version_count"], \
            "%s: version_count %d but %d versions" % (what, r["version_count"], len(vs))
        for v in vs:
            check_version(v, r["id"], what + " version")
    return r


def hexid(dashed):
    return dashed.replace("-", "")


def wait_text(user, rid, version_id=None, timeout=20.0):
    """GET /api/resumes/{rid}/text until the status is not pending (and of version_id, when given)."""
    last = [None]

    def done():
        d = data_of(request("GET", "/api/resumes/%s/text" % rid, token=user["access"]), 200,
                    "GET /api/resumes/%s/text" % rid)
        last[0] = d
        if version_id is not None and d.get("version_id") != version_id:
            return None
        return d if d.get("status") in ("done", "failed") else None
    try:
        return zmtest.wait_for(done, timeout=timeout, step=0.2, what="text extraction")
    except AssertionError:
        raise AssertionError("text extraction of resume %s did not finish within %.0f s; last /text: %r" % (
            rid, timeout, last[0]))


# ---- storage and database views ---------------------------------------------------------

_root = []


def conf_get(key):
    out = subprocess.run([os.path.join(BUILD, "zhimai-fcgi"), "-c", CONF, "--get", key],
                         capture_output=True, text=True)
    return out.returncode, out.stdout.rstrip("\n"), out.stderr


def storage_root():
    """The local storage directory (storage.local_dir; relative to the repo root; default <state_dir>/files)."""
    if not _root:
        rc, v, err = conf_get("storage.local_dir")
        assert rc == 0, "zhimai-fcgi --get storage.local_dir failed: rc %d %r %r" % (rc, v, err)
        if not v:
            rc, sd, _ = conf_get("state_dir")
            v = os.path.join(sd if rc == 0 and sd else zmtest.VAR, "files")
        if not os.path.isabs(v):
            v = os.path.join(ROOT, v)
        _root.append(os.path.realpath(v))
    return _root[0]


def user_dir(uid):
    return os.path.join(storage_root(), "resumes", str(uid))


def paths_under(d):
    """Every file and directory under d (relative), hidden ones too."""
    found = []
    for base, dirs, files in os.walk(d):
        for n in dirs:
            found.append(os.path.relpath(os.path.join(base, n), d) + "/")
        for n in files:
            found.append(os.path.relpath(os.path.join(base, n), d))
    return sorted(found)


def files_under(d):
    return [p for p in paths_under(d) if not p.endswith("/")]


def snapshot(uid):
    """The user's rows and stored paths."""
    u = sql_str(str(uid))
    return {
        "api_resume": sql("SELECT id, name, updated_at FROM api_resume WHERE user_id = %s ORDER BY id" % u),
        "api_resumeversion": sql(
            "SELECT v.id, v.file_path, v.file_size FROM api_resumeversion v JOIN api_resume r ON r.id = v.resume_id "
            "WHERE r.user_id = %s ORDER BY v.id" % u),
        "zm_resume_file": sql("SELECT version_id FROM zm_resume_file WHERE user_id = %d ORDER BY version_id" % uid),
        "storage": paths_under(user_dir(uid)),
    }


def assert_unchanged(before, uid, what):
    after = snapshot(uid)
    for k in before:
        assert before[k] == after[k], "%s left something behind in %s:\n before %r\n after  %r" % (
            what, k, before[k], after[k])


def db_version(vid):
    rows = sql("SELECT v.file_path, v.file_name, v.file_size, v.file_type, IFNULL(v.comment, 'NULL'), v.resume_id, "
               "f.user_id, f.original_name, f.sha256, f.text_status FROM api_resumeversion v "
               "LEFT JOIN zm_resume_file f ON f.version_id = v.id WHERE v.id = %s" % sql_str(hexid(vid)))
    if not rows:
        return None
    return dict(zip(["file_path", "file_name", "file_size", "file_type", "comment", "resume_id", "user_id",
                     "original_name", "sha256", "text_status"], rows[0]))


def check_stored(user, res_id, v, data, what):
    """The version's rows and its file in storage hold exactly what was uploaded."""
    row = db_version(v["id"])
    assert row is not None, "%s: no api_resumeversion row for %s" % (what, v["id"])
    key = "resumes/%d/%s/%s/%s" % (user["id"], hexid(res_id), hexid(v["id"]), v["file_name"])
    assert row["file_path"] == key, "%s: file_path %r, expected the key %r" % (what, row["file_path"], key)
    assert row["file_name"] == v["file_name"], "%s: DB file_name %r vs API %r" % (what, row["file_name"], v)
    assert row["file_size"] == str(len(data)) and v["file_size"] == len(data), \
        "%s: file_size DB %s / API %r, uploaded %d bytes" % (what, row["file_size"], v["file_size"], len(data))
    # Django's column is varchar(50): the DOCX MIME type (71 characters) cannot be stored as it is
    assert row["file_type"] == v["file_type"] or (len(v["file_type"]) > 50 and 0 < len(row["file_type"]) <= 50), \
        "%s: DB file_type %r vs API %r" % (what, row["file_type"], v["file_type"])
    assert row["resume_id"] == hexid(res_id), "%s: DB resume_id %r" % (what, row["resume_id"])
    assert row["user_id"] == str(user["id"]), "%s: zm_resume_file.user_id %r, expected %d (row missing?)" % (
        what, row["user_id"], user["id"])
    assert row["sha256"] == hashlib.sha256(data).hexdigest(), "%s: zm_resume_file.sha256 %r is not the content's" % (
        what, row["sha256"])
    path = os.path.join(storage_root(), key)
    real = os.path.realpath(path)
    assert real.startswith(os.path.realpath(user_dir(user["id"])) + os.sep), \
        "%s: stored file %r is outside the user's directory" % (what, real)
    assert os.path.isfile(path), "%s: stored file %s does not exist (storage has %r)" % (
        what, path, files_under(user_dir(user["id"])))
    with open(path, "rb") as f:
        assert f.read() == data, "%s: stored file %s differs from the upload" % (what, path)
    return path


def parse_disposition(cd):
    """(ascii fallback, decoded UTF-8 name) of 'attachment; filename="…"; filename*=UTF-8''…'."""
    assert cd and cd.lower().startswith("attachment"), "Content-Disposition %r is not an attachment" % cd
    assert all(32 <= ord(c) < 127 for c in cd), "Content-Disposition has non-ASCII or control bytes: %r" % cd
    m = re.search(r'(?:^|;)\s*filename="((?:[^"\\]|\\.)*)"', cd)
    assert m, "Content-Disposition lacks an ASCII filename=\"…\" fallback: %r" % cd
    fallback = m.group(1)
    m = re.search(r"(?:^|;)\s*filename\*=UTF-8''([^;\s]+)", cd, re.I)
    assert m, "Content-Disposition lacks filename*=UTF-8''…: %r" % cd
    enc = m.group(1)
    assert re.match(r"^(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-Fa-f]{2})+$", enc), \
        "filename* is not RFC 5987 attr-chars / %%XX: %r" % enc
    return fallback, urllib.parse.unquote(enc, encoding="utf-8", errors="strict")


def download(user, v, data, what="download"):
    r = raw("GET", "/api/files/" + v["id"], token=user["access"])
    assert r.status == 200, "%s: GET /api/files/%s: expected 200, got %r" % (what, v["id"], r)
    assert r.body == data, "%s: downloaded %d bytes differ from the %d uploaded" % (what, len(r.body), len(data))
    ct = r.headers.get("Content-Type")
    assert ct == v["file_type"], "%s: Content-Type %r, expected the file_type %r" % (what, ct, v["file_type"])
    assert r.headers.get("X-Content-Type-Options") == "nosniff", "%s: no X-Content-Type-Options: nosniff on a " \
        "user's file: %r" % (what, dict(r.headers))
    cl = r.headers.get("Content-Length")
    assert cl is None or cl == str(len(data)), "%s: Content-Length %r for %d bytes" % (what, cl, len(data))
    fallback, name = parse_disposition(r.headers.get("Content-Disposition"))
    assert name == v["file_name"], "%s: filename* decodes to %r, expected the file_name %r" % (
        what, name, v["file_name"])
    return fallback, name


def wait_gone(path, timeout=10.0, what="file"):
    zmtest.wait_for(lambda: not os.path.exists(path), timeout=timeout, step=0.1,
                    what="%s %s to be removed from storage" % (what, path))


# ---- schema -----------------------------------------------------------------------------

def test_schema_is_djangos():
    cols = {(t, c): (ty, n) for t, c, ty, n in sql(
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('api_resume', 'api_resumeversion')")}
    want = {
        ("api_resume", "id"): "char(32)", ("api_resume", "name"): "varchar(255)",
        ("api_resume", "created_at"): "datetime(6)", ("api_resume", "updated_at"): "datetime(6)",
        ("api_resumeversion", "id"): "char(32)", ("api_resumeversion", "resume_id"): "char(32)",
        ("api_resumeversion", "created_at"): "datetime(6)", ("api_resumeversion", "file_name"): "varchar(255)",
    }
    for k, ty in want.items():
        assert k in cols, "column %s.%s is missing (have %r)" % (k[0], k[1], sorted(cols))
        assert cols[k][0] == ty, "%s.%s is %s, Django 3.2 on MySQL makes %s" % (k[0], k[1], cols[k][0], ty)
        assert cols[k][1] == "NO", "%s.%s is nullable" % k
    fks = sql("SELECT rc.DELETE_RULE, k.COLUMN_NAME, k.REFERENCED_COLUMN_NAME "
              "FROM information_schema.REFERENTIAL_CONSTRAINTS rc JOIN information_schema.KEY_COLUMN_USAGE k "
              "ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME "
              "AND k.TABLE_NAME = rc.TABLE_NAME "
              "WHERE rc.CONSTRAINT_SCHEMA = DATABASE() AND rc.TABLE_NAME = 'api_resumeversion' "
              "AND rc.REFERENCED_TABLE_NAME = 'api_resume'")
    assert fks == [["CASCADE", "resume_id", "id"]], \
        "api_resumeversion.resume_id should be one FK to api_resume.id ON DELETE CASCADE, got %r" % fks


def test_storage_default_is_under_state_dir():
    """The test stack sets no storage.local_dir: uploads belong to its state directory, not to the repo."""
    rc, sd, err = conf_get("state_dir")
    assert rc == 0 and sd, "zhimai-fcgi --get state_dir: rc %d %r" % (rc, err)
    sd = os.path.realpath(sd if os.path.isabs(sd) else os.path.join(ROOT, sd))
    want = os.path.join(sd, "files")
    assert storage_root() == want, \
        "storage.local_dir defaults to %s, expected <state_dir>/files = %s (a stack's uploads must stay in its " \
        "own state directory; other stacks use the same user ids)" % (storage_root(), want)


# ---- extraction (first: the worker is idle) -----------------------------------------------

def extracted(u, data, fname, ctype, mime, phrases):
    """Upload, check the stored file and its download, wait for the text: it is done and holds the phrases."""
    res = create(u, data, fname, ctype=ctype, what="upload %r" % fname)
    v = res["versions"][0]
    assert v["file_type"] == mime, "%s: file_type %r, expected %r" % (fname, v["file_type"], mime)
    check_stored(u, res["id"], v, data, "upload of " + fname)
    download(u, v, data, "download of " + fname)
    d = wait_text(u, res["id"], v["id"])
    for k in ("version_id", "status", "error", "text", "chars"):
        assert k in d, "/text lacks %r: %r" % (k, d)
    assert d["status"] == "done", "extraction of %s: status %r, error %r" % (fname, d["status"], d["error"])
    assert d["error"] is None, "a done extraction has error %r" % d["error"]
    assert isinstance(d["text"], str), "text %r" % d["text"]
    flat = " ".join(d["text"].split())
    for p in phrases:
        assert p in flat, "extracted text of %s lacks %r: %r" % (fname, p, d["text"])
    assert d["chars"] == len(d["text"]), "chars %r, but the text has %d characters" % (d["chars"], len(d["text"]))
    gv = get_resume(u, res["id"], "GET resume after extraction")["versions"][0]
    assert gv["text_status"] == "done" and gv["text_error"] is None and gv["text_chars"] == d["chars"], \
        "GET /api/resumes/%s does not show the finished extraction: %r" % (res["id"], gv)
    st = sql("SELECT text_status, text_chars FROM zm_resume_file WHERE version_id = %s" % sql_str(hexid(v["id"])))
    assert st == [["done", str(d["chars"])]], "zm_resume_file text_status/text_chars %r" % st
    return d


def test_extraction_pdf():
    extracted(new_user("expdf"), make_pdf(), "pdf-resume.pdf", "application/pdf", MIME_PDF, [PDF_PHRASE])


def test_extraction_docx():
    extracted(new_user("exdoc"), make_docx(), "docx-resume.docx", MIME_DOCX, MIME_DOCX, [DOCX_ZH, DOCX_EN])


def test_extraction_text_and_markdown():
    u = new_user("extxt")
    extracted(u, ZH_TEXT.encode("utf-8"), "简历.txt", "text/plain", MIME_TXT,
              ["张三", "高级后端工程师，十年 C 与 MySQL 经验。", "zhangsan@example.com"])
    extracted(u, "# 张三\n\n- Python 工程师\n- 上海\n".encode("utf-8"), "cv.md", "text/markdown", MIME_MD,
              ["张三", "Python 工程师"])


def test_extraction_of_garbage_pdf_fails():
    u = new_user("exbad")
    bad = garbage_pdf()
    rb = create(u, bad, "broken.pdf", ctype="application/pdf", what="upload a PDF that cannot be parsed")
    v = rb["versions"][0]
    assert v["file_type"] == MIME_PDF, "%%PDF- ... %%%%EOF is sniffed as PDF: file_type %r" % v["file_type"]
    check_stored(u, rb["id"], v, bad, "garbage PDF")
    d = wait_text(u, rb["id"], v["id"])
    assert d["status"] == "failed", "extraction of a garbage PDF: status %r (text %r)" % (d["status"], d["text"])
    assert isinstance(d["error"], str) and d["error"].strip(), "a failed extraction should say why: %r" % d
    assert not d["text"] and d["chars"] == 0, "a failed extraction has text: %r" % d
    gv = get_resume(u, rb["id"])["versions"][0]
    assert gv["text_status"] == "failed" and isinstance(gv["text_error"], str) and gv["text_error"], \
        "GET resume does not show the failed extraction: %r" % gv
    st = sql("SELECT text_status FROM zm_resume_file WHERE version_id = %s" % sql_str(hexid(v["id"])))
    assert st == [["failed"]], "zm_resume_file.text_status %r" % st
    download(u, v, bad, "download of the garbage PDF")


def test_text_follows_latest_version():
    u = new_user("txtv")
    res = create(u, make_pdf(), "v1.pdf")
    v1 = res["versions"][0]
    d = wait_text(u, res["id"], v1["id"])
    assert d["version_id"] == v1["id"] and d["status"] == "done", d
    v2 = add_version(u, res["id"], "# 第二版\n\n熟悉 Kubernetes\n".encode("utf-8"), "v2.md", comment="第二版")
    d = wait_text(u, res["id"], v2["id"])
    assert d["version_id"] == v2["id"], "/text should be the latest version's: %r" % d
    assert "熟悉 Kubernetes" in d["text"], "/text after adding a Markdown version: %r" % d
    r = raw("DELETE", "/api/files/" + v2["id"], token=u["access"])
    assert r.status == 204, "DELETE the latest version: %r" % r
    d = wait_text(u, res["id"], v1["id"])
    assert d["version_id"] == v1["id"] and PDF_PHRASE in " ".join(d["text"].split()), \
        "/text after deleting the latest version should be v1's again: %r" % d


# ---- uploads ----------------------------------------------------------------------------

def test_create_resume_with_chinese_name_roundtrip():
    u = new_user("zh")
    pdf = make_pdf()
    fname = "张三的简历（2026版）.pdf"
    before = int(sql("SELECT COUNT(*) FROM api_resume")[0][0])
    res = create(u, pdf, fname, ctype="application/pdf", comment="初版，投递字节跳动", what="upload a Chinese-named PDF")
    assert res["name"] == "张三的简历（2026版）", "name defaults to the file name without extension: %r" % res["name"]
    assert res["version_count"] == 1 and len(res["versions"]) == 1, res
    v = res["versions"][0]
    assert v["file_name"] == fname, "a harmless Chinese name should be kept as it is: %r" % v["file_name"]
    assert v["original_name"] == fname, "original_name %r, sent %r" % (v["original_name"], fname)
    assert v["file_type"] == MIME_PDF and v["file_size"] == len(pdf), v
    assert v["comment"] == "初版，投递字节跳动", "comment %r" % v["comment"]
    assert v["text_status"] in ("pending", "done"), v
    assert int(sql("SELECT COUNT(*) FROM api_resume")[0][0]) == before + 1
    rows = sql("SELECT id, name, user_id, created_at FROM api_resume WHERE id = %s" % sql_str(hexid(res["id"])))
    assert rows, "no api_resume row with id %s (the dashed id without dashes)" % hexid(res["id"])
    assert HEX32_RE.match(rows[0][0]) and rows[0][1] == res["name"] and rows[0][2] == str(u["id"]), rows
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$", rows[0][3]), "created_at %r" % rows[0][3]
    check_stored(u, res["id"], v, pdf, "Chinese-named PDF")
    assert db_version(v["id"])["original_name"] == fname
    fallback, name = download(u, v, pdf, "download of the Chinese-named PDF")
    assert name == fname
    assert fallback and '"' not in fallback and "/" not in fallback, "ASCII fallback %r" % fallback
    # names with spaces, ';' and quotes-free punctuation survive the header too
    g = get_resume(u, res["id"])
    assert g["id"] == res["id"] and g["name"] == res["name"] and g["versions"][0]["id"] == v["id"], g
    fname2 = "简历 final; v2 (1) 100%.txt"
    data2 = text_file("2")
    res2 = create(u, data2, fname2, name="备用简历")
    v2 = res2["versions"][0]
    assert res2["name"] == "备用简历" and v2["original_name"] == fname2, res2
    assert v2["comment"] is None, "no comment sent: comment should be null, got %r" % v2["comment"]
    check_stored(u, res2["id"], v2, data2, "second upload")
    download(u, v2, data2, "download of %r" % fname2)


def test_types_by_content_not_name():
    u = new_user("sniff")
    cases = [
        (make_pdf(), "resume.bin", "application/octet-stream", MIME_PDF),
        (make_docx(), "resume.zip", "application/zip", MIME_DOCX),
        (make_docx(), "简历.docx", "application/octet-stream", MIME_DOCX),
        ("这不是 PDF，只是文字。\n".encode("utf-8"), "notes.pdf", "application/pdf", MIME_TXT),
        (b"\xef\xbb\xbf" + ZH_TEXT.encode("utf-8"), "bom.txt", "text/plain", MIME_TXT),
        ("# 标题\n\n正文\n".encode("utf-8"), "readme.md", "application/octet-stream", MIME_MD),
        (b"plain ascii resume\r\nline two\r\n", "noext", None, MIME_TXT),
    ]
    failures = []
    for data, fname, ctype, mime in cases:
        try:
            res = create(u, data, fname, ctype=ctype, what="upload %r sent as %r" % (fname, ctype))
            v = res["versions"][0]
            assert v["file_type"] == mime, "%r (sent as %r): file_type %r, the content is %r" % (
                fname, ctype, v["file_type"], mime)
            download(u, v, data, "download of %r" % fname)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "%d of %d uploads went wrong:\n  %s" % (len(failures), len(cases), "\n  ".join(failures))


def test_refused_types_leave_nothing():
    u = new_user("refuse")
    keep = create(u, text_file("keep"), "keep.txt")  # the user has a resume; refusals must not touch it
    nul = "简历\n".encode("utf-8") + b"\x00\x00\x00binary\n"
    cases = [
        ("ELF named resume.pdf", elf_bytes(), "resume.pdf", "application/pdf"),
        ("ELF named resume.txt", elf_bytes(), "resume.txt", "text/plain"),
        ("PNG", make_png(), "photo.png", "image/png"),
        ("PNG named resume.pdf", make_png(), "resume.pdf", "application/pdf"),
        ("a zip that is not a DOCX", _zip([("hello.txt", "hi")]), "resume.docx", MIME_DOCX),
        ("an XLSX-like zip", make_xlsx_like(), "resume.docx", MIME_DOCX),
        ("a legacy OLE .doc", OLE_DOC, "resume.doc", "application/msword"),
        ("Latin-1 text", "Résumé: Müller, Zürich, Straße\n".encode("latin-1"), "cv.txt", "text/plain"),
        ("text with NUL bytes", nul, "cv.txt", "text/plain"),
        ("a PE executable", b"MZ\x90\x00\x03" + b"\x00" * 200 + b"PE\x00\x00", "cv.docx", MIME_DOCX),
    ]
    for what, data, fname, ctype in cases:
        before = snapshot(u["id"])
        r = upload(u["access"], data, fname, ctype=ctype, name="拒绝")
        assert r.status == 415, "%s: expected 415 unsupported_file_type, got %r" % (what, r)
        expect_error(r, 415, "unsupported_file_type")
        assert_unchanged(before, u["id"], "a refused upload (%s)" % what)
        before = snapshot(u["id"])
        r = upload(u["access"], data, fname, ctype=ctype, path="/api/resumes/%s/versions" % keep["id"])
        assert r.status == 415, "%s as a new version: expected 415 unsupported_file_type, got %r" % (what, r)
        expect_error(r, 415, "unsupported_file_type")
        assert_unchanged(before, u["id"], "a refused version upload (%s)" % what)
    g = get_resume(u, keep["id"])
    assert g["version_count"] == 1, "refused version uploads added versions: %r" % g


def test_upload_validation():
    u = new_user("valid")
    keep = create(u, text_file(), "keep.txt")
    before = snapshot(u["id"])
    tok = u["access"]

    def send(parts, path="/api/resumes"):
        body, ct = multipart(parts)
        return raw("POST", path, body, {"Content-Type": ct}, token=tok)

    expect_field(send([("name", "只有名字", None, None)]), "file", what="a form without a file part")
    expect_field(send([("upload", text_file(), "a.txt", "text/plain")]), "file", what="the file under another field")
    expect_field(send([("file", b"", "empty.txt", "text/plain")]), "file", what="an empty file")
    expect_field(send([("file", b"", "empty.txt", "text/plain")], "/api/resumes/%s/versions" % keep["id"]), "file",
                 what="an empty file as a version")
    expect_field(send([("file", text_file(), "a.txt", None), ("name", "长" * 256, None, None)]), "name",
                 what="a name of 256 characters")
    expect_field(send([("file", text_file(), "a.txt", None), ("name", "x" * 300, None, None)]), "name",
                 what="a name of 300 ASCII characters")
    expect_field(send([("file", text_file(), "a.txt", None), ("name", b"bad \xff\xfe name \xc3", None, None)]), "name",
                 what="a name that is not UTF-8")
    # not multipart at all
    for what, body, ct in (("a JSON body", b'{"name": "x", "file": "aGVsbG8="}', "application/json"),
                           ("a urlencoded form", b"name=x&file=hello", "application/x-www-form-urlencoded"),
                           ("raw text", text_file(), "text/plain")):
        r = raw("POST", "/api/resumes", body, {"Content-Type": ct}, token=tok)
        assert r.status == 415, "%s: expected 415 unsupported_media_type, got %r" % (what, r)
        expect_error(r, 415, "unsupported_media_type")
    r = raw("POST", "/api/resumes", text_file(), {}, token=tok)
    assert r.status == 415, "a body without Content-Type: expected 415 unsupported_media_type, got %r" % r
    expect_error(r, 415, "unsupported_media_type")
    assert_unchanged(before, u["id"], "refused uploads (validation)")
    # a name of exactly 255 characters is fine
    res = create(u, text_file(), "a.txt", name="简" * 255, what="a name of 255 characters")
    assert res["name"] == "简" * 255, "255-character name came back as %d characters" % len(res["name"])
    row = sql("SELECT CHAR_LENGTH(name) FROM api_resume WHERE id = %s" % sql_str(hexid(res["id"])))
    assert row == [["255"]], "stored name length %r" % row


def test_truncated_and_malformed_multipart():
    u = new_user("trunc")
    keep = create(u, text_file(), "keep.txt")
    tok = u["access"]
    data = make_docx() + b"\r\n" + b"x" * 5000
    body, ct = multipart([("file", data, "cv.docx", MIME_DOCX), ("name", "截断", None, None)])
    boundary = ct.split("boundary=", 1)[1].encode()
    close = body.rindex(b"\r\n--" + boundary + b"--")
    file_start = body.index(b"PK\x03\x04")
    cases = [
        ("cut before the closing boundary", body[:close], ct),
        ("ends with a delimiter but no closing '--'", body[:close] + b"\r\n--" + boundary, ct),
        ("cut in the middle of the file", body[:file_start + len(data) // 2], ct),
        ("cut inside the part headers", body[:body.index(b"filename=") + 5], ct),
        ("boundary in the header does not match the body", body, "multipart/form-data; boundary=nomatch" + RUN),
        ("no boundary parameter", body, "multipart/form-data"),
        ("an empty boundary", body, "multipart/form-data; boundary="),
    ]
    for path in ("/api/resumes", "/api/resumes/%s/versions" % keep["id"]):
        for what, b, ctype in cases:
            before = snapshot(u["id"])
            r = raw("POST", path, b, {"Content-Type": ctype}, token=tok)
            assert r.status == 400, "POST %s, %s (Content-Length %d): expected 400 invalid_multipart, got %r" % (
                path, what, len(b), r)
            expect_error(r, 400, "invalid_multipart")
            assert_unchanged(before, u["id"], "a malformed multipart body (%s)" % what)
    before = snapshot(u["id"])
    r = raw("POST", "/api/resumes", b"", {"Content-Type": ct}, token=tok)
    assert r.status == 400, "an empty multipart body: expected 400, got %r" % r
    expect_error(r, 400)
    assert r.json["error"]["code"] in ("invalid_multipart", "validation_error"), r.json
    assert_unchanged(before, u["id"], "an empty multipart body")
    assert get_resume(u, keep["id"])["version_count"] == 1


def test_path_traversal_and_unsafe_names():
    u = new_user("trav")
    cases = [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\win.ini.txt", "win.ini.txt"),
        ("/etc/cron.d/evil.txt", "evil.txt"),
        ("C:\\Users\\张三\\Desktop\\简历.txt", "简历.txt"),
        ("..", None),
        ("../", None),
        ("./.hidden.txt", None),
        ("bad\x01\x1b[31mname\x7f\t.txt", None),
        ("invoice\u202efdp.txt", None),
        ("简历\u202e\u2066txt.exe\u2069.txt", None),
    ]
    failures = []
    for sent, expected in cases:
        try:
            one_unsafe_name(u, sent, expected)
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "%d of %d unsafe names went wrong:\n  %s" % (len(failures), len(cases),
                                                                    "\n  ".join(failures))
    # nothing was written outside the user's directory
    outside = [p for p in files_under(storage_root()) if not p.startswith("resumes/")]
    assert not any("passwd" in p or "win.ini" in p or "evil" in p for p in outside), \
        "files outside resumes/ in storage: %r" % outside


def one_unsafe_name(u, sent, expected):
    data = text_file("trav")
    res = create(u, data, sent, name="路径测试", what="upload named %r" % sent)
    v = res["versions"][0]
    fn = v["file_name"]
    assert "/" not in fn and "\\" not in fn, "%r: file_name %r keeps a path separator" % (sent, fn)
    assert fn not in ("", ".", ".."), "%r: unsafe file_name %r" % (sent, fn)
    assert not any(ord(c) < 32 or ord(c) == 127 for c in fn), "%r: file_name %r keeps control characters" % (
        sent, fn)
    assert not any(c in fn for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), \
        "%r: file_name %r keeps bidirectional control characters (RLO spoofing)" % (sent, fn)
    if expected is not None:
        assert fn == expected, "%r: file_name %r, expected the last path component %r" % (sent, fn, expected)
    assert_clean(v["original_name"], "%r: original_name" % sent)
    if "\\" not in sent:  # a backslash may be read as a quoted-pair escape by a multipart parser
        assert v["original_name"] == visible(sent), \
            "%r: original_name %r should be what was sent, without invisible characters (%r)" % (
                sent, v["original_name"], visible(sent))
    check_stored(u, res["id"], v, data, "upload named %r" % sent)
    download(u, v, data, "download of the upload named %r" % sent)


# bidi overrides, isolates, marks, zero-width, C0/C1 controls: what makes "简历\u202etxt.exe" show as
# "简历exe.txt" or hides text in a list
SPOOF = "\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u200b\u200d\ufeff\x01\x1b\x7f\x85\x9b"


def test_control_and_bidi_characters_never_reach_names():
    u = new_user("bidi")
    tok = u["access"]
    name = "张三\u202e\u2066简历\u2069\x01\x1b[31m\u200b 终版\x7f\u0085"
    comment = "第一行\r\n\u202e第二行\x07\t缩进\u2067\n"
    fname = "cv\u202efdp\u200b\u2066.txt\u2069"
    data = text_file("bidi")
    res = create(u, data, fname, name=name, comment=comment, what="upload with bidi/control characters")
    v = res["versions"][0]
    assert res["name"] == visible(name) == "张三简历[31m 终版", "name %r, expected %r" % (res["name"], visible(name))
    assert v["comment"] == visible(comment, True) == "第一行\n第二行\t缩进\n", "comment %r" % v["comment"]
    assert v["file_name"] == "cvfdp.txt" and v["original_name"] == "cvfdp.txt", v
    rows = sql("SELECT name FROM api_resume WHERE id = %s" % sql_str(hexid(res["id"])))
    assert rows == [[res["name"]]], "DB name %r" % rows
    row = db_version(v["id"])
    assert row["original_name"] == "cvfdp.txt" and row["file_name"] == "cvfdp.txt", row
    assert_clean(row["comment"], "DB comment", multiline=True)
    fallback, shown = download(u, v, data, "download of the bidi-named upload")
    assert shown == "cvfdp.txt" and fallback == "cvfdp.txt", (fallback, shown)
    lst = data_of(request("GET", "/api/resumes", token=tok), 200, "list")
    assert [it["name"] for it in lst["items"]] == [res["name"]], lst
    # a name of nothing but invisible characters and spaces: the default (the file's name), not an empty one
    res2 = create(u, text_file("inv"), "报告\u202e.txt", name=" \u202e\u200b\u2066\x01 ")
    assert res2["name"] == "报告", "a name with nothing visible should fall back to the file's: %r" % res2["name"]
    # a version's comment and file name likewise
    v2 = add_version(u, res["id"], text_file("v2"), "二版\u2067.txt", comment="改\u202e动\x08", what="version")
    assert v2["comment"] == "改动" and v2["file_name"] == "二版.txt" and v2["original_name"] == "二版.txt", v2
    # PATCH: cleaned the same way; nothing visible left is refused and changes nothing
    p = data_of(request("PATCH", "/api/resumes/" + res["id"], {"name": "新\u202e名\u0007\u200f" + SPOOF},
                        token=tok), 200, "PATCH with bidi characters")
    assert p["name"] == "新名", "PATCH name %r" % p["name"]
    before = snapshot(u["id"])
    for bad in (SPOOF, " \u202e ", "\t\n"):
        expect_field(request("PATCH", "/api/resumes/" + res["id"], {"name": bad}, token=tok), "name",
                     what="PATCH with the name %r" % bad)
    assert_unchanged(before, u["id"], "a refused PATCH")
    assert get_resume(u, res["id"])["name"] == "新名"


def test_overlong_and_invalid_file_names():
    u = new_user("long")
    sent = "很" * 300 + ".txt"
    data = text_file("long")
    res = create(u, data, sent, name="长文件名", what="upload with a 300-character Chinese name")
    v = res["versions"][0]
    fn = v["file_name"]
    assert len(fn.encode("utf-8")) <= 200, "file_name is %d bytes, at most 200 allowed" % len(fn.encode("utf-8"))
    assert fn.startswith("很") and fn.endswith(".txt"), "file_name %r should be a cut of the name with .txt kept" % fn
    assert v["original_name"] == sent, "original_name should keep all %d characters: %d" % (
        len(sent), len(v["original_name"]))
    row = db_version(v["id"])
    assert row["file_name"] == fn and row["original_name"] == sent, "DB names %r" % row
    check_stored(u, res["id"], v, data, "300-character name")
    download(u, v, data, "download of the 300-character name")
    # the default name from such a file name: fits 255 characters, or is refused -- never a server error
    before = snapshot(u["id"])
    r = upload(u["access"], data, "长" * 300 + ".txt")
    assert r.status in (201, 400), "a 300-character file name without a name field: expected 201 or 400, got %r" % r
    if r.status == 201:
        d = data_of(r, 201)
        assert 1 <= len(d["name"]) <= 255, "default name of %d characters" % len(d["name"])
    else:
        expect_error(r, 400)
        assert_unchanged(before, u["id"], "a refused 300-character default name")
    # a file name that is not UTF-8 (Latin-1 from an old client): sanitized (invalid bytes replaced) and
    # accepted, or refused on purpose as fields.file -- not a database error passed on as a bare 400
    before = snapshot(u["id"])
    r = upload(u["access"], data, b"r\xe9sum\xe9 \xff.txt", name="latin1")
    assert r.status in (201, 400), "a non-UTF-8 file name: expected 201 or 400, got %r" % r
    if r.status == 201:
        d = data_of(r, 201)  # .json would raise on invalid UTF-8
        v = d["versions"][0]
        assert v["file_name"].endswith(".txt") and v["file_name"].startswith("r"), v
        download(u, v, data, "download of the non-UTF-8 name")
    else:
        expect_field(r, "file", what="a non-UTF-8 file name (refused: then as a validation error on file)")
        assert_unchanged(before, u["id"], "a refused non-UTF-8 file name")
    # an empty filename="" with content: a default file name, or refused as no file -- never a server error
    before = snapshot(u["id"])
    r = upload(u["access"], data, "", name="无名")
    assert r.status in (201, 400), "a file part with filename=\"\": expected 201 or 400, got %r" % r
    if r.status == 201:
        fn = data_of(r, 201)["versions"][0]["file_name"]
        assert fn and "/" not in fn and fn not in (".", ".."), "file_name for an empty filename: %r" % fn
    else:
        expect_field(r, "file", what="a file part with filename=\"\"")
        assert_unchanged(before, u["id"], "a refused empty filename")


def test_list_newest_first_and_pagination():
    u = new_user("list")
    tok = u["access"]
    empty = data_of(request("GET", "/api/resumes", token=tok), 200, "GET /api/resumes of a new user")
    for k in ("items", "total", "page", "page_size"):
        assert k in empty, "list lacks %r: %r" % (k, empty)
    assert empty["items"] == [] and empty["total"] == 0 and empty["page"] == 1, empty
    assert isinstance(empty["page_size"], int) and 1 <= empty["page_size"] <= 100, empty
    made = []
    for i in range(3):
        made.append(create(u, text_file(str(i)), "r%d.txt" % i, name="简历 %d" % i))
        time.sleep(0.01)
    add_version(u, made[0]["id"], comment="更新")
    d = data_of(request("GET", "/api/resumes", token=tok), 200, "GET /api/resumes")
    ids = [it["id"] for it in d["items"]]
    assert ids == [m["id"] for m in reversed(made)], "not newest first: %r, made %r" % (
        ids, [m["id"] for m in made])
    assert d["total"] == 3, d
    for it in d["items"]:
        check_resume(it, u, with_versions=False, what="list item")
        assert "versions" not in it, "list items carry no versions: %r" % it
    counts = {it["id"]: it["version_count"] for it in d["items"]}
    assert counts[made[0]["id"]] == 2 and counts[made[1]["id"]] == 1, "version_count in the list: %r" % counts
    assert {it["id"]: it["name"] for it in d["items"]}[made[2]["id"]] == "简历 2"
    # the list says what GET /api/resumes/{id} says, field for field and to the microsecond, also of
    # a name that needs escaping in JSON (the tab becomes a space and U+0001 goes: names are cleaned)
    odd_sent = 'a"b\\c/d\te\u0001 简历'
    odd = 'a"b\\c/d e 简历'
    data_of(request("PATCH", "/api/resumes/" + made[1]["id"], {"name": odd_sent}, token=tok), 200, "PATCH odd name")
    for it in data_of(request("GET", "/api/resumes", token=tok), 200, "GET /api/resumes")["items"]:
        one = get_resume(u, it["id"], "GET /api/resumes/" + it["id"])
        del one["versions"]
        assert it == one, "list item %r differs from GET /api/resumes/{id} %r" % (it, one)
        assert it["id"] != made[1]["id"] or it["name"] == odd, "odd name came back as %r" % it["name"]
    p1 = data_of(request("GET", "/api/resumes?page=1&page_size=2", token=tok), 200, "page 1 size 2")
    p2 = data_of(request("GET", "/api/resumes?page=2&page_size=2", token=tok), 200, "page 2 size 2")
    p3 = data_of(request("GET", "/api/resumes?page=3&page_size=2", token=tok), 200, "page 3 size 2")
    assert (p1["total"], p1["page"], p1["page_size"], len(p1["items"])) == (3, 1, 2, 2), p1
    assert (p2["total"], p2["page"], len(p2["items"])) == (3, 2, 1), p2
    assert p3["items"] == [] and p3["total"] == 3, p3
    assert [i["id"] for i in p1["items"] + p2["items"]] == ids, "pages do not add up to the list"
    ok = data_of(request("GET", "/api/resumes?page_size=100", token=tok), 200, "page_size 100")
    assert ok["page_size"] == 100 and len(ok["items"]) == 3, ok
    for q in ("page_size=0", "page_size=101", "page_size=abc", "page_size=-1"):
        r = request("GET", "/api/resumes?" + q, token=tok)
        assert r.status == 400, "GET /api/resumes?%s: expected 400, got %r" % (q, r)
        expect_error(r, 400)


def test_get_rename_versions():
    u = new_user("crud")
    tok = u["access"]
    d1 = text_file("v1")
    res = create(u, d1, "一版.txt", name="原名", comment="v1")
    rid = res["id"]
    for form in (rid, hexid(rid)):
        g = get_resume(u, form, "GET /api/resumes/%s" % form)
        assert g["id"] == rid and g["name"] == "原名", "GET by %r: %r" % (form, g)
    pdf, md = make_pdf(), "# 三版\n\n- Go\n".encode("utf-8")
    v2 = add_version(u, rid, pdf, "二版.pdf", comment="第二版", ctype="application/pdf")
    assert v2["file_type"] == MIME_PDF and v2["comment"] == "第二版" and v2["original_name"] == "二版.pdf", v2
    check_stored(u, rid, v2, pdf, "version 2")
    time.sleep(0.01)
    v3 = add_version(u, hexid(rid), md, "三版.md")
    assert v3["comment"] is None, "no comment sent, got %r" % v3["comment"]
    assert v3["resume_id"] == rid
    vids = [v3["id"], v2["id"], res["versions"][0]["id"]]
    assert len(set(vids)) == 3, vids
    g = get_resume(u, rid)
    assert g["version_count"] == 3 and [v["id"] for v in g["versions"]] == vids, \
        "versions newest first: %r, expected %r" % ([v["id"] for v in g["versions"]], vids)
    vs = data_of(request("GET", "/api/resumes/%s/versions" % rid, token=tok), 200, "GET versions")
    assert isinstance(vs, list) and [v["id"] for v in vs] == vids, "GET versions: %r" % vs
    for v in vs:
        check_version(v, rid, "GET versions item")
    download(u, v2, pdf, "download of version 2")
    download(u, v3, md, "download of version 3")
    download(u, res["versions"][0], d1, "download of version 1")
    # rename
    old = sql("SELECT updated_at FROM api_resume WHERE id = %s" % sql_str(hexid(rid)))[0][0]
    time.sleep(0.01)
    p = data_of(request("PATCH", "/api/resumes/" + rid, {"name": "新名字 · 后端"}, token=tok), 200, "PATCH name")
    check_resume(p, u, with_versions=False, what="PATCH response")
    assert p["id"] == rid and p["name"] == "新名字 · 后端", p
    row = sql("SELECT name, updated_at FROM api_resume WHERE id = %s" % sql_str(hexid(rid)))[0]
    assert row[0] == "新名字 · 后端", "DB name after PATCH: %r" % row
    assert row[1] > old, "updated_at not advanced by the rename: %r -> %r" % (old, row[1])
    assert get_resume(u, rid)["name"] == "新名字 · 后端"
    expect_field(request("PATCH", "/api/resumes/" + rid, {"name": "名" * 256}, token=tok), "name",
                 what="PATCH with a 256-character name")
    assert get_resume(u, rid)["name"] == "新名字 · 后端", "a refused rename changed the name"
    # malformed and unknown ids
    for bad in ("not-a-uuid", uuid.uuid4().hex, str(uuid.uuid4()), rid[:-1], rid + "0", "%27%20OR%20%271%27%3D%271",
                "0" * 32):
        expect_404(request("GET", "/api/resumes/" + bad, token=tok), "GET /api/resumes/%s" % bad)
        expect_404(request("GET", "/api/resumes/%s/versions" % bad, token=tok), "GET versions of %s" % bad)
        expect_404(request("GET", "/api/files/" + bad, token=tok), "GET /api/files/%s" % bad)
    expect_404(request("PATCH", "/api/resumes/" + str(uuid.uuid4()), {"name": "x"}, token=tok), "PATCH unknown")
    body, ct = multipart([("file", text_file(), "x.txt", None)])
    expect_404(raw("POST", "/api/resumes/%s/versions" % uuid.uuid4(), body, {"Content-Type": ct}, token=tok),
               "POST a version to an unknown resume")


def test_delete_file_and_last_version():
    u = new_user("delf")
    tok = u["access"]
    d1, d2, d3 = text_file("1"), make_pdf(), "# three\n".encode("utf-8")
    res = create(u, d1, "one.txt")
    rid = res["id"]
    v1 = res["versions"][0]
    v2 = add_version(u, rid, d2, "two.pdf")
    v3 = add_version(u, rid, d3, "three.md")
    p2 = check_stored(u, rid, v2, d2, "v2")
    p3 = check_stored(u, rid, v3, d3, "v3")
    r = raw("DELETE", "/api/files/" + v2["id"], token=tok)
    assert r.status == 204 and r.body == b"", "DELETE /api/files/<v2>: expected an empty 204, got %r" % r
    assert db_version(v2["id"]) is None, "api_resumeversion row of a deleted version remains"
    assert sql("SELECT COUNT(*) FROM zm_resume_file WHERE version_id = %s" % sql_str(hexid(v2["id"]))) == [["0"]]
    wait_gone(p2, what="deleted version's file")
    expect_404(raw("GET", "/api/files/" + v2["id"], token=tok), "download of a deleted version")
    expect_404(raw("DELETE", "/api/files/" + v2["id"], token=tok), "DELETE of a deleted version")
    g = get_resume(u, rid)
    assert [v["id"] for v in g["versions"]] == [v3["id"], v1["id"]] and g["version_count"] == 2, g
    r = raw("DELETE", "/api/files/" + hexid(v3["id"]), token=tok)
    assert r.status == 204, "DELETE /api/files/<v3 as 32 hex>: %r" % r
    wait_gone(p3, what="deleted version's file")
    before = snapshot(u["id"])
    r = raw("DELETE", "/api/files/" + v1["id"], token=tok)
    assert r.status == 409, "DELETE of the only version: expected 409 last_version, got %r" % r
    expect_error(r, 409, "last_version")
    assert_unchanged(before, u["id"], "a refused delete of the last version")
    download(u, v1, d1, "the last version after the refused delete")
    assert get_resume(u, rid)["version_count"] == 1


def test_delete_resume_removes_rows_and_files():
    u = new_user("delr")
    tok = u["access"]
    other_data = text_file("other")
    other = create(u, other_data, "other.txt")  # must survive
    res = create(u, make_pdf(), "删除我.pdf")
    rid = res["id"]
    vs = [res["versions"][0], add_version(u, rid, garbage_pdf(), "v2.pdf"), add_version(u, rid, text_file(), "v3.txt")]
    paths = [os.path.join(storage_root(), db_version(v["id"])["file_path"]) for v in vs]
    for p in paths:
        assert os.path.isfile(p), "stored file %s missing before the delete" % p
    wait_text(u, rid, vs[-1]["id"])  # extraction finished: a late task must not bring rows back either
    r = raw("DELETE", "/api/resumes/" + rid, token=tok)
    assert r.status == 204 and r.body == b"", "DELETE /api/resumes/%s: expected an empty 204, got %r" % (rid, r)
    h = sql_str(hexid(rid))
    assert sql("SELECT COUNT(*) FROM api_resume WHERE id = %s" % h) == [["0"]], "api_resume row remains"
    assert sql("SELECT COUNT(*) FROM api_resumeversion WHERE resume_id = %s" % h) == [["0"]], "version rows remain"
    ids = ",".join(sql_str(hexid(v["id"])) for v in vs)
    assert sql("SELECT COUNT(*) FROM zm_resume_file WHERE version_id IN (%s)" % ids) == [["0"]], \
        "zm_resume_file rows remain"
    for p in paths:
        wait_gone(p, what="file of a deleted resume")
    left = [p for p in files_under(os.path.join(user_dir(u["id"]), hexid(rid)))]
    assert left == [], "files remain under the deleted resume's directory: %r" % left
    expect_404(request("GET", "/api/resumes/" + rid, token=tok), "GET a deleted resume")
    expect_404(request("GET", "/api/resumes/%s/versions" % rid, token=tok), "versions of a deleted resume")
    expect_404(request("GET", "/api/resumes/%s/text" % rid, token=tok), "text of a deleted resume")
    expect_404(request("PATCH", "/api/resumes/" + rid, {"name": "x"}, token=tok), "PATCH a deleted resume")
    expect_404(raw("DELETE", "/api/resumes/" + rid, token=tok), "DELETE a deleted resume again")
    for v in vs:
        expect_404(raw("GET", "/api/files/" + v["id"], token=tok), "download from a deleted resume")
    lst = data_of(request("GET", "/api/resumes", token=tok), 200, "list after delete")
    assert [i["id"] for i in lst["items"]] == [other["id"]] and lst["total"] == 1, lst
    check_stored(u, other["id"], other["versions"][0], other_data, "the other resume")
    time.sleep(1.0)  # a late extraction or storage task must not resurrect anything
    assert sql("SELECT COUNT(*) FROM zm_resume_file WHERE version_id IN (%s)" % ids) == [["0"]], \
        "zm_resume_file rows came back after the delete"
    assert not any(os.path.exists(p) for p in paths), "stored files came back after the delete"


def test_cross_user_is_404_and_changes_nothing():
    a, b = new_user("ownA"), new_user("ownB")
    pdf = make_pdf()
    res = create(a, pdf, "甲的简历.pdf", name="甲")
    rid, v1 = res["id"], res["versions"][0]
    single = create(a, text_file("single"), "single.txt")  # one version: B must see 404, not 409
    wait_text(a, rid, v1["id"])
    before = snapshot(a["id"])
    tb = b["access"]
    body, ct = multipart([("file", text_file(), "x.txt", None), ("comment", "入侵", None, None)])
    for form in (rid, hexid(rid)):
        expect_404(request("GET", "/api/resumes/" + form, token=tb), "B GETs A's resume")
        expect_404(request("PATCH", "/api/resumes/" + form, {"name": "被改了"}, token=tb), "B renames A's resume")
        expect_404(request("GET", "/api/resumes/%s/versions" % form, token=tb), "B lists A's versions")
        expect_404(raw("POST", "/api/resumes/%s/versions" % form, body, {"Content-Type": ct}, token=tb),
                   "B adds a version to A's resume")
        expect_404(request("GET", "/api/resumes/%s/text" % form, token=tb), "B reads A's text")
        expect_404(raw("DELETE", "/api/resumes/" + form, token=tb), "B deletes A's resume")
    for form in (v1["id"], hexid(v1["id"])):
        expect_404(raw("GET", "/api/files/" + form, token=tb), "B downloads A's file")
        expect_404(raw("DELETE", "/api/files/" + form, token=tb), "B deletes A's file")
    sv = single["versions"][0]["id"]
    expect_404(raw("DELETE", "/api/files/" + sv, token=tb), "B deletes the only version of A's resume (not 409)")
    lst = data_of(request("GET", "/api/resumes", token=tb), 200, "B's list")
    assert lst["items"] == [] and lst["total"] == 0, "B's list shows A's resumes: %r" % lst
    assert_unchanged(before, a["id"], "B's attempts on A's resume")
    assert snapshot(b["id"])["api_resume"] == [], "B got rows from the attempts"
    g = get_resume(a, rid)
    assert g["name"] == "甲" and g["version_count"] == 1, g
    download(a, v1, pdf, "A downloads after B's attempts")
    d = wait_text(a, rid, v1["id"])
    assert PDF_PHRASE in " ".join(d["text"].split()), d


def test_concurrent_uploads_and_last_version_race():
    u = new_user("race")
    tok = u["access"]
    datas = [text_file("c%d" % k) for k in range(6)]
    res = burst([lambda d=d, k=k: upload(tok, d, "c%d.txt" % k) for k, d in enumerate(datas)])
    st = sorted(getattr(r, "status", r) for r in res)
    assert st == [201] * 6, "6 concurrent uploads: %r" % st
    lst = data_of(request("GET", "/api/resumes?page_size=100", token=tok), 200, "list")
    assert lst["total"] == 6, "6 concurrent uploads made %r resumes" % lst["total"]
    # two versions deleted at once: the resume must keep one (one 204, one 409), every round
    for rnd in range(4):
        r0 = create(u, text_file("r%d" % rnd), "r.txt")
        v1, v2 = r0["versions"][0], add_version(u, r0["id"])
        out = burst([lambda v=v: raw("DELETE", "/api/files/" + v["id"], token=tok) for v in (v1, v2)])
        st = sorted(getattr(r, "status", r) for r in out)
        g = get_resume(u, r0["id"], "GET after deleting both versions at once")
        assert g["version_count"] >= 1, "round %d: concurrent deletes removed every version (statuses %r)" % (rnd, st)
        assert st == [204, 409], "round %d: deleting both versions at once: %r, expected one 204 and one 409" % (
            rnd, st)
        row = db_version(g["versions"][0]["id"])
        assert row is not None and os.path.isfile(os.path.join(storage_root(), row["file_path"])), \
            "round %d: the surviving version lost its row or file: %r" % (rnd, row)


def test_parallel_double_deletes_one_wins():
    """The same version, or resume, deleted twice at once: one 204 and one 404, decided by the database."""
    u = new_user("dbl")
    tok = u["access"]
    for rnd in range(6):
        data = text_file("d%d" % rnd)
        r0 = create(u, data, "d.txt")
        keep = r0["versions"][0]
        v = add_version(u, r0["id"])
        path = os.path.join(storage_root(), db_version(v["id"])["file_path"])
        out = burst([lambda: raw("DELETE", "/api/files/" + v["id"], token=tok) for _ in range(3)])
        st = sorted(getattr(r, "status", r) for r in out)
        assert st == [204, 404, 404], "round %d: the same version deleted 3 times at once: %r, expected one 204 " \
            "and two 404" % (rnd, st)
        for r in out:
            if r.status == 404:
                expect_404(r, "round %d: the losing delete" % rnd)
        g = get_resume(u, r0["id"])
        assert [x["id"] for x in g["versions"]] == [keep["id"]], "round %d: versions left %r" % (rnd, g["versions"])
        wait_gone(path, what="round %d: the deleted version's file" % rnd)
        download(u, keep, data, "round %d: the other version" % rnd)
        out = burst([lambda: raw("DELETE", "/api/resumes/" + r0["id"], token=tok) for _ in range(2)])
        st = sorted(getattr(r, "status", r) for r in out)
        assert st == [204, 404], "round %d: the same resume deleted twice at once: %r, expected one 204 and one " \
            "404" % (rnd, st)
        expect_404(request("GET", "/api/resumes/" + r0["id"], token=tok), "round %d: the deleted resume" % rnd)
    s = snapshot(u["id"])
    assert s["api_resume"] == [] and s["api_resumeversion"] == [] and s["zm_resume_file"] == [], s
    zmtest.wait_for(lambda: files_under(user_dir(u["id"])) == [], timeout=10, what="the user's files to be removed")


def test_delete_right_after_upload():
    """The extraction task of a version deleted before it ran ends quietly: no rows come back, no retries."""
    u = new_user("quick")
    tok = u["access"]
    vids = []
    for k in range(3):
        res = create(u, make_pdf(), "q%d.pdf" % k)
        vids.append(hexid(res["versions"][0]["id"]))
        r = raw("DELETE", "/api/resumes/" + res["id"], token=tok)
        assert r.status == 204, "DELETE right after the upload: %r" % r
    time.sleep(2.0)
    s = snapshot(u["id"])
    assert s["api_resume"] == [] and s["api_resumeversion"] == [] and s["zm_resume_file"] == [], \
        "rows came back after the delete: %r" % s
    assert files_under(user_dir(u["id"])) == [], "files remain: %r" % files_under(user_dir(u["id"]))
    for vid in vids:
        bad = sql("SELECT id, state, attempts FROM zm_task WHERE type LIKE 'resume%%' AND payload LIKE '%%%s%%' "
                  "AND (state = 'failed' OR attempts > 1)" % vid)
        assert bad == [], "the task of deleted version %s failed or is being retried: %r" % (vid, bad)


def test_requires_authentication():
    u = new_user("anon")
    res = create(u, text_file(), "a.txt")
    rid, vid = res["id"], res["versions"][0]["id"]
    before_all = sql("SELECT COUNT(*) FROM api_resume")
    body, ct = multipart([("file", text_file(), "x.txt", None)])
    calls = [("POST", "/api/resumes", body, ct), ("GET", "/api/resumes", b"", None),
             ("GET", "/api/resumes/" + rid, b"", None),
             ("PATCH", "/api/resumes/" + rid, b'{"name":"x"}', "application/json"),
             ("DELETE", "/api/resumes/" + rid, b"", None), ("GET", "/api/resumes/%s/versions" % rid, b"", None),
             ("POST", "/api/resumes/%s/versions" % rid, body, ct), ("GET", "/api/resumes/%s/text" % rid, b"", None),
             ("GET", "/api/files/" + vid, b"", None), ("DELETE", "/api/files/" + vid, b"", None)]
    for auth in (None, "Bearer not.a.token", "Basic eHg6eHg="):
        for method, path, b, ctype in calls:
            hdrs = {"Content-Type": ctype} if ctype else {}
            if auth:
                hdrs["Authorization"] = auth
            r = raw(method, path, b, hdrs)
            assert r.status == 401, "%s %s with Authorization %r: expected 401, got %r" % (method, path, auth, r)
            expect_error(r, 401)
    assert sql("SELECT COUNT(*) FROM api_resume") == before_all, "an unauthenticated upload created a resume"
    assert get_resume(u, rid)["version_count"] == 1


def big_text():
    """Exactly 10 MiB of valid UTF-8 text."""
    head = "张三 简历 size test\n".encode("utf-8")
    line = b"Zhimai size test line, 0123456789 abcdefghijklmnopqrstuvwxyz.\n"
    data = head + line * ((CAP - len(head)) // len(line))
    data += b"a" * (CAP - len(data) - 1) + b"\n"
    assert len(data) == CAP
    return data


def test_size_cap_exactly_10_mib_passes():
    u = new_user("size")
    tok = u["access"]
    exact = big_text()
    res = create(u, exact, "big.txt", what="a file of exactly 10 MiB (10485760 bytes; nginx allows 10 MiB + 64 KiB)")
    v = res["versions"][0]
    assert v["file_size"] == CAP and v["file_type"] == MIME_TXT, v
    path = check_stored(u, res["id"], v, exact, "the 10 MiB file")
    r = raw("GET", "/api/files/" + v["id"], token=tok)
    assert r.status == 200 and r.body == exact, "download of the 10 MiB file: %r (%d bytes)" % (r, len(r.body))
    r = raw("DELETE", "/api/resumes/" + res["id"], token=tok)  # the test stack's storage
    assert r.status == 204, "DELETE the 10 MiB resume: %r" % r
    wait_gone(path, what="the 10 MiB file")


def test_size_cap_over_is_413_and_leaves_nothing():
    u = new_user("over")
    tok = u["access"]
    keep = create(u, text_file(), "keep.txt")
    over = big_text() + b"x"
    for p in ("/api/resumes", "/api/resumes/%s/versions" % keep["id"]):
        before = snapshot(u["id"])
        r = upload(tok, over, "over.txt", path=p)
        assert r.status == 413, "POST %s with a file of 10 MiB + 1 byte: expected 413, got %r" % (p, r)
        j = expect_error(r, 413)
        assert j["error"]["code"] in ("file_too_large", "payload_too_large"), j
        assert_unchanged(before, u["id"], "a refused 10 MiB + 1 upload to %s" % p)
    # far over: nginx refuses the body, in the API's envelope
    before = snapshot(u["id"])
    r = upload(tok, over + b"y" * (2 * MiB), "huge.txt")
    assert r.status == 413, "a 12 MiB upload: expected 413, got %r" % r
    j = expect_error(r, 413)
    assert j["error"]["code"] in ("payload_too_large", "file_too_large"), j
    assert_unchanged(before, u["id"], "a refused 12 MiB upload")
    assert get_resume(u, keep["id"])["version_count"] == 1


# ---- per-user limits and a full disk (zhimai-fcgi restarted with ZM_* overrides) --------

KB = 1000
LIMITS = {"ZM_RESUMES_QUOTA_BYTES": str(100 * KB), "ZM_RESUMES_MAX_RESUMES": "4", "ZM_RESUMES_MAX_VERSIONS": "3"}


def restart(daemons, overrides):
    """Stop and start the daemons (("fcgi",) or ("fcgi", "worker")) with exactly these ZM_* overrides
    on top of the stack's configuration; wait until /healthz answers again."""
    env = {k: v for k, v in os.environ.items() if not (k.startswith("ZM_RESUMES_") or k == "ZM_STORAGE_LOCAL_DIR")}
    env.update(overrides or {})
    env["ZM_VAR"] = zmtest.VAR
    env["ZM_BUILD"] = BUILD
    dev = os.path.join(ROOT, "dev")
    cmds = ["%s-stop" % d for d in reversed(daemons)] + ["%s-start" % d for d in daemons]
    for cmd in cmds:
        p = subprocess.run([dev, cmd], env=env, capture_output=True, text=True)
        assert p.returncode == 0, "./dev %s failed (%d): %s %s" % (cmd, p.returncode, p.stdout, p.stderr)
    zmtest.wait_for(lambda: request("GET", "/healthz").status == 200, timeout=30, what="/healthz after a restart")


@contextlib.contextmanager
def configured(overrides, daemons=("fcgi",)):
    """The daemons run with overrides inside the block, and with the stack's own configuration after it."""
    restart(daemons, overrides)
    try:
        yield
    finally:
        restart(daemons, None)


def expect_limit(r, status, code, what):
    assert r.status == status, "%s: expected %d %s, got %r" % (what, status, code, r)
    j = expect_error(r, status, code)
    return j["error"]["message"]


def test_quota_bytes_413_nothing_stored_and_delete_frees():
    with configured(LIMITS):
        u, other = new_user("quota"), new_user("quota2")
        tok = u["access"]
        res = create(u, text_of_size(40 * KB, "a"), "a.txt")
        v2 = add_version(u, res["id"], text_of_size(40 * KB, "b"), "b.txt")
        # 80 KB used of 100 KB: 30 KB more is refused, as a new resume and as a version
        for path in ("/api/resumes", "/api/resumes/%s/versions" % res["id"]):
            before = snapshot(u["id"])
            r = upload(tok, text_of_size(30 * KB, "over"), "over.txt", path=path)
            msg = expect_limit(r, 413, "storage_quota_exceeded", "30 KB over the 100 KB quota to %s" % path)
            assert "KB" in msg or "MB" in msg, "the message should say the limit: %r" % msg
            assert_unchanged(before, u["id"], "an upload over the quota to %s" % path)
        # up to the byte is allowed
        v3 = add_version(u, res["id"], text_of_size(20 * KB, "c"), "c.txt", what="exactly up to the quota")
        before = snapshot(u["id"])
        expect_limit(upload(tok, text_of_size(40, "d"), "d.txt"), 413, "storage_quota_exceeded", "1 byte over")
        assert_unchanged(before, u["id"], "an upload 40 bytes over the quota")
        # the quota is the user's: someone else uploads as usual
        create(other, text_of_size(90 * KB, "o"), "o.txt", what="another user's upload")
        # deleting frees quota at once: a version, then a whole resume
        r = raw("DELETE", "/api/files/" + v2["id"], token=tok)
        assert r.status == 204, r
        add_version(u, res["id"], text_of_size(30 * KB, "e"), "e.txt", what="an upload after freeing 40 KB")
        r = raw("DELETE", "/api/files/" + v3["id"], token=tok)
        assert r.status == 204, r
        r = raw("DELETE", "/api/resumes/" + res["id"], token=tok)
        assert r.status == 204, r
        create(u, text_of_size(100 * KB, "f"), "f.txt", what="the whole quota after deleting the resume")


def test_quota_parallel_uploads_near_the_limit_one_passes():
    """Two uploads that each fit but not both: one 201, one 413, every round, for new resumes and versions."""
    with configured(LIMITS):
        u = new_user("qrace")
        tok = u["access"]
        base = create(u, text_of_size(60 * KB, "base"), "base.txt")
        paths = [("/api/resumes", "/api/resumes"),
                 ("/api/resumes/%s/versions" % base["id"], "/api/resumes/%s/versions" % base["id"]),
                 ("/api/resumes", "/api/resumes/%s/versions" % base["id"])]
        for rnd in range(6):
            pa, pb = paths[rnd % 3]
            out = burst([lambda p=p, k=k: upload(tok, text_of_size(30 * KB, "r%d%d" % (rnd, k)), "r.txt", path=p)
                         for k, p in enumerate((pa, pb))])
            st = sorted(getattr(r, "status", r) for r in out)
            assert st == [201, 413], "round %d: two 30 KB uploads at 60 KB of a 100 KB quota (%s, %s): %r, " \
                "expected one 201 and one 413" % (rnd, pa, pb, st)
            used = int(sql("SELECT COALESCE(SUM(v.file_size), 0) FROM api_resumeversion v JOIN api_resume r "
                           "ON r.id = v.resume_id WHERE r.user_id = %s" % sql_str(str(u["id"])))[0][0])
            assert used <= 100 * KB, "round %d: %d bytes stored over a %d quota" % (rnd, used, 100 * KB)
            rows = sorted(x[1] for x in snapshot(u["id"])["api_resumeversion"])
            stored = sorted("resumes/%d/%s" % (u["id"], f) for f in files_under(user_dir(u["id"])))
            assert stored == rows, "round %d: stored files %r are not the rows' %r" % (rnd, stored, rows)
            ok = [r for r in out if getattr(r, "status", None) == 201][0].json["data"]
            # undo the winner: a version, or a new resume
            if "versions" in ok:
                r = raw("DELETE", "/api/resumes/" + ok["id"], token=tok)
            else:
                r = raw("DELETE", "/api/files/" + ok["id"], token=tok)
            assert r.status == 204, r


def test_resume_and_version_counts_409():
    with configured(LIMITS):
        u = new_user("count")
        tok = u["access"]
        made = [create(u, text_of_size(100, "n%d" % k), "n.txt") for k in range(3)]
        # 3 of 4: three creates at once, exactly one passes
        out = burst([lambda k=k: upload(tok, text_of_size(100, "p%d" % k), "p.txt") for k in range(3)])
        st = sorted(getattr(r, "status", r) for r in out)
        assert st == [201, 409, 409], "three creates at once with room for one: %r" % st
        for r in out:
            if r.status == 409:
                expect_limit(r, 409, "too_many_resumes", "a create over resumes.max_resumes")
        before = snapshot(u["id"])
        msg = expect_limit(upload(tok, text_of_size(100, "x"), "x.txt"), 409, "too_many_resumes", "a fifth resume")
        assert "4" in msg, "the message should say the limit (4): %r" % msg
        assert_unchanged(before, u["id"], "a refused fifth resume")
        assert data_of(request("GET", "/api/resumes", token=tok), 200)["total"] == 4
        r = raw("DELETE", "/api/resumes/" + made[0]["id"], token=tok)
        assert r.status == 204, r
        create(u, text_of_size(100, "y"), "y.txt", what="a resume after deleting one")
        # versions: 3 per resume
        rid = made[1]["id"]
        add_version(u, rid, text_of_size(100, "v2"))
        out = burst([lambda k=k: upload(tok, text_of_size(100, "w%d" % k), "w.txt", path="/api/resumes/%s/versions"
                                        % rid) for k in range(2)])
        st = sorted(getattr(r, "status", r) for r in out)
        assert st == [201, 409], "two versions at once with room for one: %r" % st
        before = snapshot(u["id"])
        r = upload(tok, text_of_size(100, "v4"), "v4.txt", path="/api/resumes/%s/versions" % rid)
        msg = expect_limit(r, 409, "too_many_versions", "a fourth version")
        assert "3" in msg, "the message should say the limit (3): %r" % msg
        assert_unchanged(before, u["id"], "a refused fourth version")
        g = get_resume(u, rid)
        assert g["version_count"] == 3, g
        r = raw("DELETE", "/api/files/" + g["versions"][-1]["id"], token=tok)
        assert r.status == 204, r
        add_version(u, rid, text_of_size(100, "v5"), what="a version after deleting one")


def fill(path):
    """Write zeros to path until the file system is full."""
    chunk = b"\0" * (64 * 1024)
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
        try:
            while True:
                f.write(b"\0")
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise


def test_full_disk_is_503_retry_after_and_leaves_nothing():
    mnt = "/tmp/zm-fulldisk-%s-%d" % (RUN, os.getpid())
    os.makedirs(mnt)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mnt], capture_output=True,
                       text=True)
    if p.returncode != 0:
        os.rmdir(mnt)
        print("SKIP test_full_disk_is_503_retry_after_and_leaves_nothing: cannot mount a tmpfs (%s); needs root "
              "and CAP_SYS_ADMIN" % (p.stderr.strip() or p.returncode))
        return
    try:
        # both daemons: the worker extracts text from the same directory
        with configured({"ZM_STORAGE_LOCAL_DIR": mnt}, daemons=("fcgi", "worker")):
            u = new_user("full")
            tok = u["access"]
            mine = os.path.join(mnt, "resumes", str(u["id"]))
            data = text_of_size(100 * KB, "fits")
            res = create(u, data, "fits.txt", what="an upload to the tmpfs with room")
            assert files_under(mine) != [], "the upload did not land in the tmpfs %s" % mnt
            filler = os.path.join(mnt, "filler")
            fill(filler)
            rows = snapshot(u["id"])
            del rows["storage"]
            paths = paths_under(mnt)
            for path in ("/api/resumes", "/api/resumes/%s/versions" % res["id"]):
                r = upload(tok, text_of_size(200 * KB, "full"), "full.txt", path=path)
                assert r.status == 503, "POST %s on a full disk: expected 503, got %r" % (path, r)
                expect_error(r, 503, "storage_full")
                ra = r.headers.get("Retry-After")
                assert ra and ra.isdigit() and int(ra) >= 1, "503 without a Retry-After in seconds: %r" % ra
                after = snapshot(u["id"])
                del after["storage"]
                assert after == rows, "a failed upload to %s left rows: %r -> %r" % (path, rows, after)
                assert paths_under(mnt) == paths, "a failed upload to %s left files or directories: %r -> %r" % (
                    path, paths, paths_under(mnt))
            # room again: uploads work
            os.unlink(filler)
            add_version(u, res["id"], text_of_size(200 * KB, "room"), "room.txt", what="an upload after freeing space")
            r = raw("DELETE", "/api/resumes/" + res["id"], token=tok)
            assert r.status == 204, r
            zmtest.wait_for(lambda: files_under(mine) == [], timeout=10, what="the tmpfs files to be removed")
    finally:
        for _ in range(50):
            if subprocess.run(["umount", mnt], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        else:
            subprocess.run(["umount", "-l", mnt], capture_output=True)
        os.rmdir(mnt)


zmtest.main(globals())
