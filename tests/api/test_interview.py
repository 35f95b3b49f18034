#!/usr/bin/python3
"""The mock interview (fcgi/interview, issue 18) through nginx and nchan, black-box.

A builtin interview end to end (generate, the session's EventSource channel, answers, streamed
turns, follow-ups that depend on the answer, the end, the report), the owner-only rules, bad
input, idempotent answers; then, with the daemons restarted with this file's overrides: the
OpenAI-compatible interviewer against tests/api/fake_llm.py (tokens in order, a stream cut once
and asked again, cut twice and reported), per-minute charging exactly once across a
zhimai-worker restart, and 50 concurrent sessions on 2 FastCGI workers.  The `finally:` puts the
daemons back as the stack had them.

    ZM_VAR=/tmp/stack /usr/bin/python3 tests/api/test_interview.py [test_name ...]
"""
import json
import os
import subprocess
import threading
import uuid

import zmtest
from fake_llm import FakeLLM
from test_live import Channel
from zmtest import data_of, expect_error, new_user, request, restart_daemons, sql, wait_for


def one(query):
    """The first column of the first row, as text."""
    return sql(query)[0][0]

OWN_VARS = ("ZM_INTERVIEW_", "ZM_LLM_", "ZM_POINTS_PRICE_", "ZM_FCGI_WORKERS")
BUILD = zmtest.ENV["ZM_BUILD"]
CONF = zmtest.ENV["ZM_CONF"]
TAG = uuid.uuid4().hex[:6]
KEY = "sk-interview-test"

NO_NUMBERS = "我负责后端服务的设计和开发，主要做接口和数据库的优化工作，大家都觉得效果很好。"
WITH_NUMBERS = "当时接口太慢，我的任务是优化。我先加了缓存，然后改了索引，最终把延迟从 200ms 降到 50ms，提升了 4 倍。"


def member(tag="iv", fen=1000):
    """A user at 青铜 (the mock interview's level): a recharge of fen."""
    u = new_user(tag)
    p = subprocess.run([os.path.join(BUILD, "zhimai-admin"), "-c", CONF, "recharge-credit", "--user", str(u["id"]),
                        "--order", "iv-%s-%s" % (TAG, uuid.uuid4().hex[:8]), "--fen", str(fen)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, "recharge-credit: %s %s" % (p.stdout, p.stderr)
    return u


def post(path, user, body=None):
    return request("POST", path, body, token=user["access"])


def get(path, user):
    return request("GET", path, token=user["access"])


def generate(user, **cfg):
    body = {"role": "后端开发工程师", "type": "technical", "questions": 2, "language": "zh"}
    body.update(cfg)
    return data_of(post("/api/v1/mock-interview/generate", user, body), 201, "generate")


def channel(user, sid, timeout=60.0):
    ch = Channel(None, token=user["access"], path="/api/v1/events/interviews/%d" % sid, timeout=timeout)
    assert ch.status == 200, (ch.status, ch.body)
    return ch


def turn_done(ch, seq, timeout=20.0):
    return ch.wait_event(lambda e: e.get("type") in ("turn.done", "turn.failed") and e.get("seq") == seq,
                         "turn %d" % seq, timeout=timeout)


def answer(user, sid, text, key=None):
    body = {"session_id": sid, "text": text}
    if key:
        body["client_key"] = key
    return data_of(post("/api/v1/mock-interview/chat/stream", user, body), 202, "answer")


def deltas(ch, seq, attempt_from=None):
    """The deltas of turn seq after its last turn.start, in arrival order."""
    with ch.lock:
        evs = [e for e in ch.events if e.get("seq") == seq]
    starts = [i for i, e in enumerate(evs) if e["type"] == "turn.start"]
    evs = evs[starts[-1]:] if starts else evs
    return [e for e in evs if e["type"] == "turn.delta"]


def report(user, sid, timeout=20.0):
    def ready():
        d = data_of(get("/api/v1/mock-interview/records/%d" % sid, user), 200, "record")
        return d if d["report_ready"] else None
    return wait_for(ready, timeout=timeout, step=0.1, what="the report of %d" % sid)


# ---- builtin ------------------------------------------------------------------------------------


def test_full_builtin_interview():
    u = member()
    s = generate(u)
    sid = s["session_id"]
    assert len(s["plan"]) == 2 and s["plan"][0]["question"], s
    assert s["events"] == "/api/v1/events/interviews/%d" % sid
    ch = channel(u, sid)
    try:
        first = turn_done(ch, 1)
        assert first["type"] == "turn.done" and first["kind"] == "question", first
        ds = deltas(ch, 1)
        assert [d["n"] for d in ds] == list(range(len(ds))) and len(ds) > 1, ds
        assert "".join(d["delta"] for d in ds) == first["text"]
        assert s["plan"][0]["question"] in first["text"]

        # no figures in the answer: the interviewer asks to quantify
        a = answer(u, sid, NO_NUMBERS, key="k1")
        assert a["seq"] == 2 and a["reply_seq"] == 3, a
        fu = turn_done(ch, 3)
        assert fu["kind"] == "followup" and "量化" in fu["text"], fu
        ds = deltas(ch, 3)
        assert "".join(d["delta"] for d in ds) == fu["text"]

        # figures now: one follow-up at most, so the next question
        answer(u, sid, WITH_NUMBERS, key="k2")
        q2 = turn_done(ch, 5)
        assert q2["kind"] == "question" and q2["question_index"] == 1, q2
        assert s["plan"][1]["question"] in q2["text"]

        # rejoin: the transcript so far
        v = data_of(get("/api/v1/mock-interview/sessions/%d" % sid, u), 200, "rejoin")
        assert v["status"] == "active" and [t["seq"] for t in v["turns"]] == [1, 2, 3, 4, 5], v["turns"]
        assert [t["role"] for t in v["turns"]] == ["interviewer", "candidate", "interviewer", "candidate",
                                                   "interviewer"]
        assert v["turns"][1]["text"] == NO_NUMBERS and v["turns"][2]["text"] == fu["text"]
        assert "jd" not in v["config"] and v["config"]["type"] == "technical"

        # the last answer: a (possible) follow-up, then the closing ends the session by itself
        seq = 7
        answer(u, sid, WITH_NUMBERS + " 我用 Redis 做缓存。", key="k3")
        while True:
            t = turn_done(ch, seq)
            if t["kind"] == "closing":
                break
            assert t["kind"] == "followup", t
            answer(u, sid, WITH_NUMBERS, key="k%d" % seq)
            seq += 2
        ended = ch.wait_event(lambda e: e.get("type") == "session.ended", "session.ended")
        assert ended["reason"] == "completed" and ended["report_ready"], ended
    finally:
        ch.close()
    rec = report(u, sid)
    rep = rec["report"]
    assert rec["status"] == "ended" and rec["end_reason"] == "completed"
    assert rep["provider"] == "builtin" and 0 <= rep["overall_score"] <= 100
    assert [q["index"] for q in rep["questions"]] == [0, 1], rep
    q0 = rep["questions"][0]
    assert NO_NUMBERS in q0["answer"] and WITH_NUMBERS in q0["answer"]
    assert q0["reasons"] and isinstance(q0["strong_answer_adds"], list) and 0 <= q0["score"] <= 100
    assert rep["strengths"] or rep["gaps"]
    lst = data_of(get("/api/v1/mock-interview/records/", u), 200, "records")
    assert lst["total"] == 1 and lst["items"][0]["session_id"] == sid and lst["items"][0]["report_ready"]
    # the report's notice, once
    n = one("SELECT COUNT(*) FROM messages_message WHERE user_id = %d AND kind = 'interview.report'" % u["id"])
    assert n == "1", n
    # over: no more answers
    r = post("/api/v1/mock-interview/chat/stream", u, {"session_id": sid, "text": "还有一点"})
    expect_error(r, 409, "session_ended")


def test_end_early_and_idempotent_answers():
    u = member()
    sid = generate(u, questions=3)["session_id"]
    ch = channel(u, sid)
    try:
        turn_done(ch, 1)
        a1 = answer(u, sid, WITH_NUMBERS, key="same-key")
        a2 = answer(u, sid, WITH_NUMBERS, key="same-key")
        assert a2["duplicate"] and a2["turn_id"] == a1["turn_id"] and a2["reply_turn_id"] == a1["reply_turn_id"]
        turn_done(ch, 3)
        # the reply done, and later the session ended: the same key still answers what it made
        a3 = answer(u, sid, WITH_NUMBERS, key="same-key")
        assert a3["duplicate"] and a3["turn_id"] == a1["turn_id"] and a3["reply_seq"] == 3, a3
        d = data_of(post("/api/v1/mock-interview/sessions/%d/end" % sid, u), 202, "end")
        assert d["status"] == "ended" and not d["already_ended"]
        a4 = answer(u, sid, WITH_NUMBERS, key="same-key")
        assert a4["duplicate"] and a4["turn_id"] == a1["turn_id"], a4
        d = data_of(post("/api/v1/mock-interview/sessions/%d/end" % sid, u), 202, "end again")
        assert d["already_ended"]
        ch.wait_event(lambda e: e.get("type") == "session.ended", "session.ended")
    finally:
        ch.close()
    rec = report(u, sid)
    assert rec["end_reason"] == "user" and len(rec["report"]["questions"]) == 1
    assert len([t for t in rec["turns"] if t["role"] == "candidate"]) == 1


def worker(*args):
    p = subprocess.run([os.path.join(BUILD, "zhimai-worker"), "-c", CONF] + list(args), capture_output=True,
                       text=True, timeout=60, env=dict(os.environ, ZM_VAR=zmtest.VAR))
    assert p.returncode == 0, "zhimai-worker %s: %s %s" % (args, p.stdout, p.stderr)
    return p.stdout


def test_abandoned_sessions_close_with_their_report():
    u = member()
    sid = generate(u)["session_id"]
    fresh = generate(u)["session_id"]
    wait_for(lambda: data_of(get("/api/v1/mock-interview/sessions/%d" % sid, u), 200)["turns"][0]["state"] == "done",
             timeout=20, what="turn 1")
    sql("UPDATE interview_session SET last_active_at = last_active_at - INTERVAL 16 MINUTE WHERE id = %d" % sid)
    tid = int(worker("enqueue", "interview.idle", "{}", "--max-attempts", "1").strip())

    def finished():
        t = json.loads(worker("get", str(tid)))
        return t if t["state"] in ("done", "failed") else None
    t = wait_for(finished, timeout=30, step=0.1, what="interview.idle")
    assert t["state"] == "done" and t["result"]["closed"] >= 1, t
    rec = report(u, sid)
    assert rec["end_reason"] == "idle" and rec["report"]["questions"][0]["answer"] == "", rec
    assert data_of(get("/api/v1/mock-interview/sessions/%d" % fresh, u), 200)["status"] == "active"


def test_others_sessions_are_not_found():
    u, other = member(), member("ivx")
    sid = generate(u)["session_id"]
    for r in (get("/api/v1/mock-interview/sessions/%d" % sid, other),
              get("/api/v1/mock-interview/records/%d" % sid, other),
              post("/api/v1/mock-interview/sessions/%d/end" % sid, other),
              post("/api/v1/mock-interview/chat/stream", other, {"session_id": sid, "text": "你好你好你好"}),
              post("/api/v1/interview/ai-reference", other, {"session_id": sid, "question_index": 0}),
              get("/api/v1/mock-interview/sessions/99999999", u),
              get("/api/v1/mock-interview/sessions/abc", u)):
        expect_error(r, 404, "not_found")
    ch = Channel(None, token=other["access"], path="/api/v1/events/interviews/%d" % sid, timeout=5)
    assert ch.status == 403, ch.status
    ch.close()
    ch = Channel(None, path="/api/v1/events/interviews/%d" % sid, timeout=5)
    assert ch.status in (401, 403), ch.status
    ch.close()
    # still the owner's, untouched
    v = data_of(get("/api/v1/mock-interview/sessions/%d" % sid, u), 200, "own session")
    assert v["status"] == "active"


def test_bad_input_and_gate():
    u = member()
    r = request("POST", "/api/v1/mock-interview/generate", b"{not json", token=u["access"],
                headers={"Content-Type": "application/json"})
    expect_error(r, 400)
    zmtest.expect_field(post("/api/v1/mock-interview/generate", u, {"type": "technical"}), "role")
    zmtest.expect_field(post("/api/v1/mock-interview/generate", u, {"role": "x", "type": "chat"}), "type")
    zmtest.expect_field(post("/api/v1/mock-interview/generate", u, {"role": "x", "questions": 99}), "questions")
    zmtest.expect_field(post("/api/v1/mock-interview/generate", u, {"role": "x", "material_ids": ["a"]}),
                        "material_ids")
    zmtest.expect_field(post("/api/v1/mock-interview/generate", u, {"role": "x", "resume_id": "nope"}), "resume_id")
    sid = generate(u)["session_id"]
    zmtest.expect_field(post("/api/v1/mock-interview/chat/stream", u, {"session_id": sid, "text": "长" * 4001}),
                        "text")
    zmtest.expect_field(post("/api/v1/mock-interview/chat/stream", u, {"session_id": sid, "text": "x",
                                                                        "client_key": "a b"}), "client_key")
    # below 青铜: 403 with the level needed, nothing created
    poor = new_user("ivpoor")
    r = post("/api/v1/mock-interview/generate", poor, {"role": "后端"})
    expect_error(r, 403, "membership_required")
    assert one("SELECT COUNT(*) FROM interview_session WHERE user_id = %d" % poor["id"]) == "0"


def test_materials_resume_and_reference():
    u = member()
    m = data_of(post("/api/v1/custom-interview/upload-materials", u,
                     {"kind": "jd", "text": "招聘 Go 后端工程师：熟悉 Kafka、Redis、MySQL，负责高并发交易系统。"}), 201, "jd")
    assert m["kind"] == "jd" and m["chars"] > 10
    body, ctype = zmtest.multipart([("kind", "notes", None, None), ("file", "我想重点练习项目经历。", "notes.txt", "text/plain")])
    r = request("POST", "/api/v1/custom-interview/upload-materials", body, token=u["access"],
                headers={"Content-Type": ctype})
    n = data_of(r, 201, "notes file")
    assert n["kind"] == "notes" and n["name"] == "notes.txt"
    body, ctype = zmtest.multipart([("kind", "jd", None, None), ("file", b"%PDF-1.4\x00\xff", "x.pdf", None)])
    r = request("POST", "/api/v1/custom-interview/upload-materials", body, token=u["access"],
                headers={"Content-Type": ctype})
    expect_error(r, 400)
    # a resume: uploaded like the resumes API, then named by id
    body, ctype = zmtest.multipart([("file", "张三 Go 后端 五年经验 Kafka Redis", "cv.txt", "text/plain")])
    r = request("POST", "/api/v1/mock-interview/upload-resume", body, token=u["access"],
                headers={"Content-Type": ctype})
    rid = data_of(r, 201, "upload-resume")["id"]
    zmtest.wait_status(u, rid)
    d = data_of(post("/api/v1/mock-interview/upload-resume", u, {"resume_id": rid}), 200, "resume by id")
    assert d["ready"] and d["resume_id"] == rid
    other = member("ivy")
    expect_error(post("/api/v1/mock-interview/upload-resume", other, {"resume_id": rid}), 404, "not_found")
    s = generate(u, resume_id=rid, material_ids=[m["id"], n["id"]], type="mixed", questions=3)
    assert len(s["plan"]) == 3
    expect_error(post("/api/v1/mock-interview/generate", other, {"role": "x", "material_ids": [m["id"]]}), 400)
    ref = data_of(post("/api/v1/interview/ai-reference", u, {"session_id": s["session_id"], "question_index": 0,
                                                            "answer": NO_NUMBERS}), 200, "reference")
    assert ref["question"] == s["plan"][0]["question"] and ref["reference"] and ref["key_points"]
    assert any("数据" in x for x in ref["improvements"]), ref
    ref = data_of(post("/api/v1/interview/ai-reference", u, {"question": "介绍一个你最有成就感的项目"}), 200, "ref")
    assert ref["reference"] and ref["provider"] == "builtin"
    # a job from the jobs module: its name is the role, its description the JD
    hr = zmtest.shared_user("hr", tag="ivhr")
    job = data_of(zmtest.call("POST", "/api/v1/hr/jobs", hr, {
        "name": "Kafka 消息平台工程师" + TAG, "company": "测试公司", "city": "上海", "salary": "20k-30k",
        "status": "open", "description": "负责基于 Kafka 的消息平台，熟悉 Go 与分布式系统。"}), 201, "job")

    def with_job():
        r = post("/api/v1/mock-interview/generate", u, {"job_id": job["id"], "questions": 2})
        return r.json["data"] if r.status == 201 else None
    s = wait_for(with_job, timeout=10, step=0.1, what="generate with the job (after its sync)")
    v = data_of(get("/api/v1/mock-interview/sessions/%d" % s["session_id"], u), 200, "session")
    assert v["config"]["role"].startswith("Kafka 消息平台工程师") and v["config"]["has_jd"], v["config"]
    zmtest.expect_field(post("/api/v1/mock-interview/generate", u, {"job_id": 99999999}), "job_id")
    # a question an admin added to the classic bank, tagged with a skill of the role: first in the plan
    ad = zmtest.shared_user("admin", tag="ivadmin")
    tag = "Flink%s" % TAG
    q = data_of(zmtest.call("POST", "/api/v1/admin/classic-questions", ad, {
        "category": "technical", "tag": tag, "question": "%s 的检查点机制如何保证精确一次？" % tag,
        "why": "考察流处理", "outline": ["检查点与屏障", "两阶段提交"]}), 201, "admin question")
    s = generate(u, role="%s 开发工程师" % tag, questions=4)
    assert s["plan"][0]["question"] == q["question"] and s["plan"][0]["outline"] == q["outline"], s["plan"]
    assert [p["index"] for p in s["plan"]] == [0, 1, 2, 3]
    assert q["question"] not in [p["question"] for p in generate(u, role="前端工程师")["plan"]]


def test_meeting_assistant():
    bronze = member("ivm")
    expect_error(post("/api/v1/meeting-assistant/start", bronze, {"topic": "周会"}), 403, "membership_required")
    u = member("ivm", fen=6000)  # 白银
    zmtest.expect_field(post("/api/v1/meeting-assistant/start", u, {"my_role": "后端"}), "topic")
    m = data_of(post("/api/v1/meeting-assistant/start", u, {"topic": "上线评审", "my_role": "后端负责人"}), 201, "start")
    sid = m["session_id"]
    ch = channel(u, sid)
    try:
        line = "/api/v1/meeting-assistant/sessions/%d/transcript" % sid
        a = data_of(post(line, u, {"text": "我们先同步一下上线计划，接口开发完成了八成。", "client_key": "l1"}), 202, "line")
        assert a["seq"] == 1 and a["reply_seq"] == 2
        data_of(post(line, u, {"text": "后端负责人，你能保证周五前完成联调吗？", "client_key": "l2"}), 202, "line")
        data_of(post(line, u, {"text": "测试需要在下周一之前完成回归。", "client_key": "l3"}), 202, "line")
        ups = [turn_done(ch, k) for k in (2, 4, 6)]
        assert all(t["type"] == "turn.done" and t["kind"] == "update" for t in ups), ups
        assert ups[1]["update"]["questions"][0]["question"].startswith("后端负责人") and \
            ups[1]["update"]["questions"][0]["suggested_reply"], ups[1]
        assert ups[2]["update"]["action_items"] == ["测试需要在下周一之前完成回归。"], ups[2]
        assert "上线评审" in ups[2]["update"]["summary"]
        assert "".join(d["delta"] for d in deltas(ch, 4)) == ups[1]["text"]
        # a mock interview's paths do not know it
        expect_error(get("/api/v1/mock-interview/sessions/%d" % sid, u), 404, "not_found")
        expect_error(post("/api/v1/mock-interview/chat/stream", u, {"session_id": sid, "text": "你好你好你好你好"}), 404)
        v = data_of(get("/api/v1/meeting-assistant/sessions/%d" % sid, u), 200, "meeting")
        assert v["kind"] == "meeting" and len(v["plan"]["questions"]) == 1 and len(v["plan"]["action_items"]) == 1
        data_of(post("/api/v1/meeting-assistant/sessions/%d/end" % sid, u), 202, "end")
        ch.wait_event(lambda e: e.get("type") == "session.ended", "session.ended")
    finally:
        ch.close()
    rec = data_of(get("/api/v1/meeting-assistant/records/%d" % sid, u), 200, "record")
    assert rec["report_ready"] and rec["report"]["lines"] == 3 and rec["overall_score"] is None, rec
    assert rec["report"]["action_items"] == ["测试需要在下周一之前完成回归。"]
    lst = data_of(get("/api/v1/meeting-assistant/records/", u), 200, "records")
    assert lst["total"] == 1 and lst["items"][0]["topic"] == "上线评审"
    assert data_of(get("/api/v1/mock-interview/records/", u), 200, "mock records")["total"] == 0
    other = member("ivm", fen=6000)
    expect_error(get("/api/v1/meeting-assistant/records/%d" % sid, other), 404, "not_found")
    expect_error(post("/api/v1/meeting-assistant/sessions/%d/transcript" % sid, other, {"text": "嗨"}), 404)


# ---- with overrides -----------------------------------------------------------------------------


def run_openai(fake):
    u = member()
    fake.script({"content": "你好，我们开始。第 1 题：请介绍一下你自己。", "deltas": ["你好，", "我们开始。", "第 1 题：", "请介绍一下", "你自己。"]},
                require_json=False)
    s = generate(u)
    sid = s["session_id"]
    assert s["provider"] == "openai"
    ch = channel(u, sid)
    try:
        t = turn_done(ch, 1)
        assert t["type"] == "turn.done" and t["text"] == "你好，我们开始。第 1 题：请介绍一下你自己。", t
        assert "".join(d["delta"] for d in deltas(ch, 1)) == t["text"]
        req = fake.requests()
        assert len(req) == 1 and req[0]["body"]["stream"] is True
        assert s["plan"][0]["question"] in req[0]["body"]["messages"][1]["content"]

        # cut mid-stream once: asked again, the turn restarts (attempt 2) and completes
        fake.script({"content": "能量化一下吗？", "deltas": ["能", "量化", "一下", "吗？"], "cut_after": 2},
                    {"content": "能具体量化一下结果吗？", "deltas": ["能具体", "量化一下", "结果吗？"]}, require_json=False)
        answer(u, sid, NO_NUMBERS)
        t = turn_done(ch, 3)
        assert t["type"] == "turn.done" and t["text"] == "能具体量化一下结果吗？", t
        starts = [e for e in ch.events if e.get("seq") == 3 and e["type"] == "turn.start"]
        assert [e["attempt"] for e in starts] == [1, 2], starts
        assert "".join(d["delta"] for d in deltas(ch, 3)) == t["text"]
        assert "追问" in fake.requests()[0]["body"]["messages"][1]["content"]

        # cut twice: the turn fails visibly
        fake.script({"content": "第 2 题", "deltas": ["第", " 2", " 题"], "cut_after": 1},
                    {"content": "第 2 题", "deltas": ["第", " 2", " 题"], "cut_after": 1}, require_json=False)
        answer(u, sid, WITH_NUMBERS)
        t = turn_done(ch, 5)
        assert t["type"] == "turn.failed" and t["error"], t
        v = data_of(get("/api/v1/mock-interview/sessions/%d" % sid, u), 200, "session")
        assert v["turns"][-1]["state"] == "failed" and v["turns"][-1]["error"]

        # answering again gets a new turn
        fake.script({"content": "好的，第 2 题：说说你的项目。"}, require_json=False)
        answer(u, sid, WITH_NUMBERS)
        t = turn_done(ch, 7)
        assert t["type"] == "turn.done", t

        # the report: the model's JSON, validated
        rep = {"overall_score": 77, "summary": "不错", "strengths": ["表达清楚"], "gaps": ["缺少数据"],
               "questions": [{"index": 0, "score": 70, "reasons": ["有结构"], "strong_answer_adds": ["数据"]}]}
        fake.script({"content": json.dumps(rep, ensure_ascii=False)})
        data_of(post("/api/v1/mock-interview/sessions/%d/end" % sid, u), 202, "end")
    finally:
        ch.close()
    r = report(u, sid)["report"]
    assert r["provider"] == "openai" and r["overall_score"] == 77 and r["questions"][0]["score"] == 70, r

    # an invalid report: the builtin's scores stand, with the reason
    u2 = member()
    fake.script({"content": "你好，第 1 题：自我介绍。"}, require_json=False)
    sid = generate(u2)["session_id"]
    wait_for(lambda: data_of(get("/api/v1/mock-interview/sessions/%d" % sid, u2), 200)["turns"][0]["state"] == "done",
             timeout=20, what="turn 1")
    fake.script({"content": "{\"overall_score\": 700}"})
    data_of(post("/api/v1/mock-interview/sessions/%d/end" % sid, u2), 202, "end")
    r = report(u2, sid)["report"]
    assert r["provider"] == "builtin" and "overall_score" in r["model_error"], r

    # the meeting assistant on the model: its JSON update, validated; an invalid one falls back
    u3 = member("ivmo", fen=6000)
    sid = data_of(post("/api/v1/meeting-assistant/start", u3, {"topic": "周会"}), 201, "start")["session_id"]
    ch = channel(u3, sid)
    try:
        up = {"summary": "讨论了上线", "questions": [{"question": "你能周五完成吗？", "suggested_reply": "可以，周四自测"}],
              "action_items": ["周五前联调"]}
        fake.script({"content": json.dumps(up, ensure_ascii=False)})
        post("/api/v1/meeting-assistant/sessions/%d/transcript" % sid, u3, {"text": "你能周五完成联调吗？"})
        t = turn_done(ch, 2)
        assert t["update"]["provider"] == "openai" and t["update"]["questions"] == up["questions"], t
        fake.script({"content": "{\"summary\": 5}"})
        post("/api/v1/meeting-assistant/sessions/%d/transcript" % sid, u3, {"text": "测试需要下周一前完成回归。"})
        t = turn_done(ch, 4)
        assert t["update"]["provider"] == "builtin" and t["update"]["model_error"], t
        assert t["update"]["action_items"] == ["测试需要下周一前完成回归。"], t
    finally:
        ch.close()


def run_charging():
    u = member(fen=1000)  # 20 points at 2 a yuan
    bal0 = data_of(get("/api/v1/points/balance", u), 200)["points"]
    sid = generate(u, questions=3)["session_id"]
    ch = channel(u, sid)
    key = "session:interview-%d:min:%%" % sid

    def charged():
        return sql("SELECT COUNT(*), COALESCE(SUM(delta), 0) FROM points_ledger WHERE idem_key LIKE '%s'" % key)[0]
    try:
        turn_done(ch, 1)
        assert charged() == ["1", "-3"], charged()
        # two minutes in: the next turn charges minute 2
        sql("UPDATE interview_session SET started_at = started_at - INTERVAL 70 SECOND WHERE id = %d" % sid)
        answer(u, sid, WITH_NUMBERS)
        turn_done(ch, 3)
        assert charged() == ["2", "-6"], charged()
        # the same turn again after a worker restart (a task delivered twice): nothing more charged,
        # the turn rewritten in place
        zmtest.restart_daemons(OWN_VARS, OVERRIDES_PRICE)
        sql("UPDATE interview_turn SET state = 'pending' WHERE session_id = %d AND seq = 3" % sid)
        sql("UPDATE zm_task SET state = 'queued', run_after = UTC_TIMESTAMP(6) "
            "WHERE dedupe_key = 'interview.turn:%d:3'" % sid)
        wait_for(lambda: one("SELECT state FROM interview_turn WHERE session_id = %d AND seq = 3" % sid)
                 == "done", timeout=20, what="the turn produced again")
        assert one("SELECT COUNT(*) FROM interview_turn WHERE session_id = %d" % sid) == "3"
        assert charged() == ["2", "-6"], charged()
        data_of(post("/api/v1/mock-interview/sessions/%d/end" % sid, u), 202, "end")
    finally:
        ch.close()
    rec = report(u, sid)
    assert rec["charged_minutes"] == 2 and charged() == ["2", "-6"], (rec["charged_minutes"], charged())
    assert data_of(get("/api/v1/points/balance", u), 200)["points"] == bal0 - 6

    # points run out: the session ends with the report so far (end_reason points)
    poor = member(fen=1000)
    bal = data_of(get("/api/v1/points/balance", poor), 200)["points"]
    sid = generate(poor, questions=5)["session_id"]
    ch = channel(poor, sid)
    try:
        turn_done(ch, 1)
        sql("UPDATE interview_session SET started_at = started_at - INTERVAL %d SECOND WHERE id = %d"
            % (60 * (bal // 3 + 2), sid))
        answer(poor, sid, WITH_NUMBERS)
        t = turn_done(ch, 3)
        assert t["kind"] == "closing" and "积分" in t["text"], t
        ch.wait_event(lambda e: e.get("type") == "session.ended", "session.ended")
    finally:
        ch.close()
    rec = report(poor, sid)
    assert rec["end_reason"] == "points" and rec["report"]["questions"], rec


def run_concurrent(n=50):
    users = [None] * n

    def make(i):
        users[i] = member("ivc")
    ts = [threading.Thread(target=make, args=(i,)) for i in range(n)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    results, errors = [None] * n, []

    def run(i):
        try:
            u = users[i]
            sid = generate(u, questions=2)["session_id"]
            ch = channel(u, sid, timeout=120)
            try:
                seq, turns = 1, 0
                while True:
                    t = turn_done(ch, seq, timeout=60)
                    assert t["type"] == "turn.done", t
                    turns += 1
                    if t["kind"] == "closing":
                        break
                    answer(u, sid, WITH_NUMBERS, key="c%d" % seq)
                    seq += 2
                results[i] = turns
            finally:
                ch.close()
        except Exception as e:  # collected: every session must finish
            errors.append("%d: %r" % (i, e))
    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert not errors, errors[:5]
    assert all(r and r >= 3 for r in results), results


OVERRIDES_PRICE = {"ZM_POINTS_PRICE_MOCK_INTERVIEW_MINUTE": "3"}


def test_with_overrides():
    """The three parts that restart the daemons, in one test so the stack is put back once."""
    fake = FakeLLM(KEY)
    try:
        restart_daemons(OWN_VARS, {
            "ZM_INTERVIEW_PROVIDER": "openai",
            "ZM_LLM_BASE_URL": "http://127.0.0.1:%d/v1" % fake.port,
            "ZM_LLM_MODEL": "fake-interviewer",
            "ZM_LLM_API_KEY": KEY,
            "ZM_LLM_TIMEOUT_MS": "5000",
            "ZM_LLM_MAX_RETRIES": "0",
        })
        run_openai(fake)
        restart_daemons(OWN_VARS, OVERRIDES_PRICE)
        run_charging()
        restart_daemons(OWN_VARS, {"ZM_FCGI_WORKERS": "2"})
        run_concurrent()
    finally:
        try:
            restart_daemons(OWN_VARS, None)
        finally:
            fake.stop()


if __name__ == "__main__":
    zmtest.main(globals())
