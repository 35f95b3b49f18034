"""Job <-> resume matching (issue 13, seed 000's match module), black-box through nginx.

HR users are made with zhimai-admin create-user; seekers register through the API, set their
job_status (求职状态) with PATCH /api/v1/auth/me to enter the candidate pool, and upload text
resumes.  A resume's features are computed when its text is extracted, so once the extraction is
done the resume is a candidate.  The pool is every discoverable seeker of the stack: tests compare
the order of their own candidates, never absolute ranks."""
import http.client
import json
import os
import signal
import sys
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmtest  # noqa: E402
from zmtest import (burst, call, data_of, made_user, new_user, request, shared_user, sql,  # noqa: E402
                    upload, wait_for, wait_status)

BUILD = zmtest.ENV["ZM_BUILD"]
CONF = zmtest.ENV["ZM_CONF"]
TAG = uuid.uuid4().hex[:6]
STATUSES = ["离职，正在找工作", "在职，急寻新工作", "在职，看看新机会", "在职，暂无跳槽打算"]

PY_RESUME = """{name}
邮箱：py{tag}@example.com
个人简介
6年Python后端开发经验，负责高并发后端服务的设计与开发。
教育经历
2012.09-2016.06 北京邮电大学 计算机科学与技术 本科
工作经历
2018.07-至今 某某科技 高级后端工程师
- 使用 Python、Django、Flask 开发订单与库存后端服务，接口响应时间降低 60%
- 设计 MySQL 分库分表与 Redis 缓存方案，支撑日均 2000 万次请求
- 使用 Docker、Kubernetes 部署微服务，搭建 Kafka 消息队列
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
- 使用 Java、Spring Boot、Spring Cloud 开发支付后端服务
- 使用 MySQL、Redis 优化查询性能，QPS 提升 3 倍
专业技能
Java, Spring, Spring Boot, MySQL, Redis, Maven, Linux
"""
ACCOUNTING_RESUME = """{name}
个人简介
4年财务会计经验，持有中级会计师证书。
教育经历
2014.09-2018.06 上海财经大学 会计学 本科
工作经历
2018.07-至今 某制造企业 会计
- 负责总账、应收应付、月度结账与财务报表编制
- 协助年度审计与纳税申报，使用 Excel 与用友财务软件
专业技能
财务报表, 审计, 税务, Excel
"""
DESIGN_RESUME = """{name}
个人简介
平面与视觉设计师，擅长品牌视觉与插画。
教育经历
2015.09-2019.06 中国美术学院 视觉传达设计 大专
工作经历
2019.07-至今 某广告公司 视觉设计师
- 负责海报、包装与品牌手册设计
专业技能
Photoshop, Illustrator, 手绘, 排版
"""


def one(query):
    """The first column of the first row of a query, or None."""
    rows = sql(query)
    return rows[0][0] if rows and rows[0] else None


def hr(name="a"):
    return shared_user("hr", name)


def job_body(**kw):
    b = {"name": "Python后端开发工程师", "company": "腾讯科技", "city": "深圳", "salary": "20k-35k",
         "education": "本科", "years_of_working": "3年以上", "language": "",
         "responsibilities": ["负责Python后端服务的设计与开发", "参与高并发系统架构设计"],
         "requirements": ["3年以上Python后端开发经验", "熟悉Django或Flask框架", "熟悉MySQL、Redis",
                          "熟悉Linux，了解Docker者优先"],
         "description": "招聘Python后端开发工程师，负责订单与支付后端服务。", "status": "open"}
    b.update(kw)
    return b


def create_job(user=None, **kw):
    return data_of(call("POST", "/api/v1/hr/jobs", user or hr(), job_body(**kw)), 201, "create a job")


def job_text(job):
    """What a job is matched as (fcgi/matching/matching.c match_job_text): the same text a suggestion gets."""
    out = []

    def line(prefix, s):
        if s:
            out.append(prefix + s + "\n")
    line("", job["name"])
    line("学历要求：", job["education"])
    line("工作经验：", job["years_of_working"])
    line("语言要求：", job["language"])
    for key, title in (("responsibilities", "岗位职责："), ("requirements", "任职要求：")):
        if job[key]:
            out.append(title + "\n")
            for e in job[key]:
                line("", e)
    line("", job["description"])
    return "".join(out)


def candidate(text, status="在职，看看新机会", name="张三"):
    """A seeker with job_status set and one extracted resume: {"user", "resume_id"}."""
    u = new_user("cand")
    d = data_of(call("PATCH", "/api/v1/auth/me", u, {"job_status": status, "last_name": name[0],
                                                    "first_name": name[1:]}), 200, "set job_status")
    assert d["job_status"] == status, d
    r = upload(u["access"], text.format(name=name, tag=TAG).encode("utf-8"), "cv.txt")
    rid = data_of(r, 201, "upload a resume")["id"]
    assert wait_status(u, rid)["versions"][0]["text_status"] == "done"
    return {"user": u, "resume_id": rid}


def features_ready(rid):
    return wait_for(lambda: one("SELECT COUNT(*) FROM match_resume_features WHERE resume_id = '%s'" % rid.replace("-", "")) == "1",
                    timeout=10, what="features of %s" % rid)


def start(job_id, user=None, body=None):
    return call("POST", "/match/start/%s/" % job_id, user or hr(), body if body is not None else {"job_id": job_id})


def status(job_id, user=None):
    return data_of(call("GET", "/match/status/%s/" % job_id, user or hr()), 200, "match status")


def result(job_id, query="", user=None):
    return data_of(call("GET", "/match/result/%s/%s" % (job_id, query), user or hr()), 200, "match result")


def matched(job_id, user=None, timeout=30):
    return wait_for(lambda: status(job_id, user)["status"] == "matched" and status(job_id, user),
                    timeout=timeout, step=0.05, what="job %s matched" % job_id)


def all_results(job_id, user=None):
    out, page = [], 1
    while True:
        d = result(job_id, "?page=%d&page_size=100" % page, user)
        out += d["results"]
        if len(d["results"]) < 100:
            return out
        page += 1


def seed_error(r, status, what):
    assert r.status == status, "%s: expected %d, got %r" % (what, status, r)
    body = json.loads(r.body)
    assert body["success"] is False, "%s: %r" % (what, body)
    msg = body.get("message") or body.get("error", {}).get("message")
    assert isinstance(msg, str) and msg, "%s: a message: %r" % (what, body)
    return body


# ---- the seeker's job_status ---------------------------------------------------------------


def test_job_status_profile():
    u = new_user("js")
    me = data_of(call("GET", "/api/v1/auth/me", u), 200, "GET me")
    assert me["job_status"] == "在职，暂无跳槽打算", "the default is not discoverable: %r" % me
    for s in STATUSES:
        d = data_of(call("PATCH", "/api/v1/auth/me", u, {"job_status": s}), 200, "PATCH job_status")
        assert d["job_status"] == s, d
        assert data_of(call("GET", "/api/v1/auth/me", u), 200, "GET me")["job_status"] == s
    r = call("PATCH", "/api/v1/auth/me", u, {"job_status": "随便看看"})
    assert r.status == 400 and "job_status" in r.json["error"]["fields"], r
    assert data_of(call("GET", "/api/v1/auth/me", u), 200, "GET me")["job_status"] == STATUSES[-1], "unchanged"


# ---- the seed's shapes, ranking, score equality ---------------------------------------------


def test_ranking_shapes_and_scores():
    job = create_job()
    py = candidate(PY_RESUME, "离职，正在找工作", "李雷")
    java = candidate(JAVA_RESUME, "在职，急寻新工作", "韩梅梅")
    acct = candidate(ACCOUNTING_RESUME, "在职，看看新机会", "王芳")
    design = candidate(DESIGN_RESUME, "在职，看看新机会", "赵敏")
    hidden = candidate(PY_RESUME, "在职，暂无跳槽打算", "周杰")
    for c in (py, java, acct, design, hidden):
        features_ready(c["resume_id"])

    before = status(job["id"])
    assert before == {"job_id": job["id"], "status": "not_started", "progress": 0, "estimated_time": "",
                      "task_id": None, "queue_task_id": None, "error_message": None, "stale": False}, before
    r = start(job["id"], body={"job_id": job["id"], "priority": "high"})
    assert r.status == 200, r
    body = r.json
    assert set(body) == {"success", "task_id", "message"}, body
    assert body["success"] is True and body["message"] == "匹配任务已启动", body
    assert body["task_id"].startswith("match_task_") and body["task_id"][11:].isdigit(), body

    st = matched(job["id"])
    assert st["progress"] == 100 and st["task_id"] == body["task_id"] and st["stale"] is False, st
    # the run is a queue task of the HR user's: its progress events are theirs to follow
    q = data_of(call("GET", "/api/v1/tasks/%d" % st["queue_task_id"], hr()), 200, "the run's queue task")
    assert q["type"] == "matching.run" and q["state"] == "done" and q["result"]["status"] == "completed", q
    assert isinstance(st["estimated_time"], str)

    d = result(job["id"])
    for k in ("job_id", "status", "total_candidates", "matched_count", "results"):
        assert k in d, "result lacks %r: %r" % (k, d)
    assert d["job_id"] == job["id"] and d["status"] == "completed", d
    assert d["total_candidates"] >= 4 and 0 <= d["matched_count"] <= d["total_candidates"], d
    rows = all_results(job["id"])
    by_id = {x["resume_id"]: x for x in rows}
    for x in rows:
        assert set(x) >= {"resume_id", "candidate_name", "match_score", "status", "key_skills", "experience_years",
                          "education"}, x
        assert isinstance(x["match_score"], int) and 0 <= x["match_score"] <= 100, x
        assert x["status"] in STATUSES[:3], "only discoverable candidates: %r" % x
        assert isinstance(x["key_skills"], list), x
    scores = [x["match_score"] for x in rows]
    assert scores == sorted(scores, reverse=True), "ranked: %r" % scores
    assert hidden["resume_id"] not in by_id, "a seeker who did not opt in is not a candidate"

    p, j, a, g = (by_id[c["resume_id"]] for c in (py, java, acct, design))
    assert p["candidate_name"] == "李雷" and p["status"] == "离职，正在找工作", p
    assert p["education"] == "本科" and p["experience_years"] and p["experience_years"] >= 5, p
    assert "Python" in p["key_skills"] and "Django" in p["key_skills"], p
    assert j["candidate_name"] == "韩梅梅" and "Java" in j["key_skills"], j
    order = [x["resume_id"] for x in rows]
    ranks = [order.index(c["resume_id"]) for c in (py, java, acct, design)]
    assert ranks == sorted(ranks), "Python above Java above accounting above design: %r" % (
        [(x["candidate_name"], x["match_score"]) for x in (p, j, a, g)],)
    assert p["match_score"] > j["match_score"] > a["match_score"] >= g["match_score"], (p, j, a, g)

    # the same score as a builtin suggestion of the resume against the job's text (within 1 point)
    text = job_text(job)
    for c, x in ((py, p), (java, j), (acct, a), (design, g)):
        s = data_of(request("POST", "/api/suggestions", {"resume_id": c["resume_id"], "job_description": text},
                            token=c["user"]["access"]), 201, "suggestion")
        assert abs(s["score"] - x["match_score"]) <= 1, "suggestion %r vs match %r (%s)" % (
            s["score"], x["match_score"], x["candidate_name"])
    print("  scores: " + ", ".join("%s %d" % (x["candidate_name"], x["match_score"]) for x in (p, j, a, g)))

    # paging, the min_score filter, a page beyond the end
    p1 = result(job["id"], "?page=1&page_size=1")
    p2 = result(job["id"], "?page=2&page_size=1")
    assert len(p1["results"]) == 1 and len(p2["results"]) == 1, (p1, p2)
    assert p1["results"][0]["resume_id"] == order[0] and p2["results"][0]["resume_id"] == order[1]
    far = result(job["id"], "?page=1000&page_size=100")
    assert far["results"] == [] and far["status"] == "completed", far
    hi = result(job["id"], "?min_score=%d&page_size=100" % p["match_score"])
    assert hi["results"] and all(x["match_score"] >= p["match_score"] for x in hi["results"]), hi
    assert design["resume_id"] not in [x["resume_id"] for x in hi["results"]]
    r = call("GET", "/match/result/%s/?min_score=101" % job["id"], hr())
    assert r.status == 400, r

    # the results replace the previous run's: a second run, the same ranking under a new task
    r2 = start(job["id"], body={})
    assert r2.status == 200 and r2.json["task_id"] != body["task_id"], r2
    wait_for(lambda: status(job["id"])["task_id"] == r2.json["task_id"] and status(job["id"])["status"] == "matched",
             timeout=30, what="second run")
    assert [x["resume_id"] for x in all_results(job["id"])] == order
    assert one("SELECT COUNT(DISTINCT task_id) FROM match_result WHERE job_id = %d" % job["id"]) == "1", \
        "the old run's results are gone"


# ---- access and bad input ----------------------------------------------------------------------


def test_access_and_bad_input():
    job = create_job()
    other = hr("b")
    seeker = new_user("s")
    admin = made_user("admin")
    for path in ("/match/start/%d/", "/match/status/%d/", "/match/result/%d/"):
        method = "POST" if "start" in path else "GET"
        seed_error(call(method, path % job["id"], other, {} if method == "POST" else None), 404, "another HR's job")
        seed_error(call(method, path % 999999999, hr(), {} if method == "POST" else None), 404, "no such job")
        seed_error(call(method, path % job["id"], seeker, {} if method == "POST" else None), 403, "a seeker")
        r = request(method, path % job["id"], {} if method == "POST" else None)
        assert r.status == 401, r
    seed_error(start(job["id"], body={"job_id": job["id"], "priority": "urgent"}), 400, "bad priority")
    seed_error(start(job["id"], body={"job_id": job["id"], "priority": 1}), 400, "priority not a string")
    seed_error(start(job["id"], body={"job_id": job["id"] + 1}), 400, "job_id disagrees with the path")
    seed_error(start(job["id"], body={"job_id": "abc"}), 400, "job_id not an id")
    assert one("SELECT COUNT(*) FROM match_task WHERE job_id = %d" % job["id"]) == "0", "nothing was started"
    # the body's job_id as the seed's string, and an admin on another HR's job
    r = start(job["id"], admin, {"job_id": str(job["id"]), "priority": "low"})
    assert r.status == 200 and r.json["success"] is True, r
    matched(job["id"], admin)
    assert status(job["id"])["status"] == "matched", "the owner sees the admin's run"
    r = call("POST", "/match/start/%d/" % job["id"], hr(), None)
    assert r.status == 200, "no body at all: %r" % r
    matched(job["id"])


# ---- one run at a time, cancel, stale -----------------------------------------------------------


def test_concurrent_starts_make_one_run_and_cancel():
    job = create_job(name="Python后端工程师（并发）")
    slow = {"job_id": job["id"], "test_pace_ms": 400, "test_batch": 1}
    rs = burst([lambda: start(job["id"], body=slow) for _ in range(4)])
    ids = {r.json["task_id"] for r in rs if r.status == 200}
    assert all(r.status == 200 for r in rs) and len(ids) == 1, [r for r in rs]
    assert one("SELECT COUNT(*) FROM match_task WHERE job_id = %d" % job["id"]) == "1", "one run"
    st = wait_for(lambda: status(job["id"])["status"] == "matching" and status(job["id"]), timeout=10,
                  what="matching")
    assert st["estimated_time"], st
    again = start(job["id"])
    assert again.json["task_id"] in ids, "a start while running answers the running task"
    d = data_of(call("POST", "/match/cancel/%d/" % job["id"], hr()), 200, "cancel")
    assert d["status"] == "cancelled", d
    seed_error(call("POST", "/match/cancel/%d/" % job["id"], hr()), 409, "nothing to cancel")
    assert status(job["id"])["status"] == "not_started"
    tid = int(next(iter(ids))[11:])
    wait_for(lambda: one("SELECT t.state FROM zm_task t JOIN match_task m ON m.queue_task_id = t.id "
                         "WHERE m.id = %d" % tid) == "done", timeout=15, what="the cancelled run's task ending")
    assert one("SELECT status FROM match_task WHERE id = %d" % tid) == "cancelled"
    # a run afterwards; then an edit of the job marks its ranking stale
    assert start(job["id"]).status == 200
    matched(job["id"])
    assert status(job["id"])["stale"] is False
    time.sleep(0.01)
    data_of(call("PATCH", "/api/v1/hr/jobs/%d" % job["id"], hr(), {"description": "改为Go后端"}), 200, "edit")
    st = status(job["id"])
    assert st["stale"] is True and st["status"] == "matched", st
    assert result(job["id"])["stale"] is True


# ---- a killed worker resumes from the checkpoint -------------------------------------------------


def test_killed_run_resumes_from_checkpoint():
    for text in (PY_RESUME, JAVA_RESUME, ACCOUNTING_RESUME):
        features_ready(candidate(text)["resume_id"])
    job = create_job(name="Python后端（检查点）")
    assert start(job["id"]).status == 200
    matched(job["id"])
    want = [(x["resume_id"], x["match_score"]) for x in all_results(job["id"])]
    pool = int(one("SELECT COUNT(*) FROM match_resume_features f JOIN zm_user_profile p ON p.user_id = f.user_id "
                   "WHERE p.job_status <> '在职，暂无跳槽打算'"))
    assert pool >= 3

    r = start(job["id"], body={"test_pace_ms": 250, "test_batch": 1})
    tid = int(r.json["task_id"][11:])
    wait_for(lambda: int(one("SELECT scanned FROM match_task WHERE id = %d" % tid) or 0) >= 2, timeout=20,
             what="a checkpoint")
    owner = one("SELECT t.lease_owner FROM zm_task t JOIN match_task m ON m.queue_task_id = t.id WHERE m.id = %d"
                % tid)
    os.kill(int(owner.rpartition(":")[2]), signal.SIGKILL)
    at_kill = int(one("SELECT scanned FROM match_task WHERE id = %d" % tid))
    assert 0 < at_kill < pool, "killed mid-way: %d of %d" % (at_kill, pool)
    st = matched(job["id"], timeout=60)
    assert st["task_id"] == "match_task_%d" % tid, st
    row = sql("SELECT m.scanned, m.total_candidates, t.attempts FROM match_task m JOIN zm_task t "
              "ON t.id = m.queue_task_id WHERE m.id = %d" % tid)[0]
    scanned, attempts = int(row[0]), int(row[2])
    assert attempts >= 2, "the run was picked up again: %r" % row
    assert scanned == pool, "resumed from the checkpoint, nothing scanned twice: scanned %d, pool %d" % (scanned, pool)
    got = [(x["resume_id"], x["match_score"]) for x in all_results(job["id"])]
    assert got == want, "the same ranking as the uninterrupted run"
    print("  killed after %d of %d candidates; resumed (attempt %d), same ranking" % (at_kill, pool, attempts))


# ---- incremental ----------------------------------------------------------------------------------


def test_new_resume_scored_incrementally():
    job = create_job(name="Python后端（增量）")
    assert start(job["id"]).status == 200
    st = matched(job["id"])
    before = result(job["id"])
    c = candidate(PY_RESUME, "离职，正在找工作", "孙悟空")
    got = wait_for(lambda: [x for x in all_results(job["id"]) if x["resume_id"] == c["resume_id"]], timeout=10,
                   what="the new resume in the ranking")
    assert status(job["id"])["task_id"] == st["task_id"], "no new run"
    after = result(job["id"])
    assert after["total_candidates"] == before["total_candidates"] + 1, (before, after)
    s = data_of(request("POST", "/api/suggestions", {"resume_id": c["resume_id"], "job_description": job_text(job)},
                        token=c["user"]["access"]), 201, "suggestion")
    assert abs(got[0]["match_score"] - s["score"]) <= 1, (got, s["score"])
    rows = all_results(job["id"])
    assert [x["match_score"] for x in rows] == sorted([x["match_score"] for x in rows], reverse=True)


def test_leaving_the_pool_hides_a_ranked_candidate():
    """A ranked candidate who turns to 在职，暂无跳槽打算 leaves the ranking's pages and counts at once (accounts'
    hook, in the PATCH's transaction), cannot be invited or opened, and is back on opting in again."""
    c = candidate(PY_RESUME, "在职，急寻新工作", "沙悟净")
    features_ready(c["resume_id"])
    job = create_job(name="Python后端（退出）")
    assert start(job["id"]).status == 200
    matched(job["id"])
    shown = lambda: [x for x in all_results(job["id"]) if x["resume_id"] == c["resume_id"]]  # noqa: E731
    assert shown(), "ranked while discoverable"
    total = result(job["id"])["total"]
    data_of(call("PATCH", "/api/v1/auth/me", c["user"], {"job_status": "在职，暂无跳槽打算"}), 200, "opt out")
    assert shown() == [], "hidden at once"
    assert result(job["id"])["total"] == total - 1
    seed_error(call("POST", "/match/invite/%d/" % job["id"], hr(), {"resume_id": c["resume_id"]}), 404, "hidden")
    seed_error(call("GET", "/match/resume/%d/%s/" % (job["id"], c["resume_id"]), hr()), 404, "hidden")
    data_of(call("PATCH", "/api/v1/auth/me", c["user"], {"job_status": "离职，正在找工作"}), 200, "opt in")
    assert shown() and shown()[0]["status"] == "离职，正在找工作", "shown again"
    assert result(job["id"])["total"] == total


def test_backfill_rebuilds_missing_and_outdated_features():
    """matching.features rebuilds features that are missing (a hook that did not run) or of another
    version (a new dictionary), as the queue runs it (here enqueued by hand instead of its schedule)."""
    a, b = candidate(PY_RESUME), candidate(JAVA_RESUME)
    ha, hb = a["resume_id"].replace("-", ""), b["resume_id"].replace("-", "")
    for h in (ha, hb):
        features_ready(h)
    head_b = one("SELECT HEX(head) FROM match_resume_features WHERE resume_id = '%s'" % hb)
    sql("DELETE FROM match_resume_features WHERE resume_id = '%s'" % ha)
    sql("UPDATE match_resume_features SET feat_version = 1, head = 0x00 WHERE resume_id = '%s'" % hb)
    sql("INSERT INTO zm_task (type, payload, priority, state, run_after, created_at, updated_at) VALUES "
        "('matching.features', '{}', 0, 'queued', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))")
    features_ready(a["resume_id"])
    wait_for(lambda: one("SELECT HEX(head) FROM match_resume_features WHERE resume_id = '%s'" % hb) == head_b,
             timeout=15, what="the outdated features rebuilt")
    assert one("SELECT feat_version FROM match_resume_features WHERE resume_id = '%s'" % hb) != "1"


# ---- inviting a candidate to apply ---------------------------------------------------------------


def live_channel(user):
    """The user's live stream (nchan), opened: read_event(pred) reads until an event matches."""
    u = urllib.parse.urlsplit(zmtest.URL)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("GET", "/api/v1/events/users/%s?%s" % (user["id"], urllib.parse.urlencode({"access_token": user["access"]})),
              headers={"Accept": "text/event-stream"})
    r = c.getresponse()
    assert r.status == 200, "live channel: %r" % r.status

    def read_event(pred):
        data = None
        while True:
            line = r.fp.readline().decode("utf-8").rstrip("\r\n")  # a socket timeout fails the test
            if line.startswith("data:"):
                data = line[5:].lstrip(" ")
            elif line == "" and data is not None:
                e = json.loads(data)
                if pred(e):
                    return e
                data = None
    return c, read_event


def notifications(user_id, job_id):
    """The candidate's match.invite messages (the message center, msg_send) for the job."""
    return sql("SELECT m.kind, m.title, m.body, m.data, (SELECT COUNT(*) FROM messages_read r "
               "WHERE r.user_id = m.user_id AND r.message_id = m.id) FROM messages_message m "
               "WHERE m.audience = 'user' AND m.user_id = %d "
               "AND m.kind = 'match.invite' AND JSON_EXTRACT(m.data, '$.job_id') = %d" % (user_id, job_id))


def test_invite_candidate_to_apply():
    job = create_job(name="Python后端（邀请）", company="邀请科技" + TAG)
    a, b = candidate(PY_RESUME, "离职，正在找工作", "钱多"), candidate(JAVA_RESUME, "在职，急寻新工作", "孙少")
    c3 = candidate(ACCOUNTING_RESUME, "在职，看看新机会", "郑和")
    hidden = candidate(PY_RESUME, "在职，暂无跳槽打算", "吴用")
    for c in (a, b, c3, hidden):
        features_ready(c["resume_id"])
    assert start(job["id"]).status == 200
    matched(job["id"])
    rows = {x["resume_id"]: x for x in all_results(job["id"])}
    assert a["resume_id"] in rows and b["resume_id"] in rows and hidden["resume_id"] not in rows
    assert all(x["invited"] is False for x in rows.values()), "nobody invited yet"
    path = "/match/invite/%d/" % job["id"]

    # the candidate's live channel hears the invitation after the commit
    conn, read_event = live_channel(a["user"])
    try:
        r = call("POST", path, hr(), {"resume_id": a["resume_id"], "message": "欢迎投递！"})
        d = data_of(r, 201, "invite")
        assert d["job_id"] == job["id"] and d["resume_id"] == a["resume_id"] and d["invited"] is True, d
        assert d["message"] == "欢迎投递！" and isinstance(d["created_at"], str), d
        ev = read_event(lambda e: e.get("type") == "match.invite")
        assert ev["job_id"] == job["id"] and ev["job_name"] == job["name"] and ev["company"] == job["company"], ev
    finally:
        conn.close()
    n = notifications(a["user"]["id"], job["id"])
    assert len(n) == 1, n
    kind, title, body, data, is_read = n[0]
    assert title == "%s邀请你投递「%s」" % (job["company"], job["name"]) and body == "欢迎投递！", n
    assert json.loads(data)["job_id"] == job["id"] and is_read == "0", n
    rows = {x["resume_id"]: x for x in all_results(job["id"])}
    assert rows[a["resume_id"]]["invited"] is True and rows[b["resume_id"]]["invited"] is False, rows

    # once per (job, resume): a second invitation is 409 and writes nothing
    seed_error(call("POST", path, hr(), {"resume_id": a["resume_id"]}), 409, "invited twice")
    seed_error(call("POST", path, made_user("admin"), {"resume_id": a["resume_id"].replace("-", "")}), 409,
               "invited twice (plain hex id, an admin)")
    assert len(notifications(a["user"]["id"], job["id"])) == 1, "no second notification"
    assert one("SELECT COUNT(*) FROM match_invitation WHERE job_id = %d" % job["id"]) == "1"

    # not in the ranking, another HR's job, a seeker, no job: 404 / 403; nothing written
    seed_error(call("POST", path, hr(), {"resume_id": hidden["resume_id"]}), 404, "a resume not in the ranking")
    seed_error(call("POST", path, hr(), {"resume_id": str(uuid.uuid4())}), 404, "no such resume")
    seed_error(call("POST", path, hr("b"), {"resume_id": b["resume_id"]}), 404, "another HR's job")
    seed_error(call("POST", "/match/invite/999999999/", hr(), {"resume_id": b["resume_id"]}), 404, "no such job")
    seed_error(call("POST", path, a["user"], {"resume_id": b["resume_id"]}), 403, "a seeker")
    # bad bodies: 400
    for body, what in (({"resume_id": b["resume_id"], "message": "邀" * 501}, "a message over 500 characters"),
                       ({"resume_id": b["resume_id"], "message": 5}, "a message not text"),
                       ({"resume_id": 5}, "resume_id a number"),
                       ({"resume_id": "abc"}, "resume_id not an id"),
                       ({}, "no resume_id")):
        seed_error(call("POST", path, hr(), body), 400, what)
    r = request("POST", path, b"resume_id=1", headers={"Content-Type": "application/x-www-form-urlencoded"},
                token=hr()["access"])
    assert r.status == 415, r
    assert one("SELECT COUNT(*) FROM match_invitation WHERE job_id = %d" % job["id"]) == "1", "nothing written"
    assert len(notifications(b["user"]["id"], job["id"])) == 0

    # exactly 500 characters is fine; without a message the notification says it in its own words
    d = data_of(call("POST", path, hr(), {"resume_id": b["resume_id"], "message": "邀" * 500}), 201, "500 characters")
    assert d["message"] == "邀" * 500, d
    assert len(notifications(b["user"]["id"], job["id"])) == 1
    # a job that is not open takes no invitations
    data_of(call("PATCH", "/api/v1/hr/jobs/%d" % job["id"], hr(), {"status": "closed"}), 200, "close the job")
    seed_error(call("POST", path, hr(), {"resume_id": c3["resume_id"]}), 409, "a closed job")
    assert one("SELECT COUNT(*) FROM match_invitation WHERE job_id = %d" % job["id"]) == "2"


def test_hr_opens_a_ranked_candidates_resume():
    """Item 3: HR sees the resume itself once the candidate opted in (discoverable = in the ranking)."""
    job = create_job(name="Python后端（简历）", company="简历科技" + TAG)
    a = candidate(PY_RESUME, "离职，正在找工作", "冯七")
    hidden = candidate(PY_RESUME, "在职，暂无跳槽打算", "陈八")
    for c in (a, hidden):
        features_ready(c["resume_id"])
    assert start(job["id"]).status == 200
    matched(job["id"])
    path = "/match/resume/%d/%s/" % (job["id"], a["resume_id"])
    r = call("GET", path, hr())
    if r.status in (301, 302, 303, 307):  # presigning storage answers with a redirect
        assert r.headers.get("location"), r
    else:
        assert r.status == 200, (r.status, r.body[:200])
        assert "冯七".encode("utf-8") in r.body, "the candidate's own file"
    seed_error(call("GET", path, hr("b")), 404, "another HR's job")
    seed_error(call("GET", path, a["user"]), 403, "a seeker")
    seed_error(call("GET", "/match/resume/%d/%s/" % (job["id"], hidden["resume_id"]), hr()), 404,
               "not discoverable, so not in the ranking")
    seed_error(call("GET", "/match/resume/%d/%s/" % (job["id"], uuid.uuid4()), hr()), 404, "no such resume")
    seed_error(call("GET", "/match/resume/%d/not-an-id/" % job["id"], hr()), 404, "not an id")


zmtest.main(globals())
