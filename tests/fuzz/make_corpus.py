#!/usr/bin/env python3
"""Write the seed corpora beside this script (deterministic; rerun after editing).

corpus/multipart/*  one request each: its Content-Type, '\\n', then the body
corpus/filetype/*   one file each (the upload fixtures plus small edge cases)
corpus/json_body/*  one JSON request body each: valid ones, and one for each form of bad
                    Unicode the parser must refuse (bad_*)

libFuzzer adds what it finds to the directory it is given first; run it on a
scratch copy (see README.md) and commit only inputs that found a bug.
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "..", "data", "files")
CT = b"multipart/form-data; boundary=XyZ"
CD = b"Content-Disposition: form-data; "


def part(headers, data, boundary=b"XyZ"):
    return b"--" + boundary + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + data + b"\r\n"


def close(boundary=b"XyZ"):
    return b"--" + boundary + b"--\r\n"


def fixture(name):
    with open(os.path.join(FILES, name), "rb") as f:
        return f.read()


def multipart_seeds():
    pdf, docx = fixture("minimal.pdf"), fixture("minimal.docx")
    normal = (part([CD + b'name="title"'], "我的简历".encode()) + part([CD + b"name=lang"], b"zh")
              + part([CD + b'name="resume"; filename="cv.pdf"', b"Content-Type: application/pdf"], pdf)
              + close())
    yield "normal", CT, normal
    yield "docx", CT, part([CD + 'name="f"; filename="简历.docx"'.encode()], docx) + close()
    yield "chinese_raw", CT, part([CD + 'name="f"; filename="简历 张三.md"'.encode()], "# 张三\n".encode()) + close()
    yield "filename_star", CT, part([CD + b'name="f"; filename="a.txt"; filename*=UTF-8\'\'%E7%AE%80.txt'],
                                    b"text") + close()
    yield "latin1_star", CT, part([CD + b"name=\"f\"; filename*=iso-8859-1'en'caf%E9.txt"], b"x") + close()
    yield "quoted_boundary", b'multipart/form-data; charset=utf-8; BOUNDARY="a b:c?"', \
        part([CD + b'name="f"'], b"v", b"a b:c?") + close(b"a b:c?")
    yield "preamble_epilogue", CT, (b"preamble\r\n--XyZ is not it\r\n" + part([CD + b'name="a"'], b"1")
                                    + b"--XyZ \t\r\n" + CD + b'name="b"\r\n\r\n2\r\n' + close()
                                    + b"epilogue\r\n--XyZ\r\n")
    yield "truncated", CT, part([CD + b'name="f"; filename="a.pdf"'], pdf[:100])
    yield "lookalikes", CT, part([CD + b'name="f"'], b"XyZ --XyZ\r\n-XyZ\n\r\n--XyZX\r\n--XyZ -") + close()
    yield "empty_parts", CT, (part([CD + b'name="file"; filename=""', b"Content-Type: application/octet-stream"], b"")
                              + part([CD + b'name="v"'], b"") + close())
    yield "many_parts", CT, b"".join(part([CD + b'name="p%d"' % i], b"v") for i in range(17)) + close()
    yield "escapes", CT, part([CD + b'name="a\\"b"; filename="C:\\Users\\x\\..\\cv.pdf"'], b"x") + close()
    yield "path_traversal", CT, part([CD + b'name="f"; filename="../../etc/passwd"'], b"root:x:0:0\n") + close()
    yield "bidi", CT, part([CD + 'name="f"; filename="resume\u202efdp.exe"'.encode()], b"MZ\x90\x00") + close()
    yield "lf_only", CT, b"--XyZ\n" + CD + b'name="a"\n\nx\n--XyZ--\n'
    yield "no_boundary", b"multipart/form-data", normal
    yield "big_header", CT, part([CD + b'name="f"', b"X-Pad: " + b"a" * 8200], b"x") + close()


def filetype_seeds():
    for name in ("minimal.pdf", "minimal.docx", "plain.zip"):
        yield name, fixture(name)
    yield "text_zh.txt", "张三\n求职意向：后端工程师\r\n".encode()
    yield "bom.md", b"\xef\xbb\xbf# cv\n"
    yield "latin1.txt", b"caf\xe9"
    yield "ole2.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 24
    yield "png.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
    yield "script.sh", b"#!/bin/sh\necho hi\n"


def json_body_seeds():
    login = b'{"email":"%s@example.com","password":"Tr0ub4dor&3-zm"}'
    yield "login", login % b"seeker"
    yield "register_zh", '{"email":"zhang@example.com","password":"密码很长很长1","username":"张三"}'.encode()
    yield "patch_me", '{"first_name":"三","last_name":"张","company":"职麦 🎉"}'.encode()
    yield "escapes", b'{"a":"\\\"\\/\\b\\f\\n\\r\\t","b":"\\u0041\\u00e9\\u804c\\uffff","c":"\\\\ud800"}'
    yield "escaped_pair", b'{"emoji":"\\ud83d\\ude00","max":"\\udbff\\udfff","upper":"\\uD83D\\uDE00"}'
    yield "raw_4byte", '{"emoji":"😀","max":"\U0010ffff"}'.encode()
    yield "nul_escape", b'{"name":"a\\u0000b","\\u0000k":1}'
    yield "values", b'{"n":[0,-0,1.5e+10,-1E-5,99999999999999999999,true,false,null],"o":{"x":{}},"s":""}'
    yield "whitespace", b' \t\r\n{ "a" : [ 1 , 2 ] }\n'
    yield "duplicate_keys", b'{"a":1,"a":"two"}'
    yield "deep_at_cap", b'{"a":' + b"[" * 30 + b"]" * 30 + b"}"
    yield "too_deep", b'{"a":' + b"[" * 40 + b"]" * 40 + b"}"
    yield "not_object", b'["a",1]'
    yield "trailing", b'{"a":1} x'
    yield "truncated", b'{"email":"a@b.c","pass'
    yield "empty", b""
    yield "bom", b'\xef\xbb\xbf{"a":1}'
    # one for each form of bad Unicode: raw bytes json-c lets through, escapes it turns into U+FFFD
    yield "bad_overlong_2", login % b"a\xc0\xaf"
    yield "bad_overlong_3", login % b"a\xe0\x80\xaf"
    yield "bad_overlong_4", login % b"a\xf0\x8f\xbf\xbf"
    yield "bad_above_10ffff", login % b"a\xf4\x90\x80\x80"
    yield "bad_f5", login % b"a\xf5\x80\x80\x80"
    yield "bad_ff", login % b"a\xff"
    yield "bad_continuation", login % b"a\x80"
    yield "bad_cut_short", login % b"a\xe8\x81"
    yield "bad_surrogate_bytes", b'{"first_name":"\xed\xa0\x80"}'
    yield "bad_cesu8_pair", b'{"first_name":"\xed\xa0\xbd\xed\xb8\x80"}'
    yield "bad_key", b'{"\xc0\xaf":1}'
    yield "bad_after_value", b'{"a":1}\n\xc0\xaf'
    yield "bad_escape_lone_high", b'{"first_name":"\\ud800"}'
    yield "bad_escape_lone_low", b'{"first_name":"\\udc00"}'
    yield "bad_escape_high_then_char", b'{"first_name":"\\ud800x"}'
    yield "bad_escape_high_high", b'{"first_name":"\\ud800\\ud800"}'
    yield "bad_escape_reversed", b'{"first_name":"\\ude00\\ud83d"}'
    yield "bad_escape_at_end", b'{"first_name":"x\\ud83d"}'
    yield "bad_escape_in_key", b'{"\\udfff":1}'
    # found by the fuzzer: bad bytes after a cut-short pair are bad UTF-8 first
    yield "bad_escape_then_ff", b'{"upper":"\\uD83D\\uDE0\xff\xff0"}'


def write(dirname, name, data):
    path = os.path.join(HERE, "corpus", dirname)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


def main():
    for d in ("multipart", "filetype", "json_body"):
        shutil.rmtree(os.path.join(HERE, "corpus", d), ignore_errors=True)
    for name, ct, body in multipart_seeds():
        write("multipart", name, ct + b"\n" + body)
    for name, data in filetype_seeds():
        write("filetype", name, data)
    for name, data in json_body_seeds():
        write("json_body", name, data)


if __name__ == "__main__":
    main()
