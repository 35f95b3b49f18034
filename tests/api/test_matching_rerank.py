#!/usr/bin/python3
"""Matching's optional remote re-ranking of the top K (issue 13, item 4) against tests/api/fake_llm.py.

First a run with the stack as it is (no re-ranking): the builtin ranking of a job.  Then
zhimai-fcgi and zhimai-worker restart with llm.provider = openai pointed at the fake and
matching.rerank_top_k = 2, and each case scripts the fake's answers for a new run of the same job:

- valid answers: the two best get the model's scores and the ranking is sorted again by score, ties
  in the builtin order (the model's scores replace, nothing else moves);
- garbage twice (the provider's one more chance) and timeouts: the builtin scores stay, the ranking is
  the builtin one exactly (no invented 50);
- one valid, one garbage: only the first is re-scored.

The `finally:` restarts both daemons without the overrides (other tests share the stack)."""
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmtest  # noqa: E402
from fake_llm import FakeLLM  # noqa: E402
from zmtest import data_of, made_user, new_user, request, sql, upload, wait_for, wait_status, restart_daemons  # noqa: E402

# the environment variables this file restarts the daemons with (restart_daemons)
OWN_VARS = ("ZM_LLM_", "ZM_MATCHING_")

TAG = uuid.uuid4().hex[:6]
KEY = "rerank-key"
MODEL = "fake-rerank"
FAKE = None
HR = {}
JOB = {}
BASE = []  # the builtin ranking: [(resume_id, score)], best first

PY_RESUME = """{name}
个人简介
6年Python后端开发经验，负责高并发后端服务的设计与开发。
教育经历
2012.09-2016.06 北京邮电大学 计算机科学与技术 本科
工作经历
2018.07-至今 某某科技 高级后端工程师
- 使用 Python、Django、Flask 开发订单与库存后端服务
- 设计 MySQL 分库分表与 Redis 缓存方案
- 使用 Docker、Kubernetes 部署微服务
专业技能
Python, Django, Flask, MySQL, Redis, Linux, Docker, Git
"""
JAVA_RESUME = """{name}
个人简介
5年Java后端开发经验。
教育经历
2013.09-2017.06 武汉大学 软件工程 本科
工作经历
2018.07-至今 某银行科技公司 Java开发工程师
- 使用 Java、Spring Boot 开发支付后端服务，MySQL、Redis 优化查询
专业技能
Java, Spring, Spring Boot, MySQL, Redis, Maven, Linux
"""


def answer(score):
    return {"content": json.dumps({
        "score": score, "summary": "评估", "strengths": ["后端经验"], "gaps": [], "suggestions": [],
        "matched_skills": ["Python"], "missing_skills": []}, ensure_ascii=False)}


def one(query):
    rows = sql(query)
    return rows[0][0] if rows and rows[0] else None



def candidate(text, name):
    u = new_user("rr")
    data_of(request("PATCH", "/api/v1/auth/me", {"job_status": "离职，正在找工作", "last_name": name[0],
                                                 "first_name": name[1:]}, token=u["access"]), 200)
    rid = data_of(upload(u["access"], text.format(name=name).encode("utf-8"), "cv.txt"), 201)["id"]
    assert wait_status(u, rid)["versions"][0]["text_status"] == "done"
    wait_for(lambda: one("SELECT COUNT(*) FROM match_resume_features WHERE resume_id = '%s'"
                         % rid.replace("-", "")) == "1", timeout=20, what="features")
    return rid


def run():
    """A run of the job to its end: (the ranking [(resume_id, score)], the run's task result)."""
    r = request("POST", "/match/start/%d/" % JOB["id"], {"job_id": JOB["id"]}, token=HR["access"])
    assert r.status == 200, r
    tid = r.json["task_id"]
    wait_for(lambda: (lambda s: s["task_id"] == tid and s["status"] in ("matched", "failed"))(
        data_of(request("GET", "/match/status/%d/" % JOB["id"], token=HR["access"]), 200)),
        timeout=90, step=0.1, what="the run")
    out, page = [], 1
    while True:
        d = data_of(request("GET", "/match/result/%d/?page=%d&page_size=100" % (JOB["id"], page),
                            token=HR["access"]), 200)
        out += [(x["resume_id"], x["match_score"]) for x in d["results"]]
        if len(d["results"]) < 100:
            break
        page += 1
    res = json.loads(one("SELECT t.result FROM zm_task t JOIN match_task m ON m.queue_task_id = t.id "
                         "WHERE m.id = %s" % tid[11:]))
    return out, res



def expect(rescored):
    """BASE with the scores of rescored {index: score} replaced, sorted by score again (stable)."""
    rows = [(rid, rescored.get(i, s)) for i, (rid, s) in enumerate(BASE)]
    return sorted(rows, key=lambda x: -x[1])


def requests_for_job(n, what):
    reqs = FAKE.requests()
    assert len(reqs) == n, "%s: %d requests to the model, expected %d" % (what, len(reqs), n)
    for q in reqs:
        assert q["body"]["model"] == MODEL, q
        text = json.dumps(q["body"]["messages"], ensure_ascii=False)
        assert JOB["name"] in text, "%s: the job's text goes to the model" % what
    return reqs


# ---- cases (with the re-ranking on) ---------------------------------------------------------------


def test_valid_answers_rescore_the_top_two():
    FAKE.script(answer(7), answer(99))
    got, res = run()
    requests_for_job(2, "valid")
    assert res["rescored"] == 2 and res["rescore_failed"] == 0, res
    want = expect({0: 7, 1: 99})
    assert got == want, "re-scored and sorted again:\n got %r\nwant %r" % (got[:6], want[:6])
    by_id = dict(got)
    assert by_id[BASE[0][0]] == 7 and by_id[BASE[1][0]] == 99, "the model's scores: %r" % got[:4]
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True), "ranked by score"


def test_garbage_keeps_builtin_scores():
    # each candidate: an invalid answer, then the provider's one more chance, invalid again
    FAKE.script({"content": "不是 JSON"}, {"content": "{\"score\": oops"}, {"content": "[]"},
                {"content": json.dumps({"score": 250})})
    got, res = run()
    requests_for_job(4, "garbage")
    assert res["rescored"] == 0 and res["rescore_failed"] == 2, res
    assert got == BASE, "the builtin ranking, scores and all (no invented 50): %r vs %r" % (got[:4], BASE[:4])


def test_timeouts_keep_builtin_scores():
    FAKE.script(dict(answer(1), sleep=4), dict(answer(1), sleep=4))
    got, res = run()
    assert len(FAKE.requests()) == 2, "one request each, not retried"
    assert res["rescored"] == 0 and res["rescore_failed"] == 2, res
    assert got == BASE, "timed out: the builtin ranking"


def test_one_valid_one_garbage():
    FAKE.script(answer(100), {"content": "???"}, {"content": "still not JSON"})
    got, res = run()
    requests_for_job(3, "mixed")
    assert res["rescored"] == 1 and res["rescore_failed"] == 1, res
    assert got == expect({0: 100}), got[:4]


if __name__ == "__main__":
    HR.update(made_user("hr"))
    a = candidate(PY_RESUME, "钱一" + TAG[:2])
    b = candidate(PY_RESUME.replace("6年", "4年"), "孙二" + TAG[:2])
    c = candidate(JAVA_RESUME, "李三" + TAG[:2])
    JOB.update(data_of(request("POST", "/api/v1/hr/jobs", {
        "name": "Python后端（重排%s）" % TAG, "company": "重排科技", "education": "本科", "years_of_working": "3年以上",
        "requirements": ["熟悉Python、Django、MySQL、Redis"], "description": "Python后端开发。", "status": "open"},
        token=HR["access"]), 201))
    BASE[:], first = run()
    assert first["rescored"] == 0 and first["rescore_failed"] == 0, "re-ranking is off by default: %r" % first
    assert len(BASE) >= 3 and {a, b, c} <= {x[0] for x in BASE}, BASE
    FAKE = FakeLLM(KEY)
    try:
        restart_daemons(OWN_VARS, {
            "ZM_LLM_PROVIDER": "openai",
            "ZM_LLM_BASE_URL": "http://127.0.0.1:%d/v1" % FAKE.port,
            "ZM_LLM_MODEL": MODEL,
            "ZM_LLM_API_KEY": KEY,
            "ZM_LLM_TIMEOUT_MS": "1500",
            "ZM_LLM_MAX_RETRIES": "2",
            "ZM_MATCHING_RERANK_TOP_K": "2",
        })
        zmtest.main(globals())
    finally:
        try:
            restart_daemons(OWN_VARS, None)
        finally:
            FAKE.stop()
