#!/usr/bin/python3
"""The remote-model path end to end: llm.provider = openai against tests/api/fake_llm.py.

Starts fake_llm.py on a free 127.0.0.1 port, restarts the stack's zhimai-fcgi and
zhimai-worker with ZM_LLM_* overrides pointing at it, runs the cases, and in a
`finally:` restarts both daemons again without the overrides (other tests share
the stack).

    ZM_VAR=/tmp/llmtest /usr/bin/python3 tests/api/test_llm_remote.py [test_name ...]

Cases: a valid answer gives a suggestion with exactly the model's score (and
the tokens it cost); two invalid answers fail the task and write no
api_suggestion row; a diagnosis takes the model's overall_score and names it.
"""
import json

import zmtest
from fake_llm import FakeLLM
from zmtest import UUID_RE, data_of, jd, new_user, poll_task, ready_resume, request, sql, restart_daemons

# the environment variables this file restarts the daemons with (restart_daemons)
OWN_VARS = ("ZM_LLM_",)

KEY = "test-key"
MODEL = "fake-model"

MATCH = {
    "score": 73,
    "summary": "候选人的后端经验与职位基本契合。",
    "strengths": ["有 Python 后端经验"],
    "gaps": ["缺少容器化经验"],
    "suggestions": ["补充 Docker/Kubernetes 相关经历"],
    "matched_skills": ["Python", "MySQL"],
    "missing_skills": ["Kubernetes"],
}

DIAGNOSIS = {
    "overall_score": 64,
    "summary": "结构完整，但成果量化不足。",
    "sections": [
        {"name": "contact", "present": True, "findings": []},
        {"name": "projects", "present": False, "findings": ["缺少独立的项目经历板块"]},
    ],
    "rewrites": [
        {"original": "负责后端开发", "suggestion": "主导订单服务后端开发，支撑日均百万请求", "why": "突出职责与规模"}
    ],
}

FAKE = None


# ---- the daemons, pointed at the fake model ----------------------------------------------


def suggestion_rows(user):
    return int(sql("SELECT COUNT(*) FROM api_suggestion WHERE user_id = '%s'" % str(user["id"]))[0][0])


def check_fake_requests(reqs, n, what):
    assert len(reqs) == n, "%s: fake model got %d requests, expected %d: %r" % (
        what, len(reqs), n, [r["body"] for r in reqs])
    for q in reqs:
        assert q["headers"].get("authorization") == "Bearer " + KEY, "%s: auth %r" % (what, q["headers"])
        assert isinstance(q["body"], dict) and q["body"].get("model") == MODEL, "%s: body %r" % (what, q["body"])


# ---- cases -------------------------------------------------------------------------------

def test_suggestion_valid_answer():
    u = new_user("lr1")
    rid = ready_resume(u)
    FAKE.script({"content": json.dumps(MATCH, ensure_ascii=False)})
    r = request("POST", "/api/suggestions", {"resume_id": rid, "job_description": jd()}, token=u["access"])
    d = data_of(r, 202, "POST /api/suggestions (openai)")
    assert isinstance(d.get("task_id"), int) and d["task_id"] > 0, d
    t = poll_task(u, d["task_id"], timeout=30.0)
    assert t["state"] == "done", "task: %r" % t
    assert t["type"] == "suggestion.generate", t
    check_fake_requests(FAKE.requests(), 1, "valid answer")
    lst = data_of(request("GET", "/api/suggestions", token=u["access"]), 200, "GET /api/suggestions")
    assert lst["total"] == 1 and len(lst["items"]) == 1, lst
    s = lst["items"][0]
    assert UUID_RE.match(s["id"]) and s["resume_id"] == rid, s
    assert s["score"] == 73, "score %r, the model said 73" % s["score"]
    assert s["provider"] == "openai", "provider %r" % s["provider"]
    res = s["result"]
    assert isinstance(res, dict) and res.get("score") == 73, res
    assert res.get("provider") == "openai" and res.get("model") == MODEL, res
    assert res.get("summary") == MATCH["summary"], res
    assert res.get("missing_skills") == ["Kubernetes"], res
    assert suggestion_rows(u) == 1
    # what it cost, as the fake counted it (its default usage: 100 prompt, 50 completion tokens)
    detail = sql("SELECT provider, model, prompt_tokens, completion_tokens FROM zm_suggestion_detail "
                 "WHERE suggestion_id = '%s'" % s["id"].replace("-", ""))
    assert detail == [["openai", MODEL, "100", "50"]], detail
    g = data_of(request("GET", "/api/suggestions/" + s["id"], token=u["access"]), 200, "GET suggestion")
    assert g["score"] == 73 and g["provider"] == "openai", g


def test_suggestion_invalid_json_twice():
    u = new_user("lr2")
    rid = ready_resume(u)
    FAKE.script({"content": "这不是 JSON {score: 73"}, {"content": "{\"score\": 73, oops"})
    r = request("POST", "/api/suggestions", {"resume_id": rid, "job_description": jd()}, token=u["access"])
    d = data_of(r, 202, "POST /api/suggestions (openai)")
    t = poll_task(u, d["task_id"], timeout=30.0)
    assert t["state"] == "failed", "task: %r" % t
    err = t["error"] if isinstance(t["error"], str) else json.dumps(t["error"], ensure_ascii=False)
    assert err and "JSON" in err, "error does not name the problem: %r" % t["error"]
    reqs = FAKE.requests()
    check_fake_requests(reqs, 2, "invalid twice")
    # the second round shows the model its answer and what was wrong with it
    msgs = reqs[1]["body"]["messages"]
    assert any(m.get("role") == "assistant" for m in msgs), msgs
    assert "JSON" in msgs[-1]["content"], msgs[-1]
    assert suggestion_rows(u) == 0, "an api_suggestion row was written for a failed answer"
    lst = data_of(request("GET", "/api/suggestions", token=u["access"]), 200, "GET /api/suggestions")
    assert lst["total"] == 0 and lst["items"] == [], lst


def test_diagnosis_valid_answer():
    u = new_user("lr3")
    rid = ready_resume(u)
    FAKE.script({"content": json.dumps(DIAGNOSIS, ensure_ascii=False)})
    r = request("POST", "/api/v1/resume-diagnosis/full-with-skills", {"resume_id": rid, "target_role": "Python后端工程师"},
                token=u["access"])
    d = data_of(r, 202, "POST diagnosis")
    assert UUID_RE.match(d["id"]) and isinstance(d["task_id"], int), d
    t = poll_task(u, d["task_id"], timeout=30.0)
    assert t["state"] == "done", "task: %r" % t
    check_fake_requests(FAKE.requests(), 1, "diagnosis")
    g = data_of(request("GET", "/api/v1/resume-diagnosis/" + d["id"], token=u["access"]), 200, "GET diagnosis")
    assert g["state"] == "done" and g["finished_at"], g
    assert g["provider"] == "openai", "provider %r" % g["provider"]
    assert g["model"] == MODEL, "model %r" % g["model"]
    assert g["score"] == 64, "score %r, the model said 64" % g["score"]
    res = g["result"]
    assert isinstance(res, dict) and res["overall_score"] == 64, res
    assert res["summary"] == DIAGNOSIS["summary"], res
    assert [s["name"] for s in res["sections"]] == ["contact", "projects"], res


if __name__ == "__main__":
    FAKE = FakeLLM(KEY)
    try:
        restart_daemons(OWN_VARS, {
            "ZM_LLM_PROVIDER": "openai",
            "ZM_LLM_BASE_URL": "http://127.0.0.1:%d/v1" % FAKE.port,
            "ZM_LLM_MODEL": MODEL,
            "ZM_LLM_API_KEY": KEY,
            "ZM_LLM_TIMEOUT_MS": "3000",
            "ZM_LLM_MAX_RETRIES": "1",
        })
        zmtest.main(globals())
    finally:
        try:
            restart_daemons(OWN_VARS, None)
        finally:
            FAKE.stop()
