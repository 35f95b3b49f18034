#!/usr/bin/env python3
"""Write the seed corpora beside this script (deterministic; rerun after editing).

corpus/multipart/*  one request each: its Content-Type, '\\n', then the body
corpus/filetype/*   one file each (the upload fixtures plus small edge cases)
corpus/json_body/*  one JSON request body each: valid ones, and one for each form of bad
                    Unicode the parser must refuse (bad_*)
corpus/router/*     METHOD, ' ', path
corpus/query/*      a raw query string
corpus/content_disposition/*  a stored file name
corpus/jwt/*        a bearer token (signed with fuzz_jwt.c's key, or broken on purpose)
corpus/mail_header/*  to_addr NUL to_name NUL subject NUL text
corpus/s3_error/*   an S3 error body
corpus/document/*   a resume, then "\\n===\\n" and a job description
corpus/wechatpay_notify/*  Wechatpay-* header lines, a blank line, the body (signed with the
                    SDK test key in tests/data/wechatpay; needs python3-cryptography)
corpus/wechatpay_bill/*    a trade bill (the SDKs' fixture, cut down, broken)
corpus/interview_report/*  a byte (the question count; 0x80+: a meeting update) and a model's report or update

libFuzzer adds what it finds to the directory it is given first; run it on a
scratch copy (see README.md) and commit only inputs that found a bug.
"""
import base64
import hashlib
import hmac
import json
import os

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
def router_seeds():
    yield "resume", b"GET /api/resumes/42"
    yield "versions", b"DELETE /api/resumes/42/versions/7/"
    yield "bad_method", b"PUT /api/resumes/42"
    yield "empty_segment", b"GET /api/resumes//"
    yield "eight_params", b"GET /a/b/c/d/e/f/g/h"
    yield "nine_segments", b"GET /a/b/c/d/e/f/g/h/i"
    yield "dots", b"GET /api/resumes/../resumes/%2e%2e"
    yield "nul_inside", b"GET /api/resumes/4\x002"
    yield "utf8", "GET /api/resumes/简历".encode()
    yield "slashes", b"POST /match/start///"


def query_seeds():
    yield "paging", b"page=2&page_size=20&search=%E5%BC%A0"
    yield "plus", b"search=a+b&role=hr"
    yield "bad_pct", b"search=%zz&page=%"
    yield "overlong", b"search=%C0%AF&page=1"
    yield "huge_int", b"page=99999999999999999999999&page_size=-1"
    yield "empty", b"&&=&page=&=x"
    yield "nul", b"search=%00&a"
    yield "token", b"access_token=eyJ.x.y&page=3"


def content_disposition_seeds():
    yield "ascii", b"resume.pdf"
    yield "chinese", "张三 简历（2026）.pdf".encode()
    yield "quotes", b'a"b\\c.pdf'
    yield "controls", b"a\r\nSet-Cookie: x=1.pdf"
    yield "bidi", "invoice\u202efdp.exe".encode()
    yield "latin1", b"caf\xe9.txt"
    yield "percent", b"100%25 sure.txt"


def _b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def _jwt(header, claims, key=b"fuzz-signing-key-0123456789abcdef"):
    h = _b64(json.dumps(header, separators=(",", ":")).encode())
    c = _b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = _b64(hmac.new(key, h + b"." + c, hashlib.sha256).digest())
    return h + b"." + c + b"." + sig


def jwt_seeds():
    hs = {"alg": "HS256", "typ": "JWT"}
    claims = {"token_type": "access", "exp": 4102444800, "iat": 1767225600,
              "jti": "0123456789abcdef0123456789abcdef", "user_id": 42}
    yield "access", _jwt(hs, claims)
    yield "refresh", _jwt(hs, dict(claims, token_type="refresh"))
    yield "expired", _jwt(hs, dict(claims, exp=1700000000))
    yield "alg_none", _jwt({"alg": "none", "typ": "JWT"}, claims)[:-43]
    yield "hs512", _jwt({"alg": "HS512", "typ": "JWT"}, claims)
    yield "string_user", _jwt(hs, dict(claims, user_id="42"))
    yield "float_exp", _jwt(hs, dict(claims, exp=4102444800.5))
    yield "other_key", _jwt(hs, claims, key=b"another key")
    yield "two_dots", b"a.b"
    yield "padding", _jwt(hs, claims) + b"=="


def mail_header_seeds():
    yield "plain", b"zhang@example.com\0\xe5\xbc\xa0\xe4\xb8\x89\0Verify your email\0Hello"
    yield "crlf_subject", b"zhang@example.com\0Zhang\0Hi\r\nBcc: x@y.z\0body"
    yield "crlf_name", b"zhang@example.com\0Zhang\nBcc: x@y.z\0Hi\0body"
    yield "bad_addr", b"zhang@@example.com\0\0s\0t"
    yield "smtp_cmd", b"a@b.c>\r\nRCPT TO:<x@y.z\0\0s\0t"
    yield "long_subject", b"a@b.c\0n\0" + "长".encode() * 600 + b"\0t"
    yield "quoted_local", b'"a b"@example.com\0\0s\0t'


def s3_error_seeds():
    yield "normal", (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
                     b"<Message>The specified key does not exist.</Message></Error>")
    yield "unclosed", b"<Error><Code>SlowDown"
    yield "binary", b"<Code>\x00\x01\xff\xfe</Code><Message>\x1b[31mred</Message>"
    yield "long", b"<Message>" + b"x" * 5000 + b"</Message>"
    yield "nested", b"<Code><Code>a</Code></Code>"


def document_seeds():
    resume = ("张伟  手机：138-1234-5678  邮箱：zhangwei@example.com\n教育经历\n2012.09-2016.06 北京邮电大学 本科\n"
              "工作经历\n2019.07-至今 某某科技 高级后端工程师\n- 主导订单服务拆分，响应时间从 320ms 降至 90ms\n"
              "- 负责后端开发\n项目经历\n订单中心重构 | 2021.03-2021.12\n专业技能\nPython、Django、MySQL、Redis、"
              "Ｋｕｂｅｒｎｅｔｅｓ、C++、C#、.NET、node.js\n").encode()
    jd = "高级Python后端工程师\n任职要求：\n1. 本科及以上学历，硕士优先；\n2. 3年以上Python开发经验；\n".encode()
    yield "zh", resume + b"\n===\n" + jd
    yield "en", (b"John Smith\nExperience\n2018 - present  Senior Engineer\n* Built APIs in Go, 5+ years of "
                 b"experience\nEducation\nMSc Computer Science\n===\nRequirements: Go, Kubernetes; PhD a plus")
    yield "invalid_utf8", b"\xe5\xbc\n\xff\xfe\xc0\xaf2019.13-2018.01\n\xed\xa0\x80===\n"
    yield "no_jd", resume
    yield "dates", b"1999.01-2099.12\n2020/02 - now\nJan 2019 - Dec 2018\n10000\xe5\xb9\xb4\xe4\xbb\xa5\xe4\xb8\x8a"


WXP = os.path.join(HERE, "..", "data", "wechatpay")
WXP_KEY = b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"
WXP_SERIAL = "PUB_KEY_ID_0000000000000024101100397200000006"


def _wxp_notification(body, ts=1764660000, nonce="5K8264ILTKCH16CQ2502SI8ZNMTM67VS", sig=None,
                      serial=WXP_SERIAL):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    if sig is None:
        with open(os.path.join(WXP, "j_wechat_pay_private_key.pem"), "rb") as f:
            key = serialization.load_pem_private_key(f.read(), None)
        msg = b"%d\n%s\n%s\n" % (ts, nonce.encode(), body)
        sig = base64.b64encode(key.sign(msg, padding.PKCS1v15(), hashes.SHA256())).decode()
    head = ("Wechatpay-Timestamp: %d\nWechatpay-Nonce: %s\nWechatpay-Signature: %s\nWechatpay-Serial: %s\n"
            "Wechatpay-Signature-Type: WECHATPAY2-SHA256-RSA2048\n\n" % (ts, nonce, sig, serial))
    return head.encode() + body


def _wxp_body(ct, nonce="fdasflkja484", aad="transaction", alg="AEAD_AES_256_GCM"):
    return json.dumps({"id": "EV-2018022511223320873", "create_time": "2015-05-20T13:29:35+08:00",
                       "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
                       "resource": {"original_type": "transaction", "algorithm": alg, "ciphertext": ct,
                                    "associated_data": aad, "nonce": nonce}},
                      ensure_ascii=False, separators=(",", ":")).encode()


def _wxp_encrypt(plain, nonce=b"fdasflkja484", aad=b"transaction"):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    return base64.b64encode(AESGCM(WXP_KEY).encrypt(nonce, plain, aad)).decode()


def wechatpay_notify_seeds():
    with open(os.path.join(WXP, "tx_ct.b64")) as f:
        ct = f.read().strip()
    with open(os.path.join(WXP, "tx_pt.json"), "rb") as f:
        pt = f.read().strip()
    yield "valid", _wxp_notification(_wxp_body(ct))
    yield "probe", _wxp_notification(_wxp_body(ct), sig="WECHATPAY/SIGNTEST/2sWfO+6tVVsZ")
    yield "bad_tag", _wxp_notification(_wxp_body(ct[:40] + ("A" if ct[40] != "A" else "B") + ct[41:]))
    yield "truncated", _wxp_notification(_wxp_body("AAAAAAAAAAAAAAAA"))
    yield "bad_base64", _wxp_notification(_wxp_body(ct[:-4] + "*==="))
    yield "wrong_serial", _wxp_notification(_wxp_body(ct), serial="PUB_KEY_ID_1")
    notpay = json.loads(pt)
    notpay.update(trade_state="NOTPAY", transaction_id="")
    yield "notpay", _wxp_notification(_wxp_body(_wxp_encrypt(json.dumps(notpay).encode())))
    odd = json.loads(pt)
    odd["amount"] = {"total": 1.5, "currency": "CNY"}
    yield "bad_amount", _wxp_notification(_wxp_body(_wxp_encrypt(json.dumps(odd).encode())))
    with open(os.path.join(WXP, "notify_body.json"), "rb") as f:
        yield "go_v3", _wxp_notification(f.read().strip(), ts=1624523846, nonce="EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz",
                                          sig="AAAA", serial="D7CE59D1F522D701")
    yield "transaction", pt
    yield "empty", b"\n\n"


def wechatpay_bill_seeds():
    with open(os.path.join(WXP, "bill.ALL.csv"), "rb") as f:
        bill = f.read()
    lines = bill.split(b"\r\n")
    yield "all", bill
    yield "small", b"\r\n".join(lines[:2] + lines[-3:])
    yield "lf_no_bom", bill[3:].replace(b"\r\n", b"\n")
    yield "no_rows", b"\r\n".join(lines[:1] + lines[-3:])
    yield "short_row", b"\r\n".join(lines[:1] + [lines[1][:60]] + lines[-3:])
    yield "header_only", lines[0]


def news_feed_seeds():
    item = {"title": "校招提前批开启", "url": "https://news.example.com/a?b=1", "source": "职麦",
            "summary": "多家公司\n开启提前批", "tags": ["校招", "求职"], "published_at": "2030-01-15T09:00:00+08:00"}
    yield "items", b"\0" + json.dumps({"items": [item]}, ensure_ascii=False).encode()
    yield "array", b"\0" + json.dumps([item, dict(item, url="http://x.example/1", tags="a, b",
                                                   published_at=1893456000), {"title": "no url"}, 5]).encode()
    yield "bad", b"\0" + b'[{"title": "x", "url": "javascript:1", "tags": ["a,b"], "published_at": "2030-02-30T00:00Z"}]'
    yield "empty", b"\0[]"
    yield "time_z", b"\x012030-01-15T09:00:00Z"
    yield "time_offset", b"\x012099-12-31T23:59:59.123456-23:59"
    yield "time_short", b"\x012000-02-29T00:00+00:00"
    yield "time_bad", b"\x012030-13-01T00:00:00Z"


def interview_report_seeds():
    q = {"index": 1, "score": 70, "reasons": ["有结构"], "strong_answer_adds": ["数据"]}
    rep = {"overall_score": 80, "summary": "不错", "strengths": ["清楚"], "gaps": [], "questions": [q]}
    yield "valid", b"\x02" + json.dumps(rep, ensure_ascii=False).encode()
    yield "index_out_of_range", b"\x00" + json.dumps(rep).encode()
    yield "score_out_of_range", b'\x05{"overall_score": 700}'
    yield "trailing", b"\x05{} {}"
    yield "bad_utf8", b'\x05{"summary": "\xc0\xaf"}'
    yield "cut_off", b'\x05{"overall_score": 1, "summary": "'
    up = {"summary": "讨论了上线时间", "questions": [{"question": "你能周五前完成吗？", "suggested_reply": "可以"}],
          "action_items": ["张三跟进接口"]}
    yield "meeting_valid", b"\x80" + json.dumps(up, ensure_ascii=False).encode()
    yield "meeting_bad", b'\x80{"summary": 1, "questions": [{"question": "x"}]}'


def write(dirname, name, data):
    path = os.path.join(HERE, "corpus", dirname)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


def main():
    # seeds are (re)written in place: inputs a fuzzer found and a fix kept stay beside them
    for name, ct, body in multipart_seeds():
        write("multipart", name, ct + b"\n" + body)
    for target, seeds in (("filetype", filetype_seeds), ("json_body", json_body_seeds), ("router", router_seeds),
                          ("query", query_seeds), ("content_disposition", content_disposition_seeds),
                          ("jwt", jwt_seeds), ("mail_header", mail_header_seeds), ("s3_error", s3_error_seeds),
                          ("document", document_seeds), ("wechatpay_notify", wechatpay_notify_seeds),
                          ("wechatpay_bill", wechatpay_bill_seeds), ("news_feed", news_feed_seeds),
                          ("interview_report", interview_report_seeds)):
        for name, data in seeds():
            write(target, name, data)


if __name__ == "__main__":
    main()
