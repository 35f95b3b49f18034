"""Jobs, applications, job search and the HR <-> job-seeker sync (issue 12), black-box through nginx.

HR users and admins are made with zhimai-admin create-user; seekers register through the API.
The seeker side reads its own read model, so what a seeker sees after an HR write is waited for
(within a few seconds: the sync task is woken on commit)."""
import json
import os
import re
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmtest  # noqa: E402
from zmtest import (burst, call, data_of, expect_error, expect_field, expect_404, made_user,  # noqa: E402
                    new_user, poll_task, request, shared_user, sql, upload, wait_for)

BUILD = zmtest.ENV["ZM_BUILD"]
CONF = zmtest.ENV["ZM_CONF"]
SEED_KEYS = ["job_id", "name", "company", "city", "salary", "education", "years_of_working", "language",
             "responsibilities", "requirements"]
TAG = uuid.uuid4().hex[:6]


def hr(name="a"):
    return shared_user("hr", name)


def job_body(**kw):
    b = {"name": "Python开发工程师", "company": "腾讯科技", "city": "深圳", "salary": "15k-25k",
         "education": "本科", "years_of_working": "3-5年", "language": "英语",
         "responsibilities": ["负责后端开发", "参与系统设计"], "requirements": ["熟悉Python", "了解Django框架"],
         "description": "后端服务开发", "status": "open"}
    b.update(kw)
    return b


def create_job(user=None, **kw):
    return data_of(call("POST", "/api/v1/hr/jobs", user or hr(), job_body(**kw)), 201, "create a job")


def detail(job_id, user):
    return call("GET", "/jobs/api/job/%s/" % job_id, user)


def seeker_sees(job_id, user, timeout=5.0):
    """The job detail once the seekers' read model has it."""
    return wait_for(lambda: detail(job_id, user).status == 200 and detail(job_id, user).json["data"],
                    timeout=timeout, step=0.02, what="job %s in the seekers' read model" % job_id)


def resume_of(user, text="张三 Python 后端 五年经验"):
    r = upload(user["access"], text.encode("utf-8"), "cv.txt")
    return data_of(r, 201, "upload a resume")["id"]


def my_apps(user):
    return data_of(call("GET", "/api/v1/applications", user), 200, "my applications")["items"]


def wait_my_status(user, app_id, status, timeout=5.0):
    def check():
        for a in my_apps(user):
            if a["id"] == app_id and a["status"] == status:
                return a
        return None
    return wait_for(check, timeout=timeout, step=0.02, what="application %d %s on the seeker's side" % (app_id, status))


def search(user, **params):
    from urllib.parse import urlencode
    return call("GET", "/api/v1/search/jobs?" + urlencode(params), user)


def task_done(user, task_id):
    t = poll_task(user, task_id, timeout=30)
    assert t["state"] == "done", t
    return t["result"]


# ---- jobs ---------------------------------------------------------------------------------

def test_seed_job_detail_shape():
    j = create_job()
    assert isinstance(j["id"], int) and j["job_id"] == str(j["id"]), j
    assert j["salary_min"] == 15 and j["salary_max"] == 25, j
    seeker = new_user("seeker")
    d = seeker_sees(j["id"], seeker)
    r = detail(j["id"], seeker)
    body = json.loads(r.body.decode("utf-8"))
    assert list(body.keys()) == ["success", "data"] and body["success"] is True, body
    assert list(body["data"].keys()) == SEED_KEYS, "the seed's field names in its order: %r" % list(body["data"])
    assert d == {"job_id": str(j["id"]), "name": "Python开发工程师", "company": "腾讯科技", "city": "深圳",
                 "salary": "15k-25k", "education": "本科", "years_of_working": "3-5年", "language": "英语",
                 "responsibilities": ["负责后端开发", "参与系统设计"],
                 "requirements": ["熟悉Python", "了解Django框架"]}, d
    # the owner sees a draft; a seeker does not
    dr = create_job(status="draft")
    assert detail(dr["id"], hr()).status == 200
    expect_404(detail(dr["id"], seeker), "a seeker reads a draft")
    expect_404(detail("999999999", seeker), "no such job")
    expect_404(detail("abc", seeker), "not an id")


def test_hr_crud_and_ownership():
    a, b = hr("a"), hr("b")
    j = create_job(a, status="draft")
    got = data_of(call("GET", "/api/v1/hr/jobs/%d" % j["id"], a), 200, "get own")
    assert got["name"] == j["name"] and got["status"] == "draft"
    lst = data_of(call("GET", "/api/v1/hr/jobs?status=draft", a), 200, "list")
    assert any(x["id"] == j["id"] for x in lst["items"]) and lst["total"] >= 1
    p = data_of(call("PATCH", "/api/v1/hr/jobs/%d" % j["id"], a, {"name": "高级Python工程师", "salary": "20-30K/月"}),
                200, "patch")
    assert p["name"] == "高级Python工程师" and p["salary_min"] == 20 and p["salary_max"] == 30 and p["city"] == "深圳", p
    # another HR: 404 on every path, nothing changed
    for m, path, body in [("GET", "/api/v1/hr/jobs/%d", None), ("PATCH", "/api/v1/hr/jobs/%d", {"name": "x"}),
                          ("DELETE", "/api/v1/hr/jobs/%d", None), ("GET", "/api/v1/hr/jobs/%d/applications", None)]:
        expect_404(call(m, path % j["id"], b, body), "%s %s by another HR" % (m, path))
    assert not any(x["id"] == j["id"] for x in data_of(call("GET", "/api/v1/hr/jobs", b), 200, "b's list")["items"])
    # a seeker: 403
    s = new_user("seeker")
    expect_error(call("GET", "/api/v1/hr/jobs", s), 403, "forbidden")
    expect_error(call("POST", "/api/v1/hr/jobs", s, job_body()), 403, "forbidden")
    # an admin sees it
    adm = made_user("admin")
    assert data_of(call("GET", "/api/v1/hr/jobs/%d" % j["id"], adm), 200, "admin")["id"] == j["id"]
    assert call("DELETE", "/api/v1/hr/jobs/%d" % j["id"], a).status == 204
    expect_404(call("GET", "/api/v1/hr/jobs/%d" % j["id"], a), "deleted")
    expect_404(call("DELETE", "/api/v1/hr/jobs/%d" % j["id"], a), "deleted twice")


def test_salary_and_bad_input():
    for text, lo, hi in [("15k-25k", 15, 25), ("15-25K", 15, 25), ("1.5万-2.5万", 15, 25), ("15000-25000", 15, 25),
                         ("20k", 20, 20), ("面议", None, None), ("", None, None), ("8千~1.2万/月", 8, 12)]:
        j = create_job(salary=text, status="draft")
        assert (j["salary_min"], j["salary_max"]) == (lo, hi), "%r -> %r" % (text, j)
    a = hr()
    before = sql("SELECT COUNT(*) FROM jobs_jobposition WHERE owner_id = %d" % a["id"])[0][0]
    for body, field in [({"salary": "25k-15k"}, "salary"), ({"salary": "lots"}, "salary"),
                        ({"salary": "15k-99999k"}, "salary"), ({"name": "x" * 201}, "name"), ({"name": ""}, "name"),
                        ({"company": None}, "company"), ({"responsibilities": "负责"}, "responsibilities"),
                        ({"requirements": [1, 2]}, "requirements"), ({"requirements": ["x" * 501]}, "requirements"),
                        ({"status": "published"}, "status"), ({"city": 5}, "city")]:
        b = job_body(**body)
        if body.get("company", 1) is None:
            del b["company"]
        expect_field(call("POST", "/api/v1/hr/jobs", a, b), field, what="create with %r" % body)
    j = create_job(a, status="draft")
    expect_field(call("PATCH", "/api/v1/hr/jobs/%d" % j["id"], a, {"salary": "30k-10k"}), "salary")
    expect_field(call("PATCH", "/api/v1/hr/jobs/%d" % j["id"], a, {"name": ""}), "name")
    after = sql("SELECT COUNT(*) FROM jobs_jobposition WHERE owner_id = %d" % a["id"])[0][0]
    assert int(after) == int(before) + 1, "refused creates wrote rows: %s -> %s" % (before, after)
    assert data_of(call("GET", "/api/v1/hr/jobs/%d" % j["id"], a), 200, "unchanged")["salary"] == "15k-25k"
    expect_field(call("GET", "/api/v1/hr/jobs?status=bogus", a), "status")
    expect_error(request("POST", "/api/v1/hr/jobs", b"not json", headers={"Content-Type": "application/json"},
                         token=a["access"]), 400)


# ---- applications ---------------------------------------------------------------------------

def test_apply_status_machine_and_sync():
    a = hr()
    j = create_job(a, name="后端工程师" + TAG)
    s = new_user("seeker")
    rid = resume_of(s)
    seeker_sees(j["id"], s)
    app = data_of(call("POST", "/api/v1/applications", s, {"job_id": str(j["id"]), "resume_id": rid}), 201, "apply")
    assert app["status"] == "submitted" and app["job_id"] == j["id"], app
    expect_error(call("POST", "/api/v1/applications", s, {"job_id": j["id"], "resume_id": rid}), 409, "already_applied")
    wait_my_status(s, app["id"], "submitted")
    # HR sees the snapshot
    lst = data_of(call("GET", "/api/v1/hr/jobs/%d/applications" % j["id"], a), 200, "applicants")
    mine = [x for x in lst["items"] if x["id"] == app["id"]]
    assert len(mine) == 1 and mine[0]["resume_id"] == rid and mine[0]["applicant_email"] == s["email"], mine
    assert "五年经验" in (mine[0]["resume_text"] or "") or mine[0]["resume_text"] is None, mine
    path = "/api/v1/hr/applications/%d" % app["id"]
    for st in ("viewed", "interviewing"):
        assert data_of(call("PATCH", path, a, {"status": st}), 200, st)["status"] == st
        wait_my_status(s, app["id"], st)
    expect_error(call("PATCH", path, a, {"status": "viewed"}), 409, "invalid_transition")
    expect_field(call("PATCH", path, a, {"status": "withdrawn"}), "status")
    expect_field(call("PATCH", path, a, {}), "status")
    expect_404(call("PATCH", path, hr("b"), {"status": "offered"}), "another HR moves it")
    expect_error(call("PATCH", path, s, {"status": "offered"}), 403)
    assert data_of(call("PATCH", path, a, {"status": "offered"}), 200, "offer")["status"] == "offered"
    w = data_of(call("POST", "/api/v1/applications/%d/withdraw" % app["id"], s), 200, "withdraw")
    assert w["status"] == "withdrawn", w
    wait_my_status(s, app["id"], "withdrawn")
    expect_error(call("POST", "/api/v1/applications/%d/withdraw" % app["id"], s), 409, "invalid_transition")
    expect_404(call("POST", "/api/v1/applications/%d/withdraw" % app["id"], new_user("other")), "someone else's")
    # bad input, nothing written
    n = sql("SELECT COUNT(*) FROM jobs_application WHERE user_id = %d" % s["id"])[0][0]
    expect_field(call("POST", "/api/v1/applications", s, {"resume_id": rid}), "job_id")
    expect_field(call("POST", "/api/v1/applications", s, {"job_id": "x1", "resume_id": rid}), "job_id")
    expect_field(call("POST", "/api/v1/applications", s, {"job_id": j["id"], "resume_id": "nope"}), "resume_id")
    expect_404(call("POST", "/api/v1/applications", s, {"job_id": 999999999, "resume_id": rid}), "no such job")
    other_rid = resume_of(new_user("o"))
    j2 = create_job(a)
    expect_404(call("POST", "/api/v1/applications", s, {"job_id": j2["id"], "resume_id": other_rid}),
               "someone else's resume")
    assert sql("SELECT COUNT(*) FROM jobs_application WHERE user_id = %d" % s["id"])[0][0] == n
    # the log holds every attempt, refused ones too
    rows = sql("SELECT to_status, outcome FROM jobs_applicationlog WHERE application_id = %d ORDER BY id" % app["id"])
    assert ["viewed", "refused"] in rows and ["withdrawn", "applied"] in rows, rows


def test_parallel_applies_make_one_row():
    j = create_job()
    s = new_user("seeker")
    rid = resume_of(s)
    res = burst([lambda: call("POST", "/api/v1/applications", s, {"job_id": j["id"], "resume_id": rid})
                 for _ in range(20)])
    codes = sorted(r.status for r in res)
    assert codes.count(201) == 1 and codes.count(409) == 19, codes
    assert sql("SELECT COUNT(*) FROM jobs_application WHERE job_id = %d" % j["id"])[0][0] == "1"


def test_hr_change_racing_withdrawal():
    a = hr()
    j = create_job(a)
    s = new_user("seeker")
    app = data_of(call("POST", "/api/v1/applications", s, {"job_id": j["id"], "resume_id": resume_of(s)}), 201, "apply")
    res = burst([lambda: call("PATCH", "/api/v1/hr/applications/%d" % app["id"], a, {"status": "rejected"}),
                 lambda: call("POST", "/api/v1/applications/%d/withdraw" % app["id"], s)])
    codes = [r.status for r in res]
    assert codes.count(200) == 1 and codes.count(409) == 1, "one wins, the other is refused: %r" % res
    final = sql("SELECT status FROM jobs_application WHERE id = %d" % app["id"])[0][0]
    assert final == ("rejected" if codes[0] == 200 else "withdrawn"), (codes, final)
    log = sql("SELECT to_status, outcome FROM jobs_applicationlog WHERE application_id = %d AND to_status <> "
              "'submitted' ORDER BY id" % app["id"])
    assert sorted(o for _, o in log) == ["applied", "refused"], log


def test_closing_and_deleting_a_job_closes_applications():
    a = hr()
    s = new_user("seeker")
    rid = resume_of(s)
    for how in ("close", "delete"):
        j = create_job(a, name="关闭测试" + TAG)
        seeker_sees(j["id"], s)
        app = data_of(call("POST", "/api/v1/applications", s, {"job_id": j["id"], "resume_id": rid}), 201, "apply")
        if how == "close":
            data_of(call("PATCH", "/api/v1/hr/jobs/%d" % j["id"], a, {"status": "closed"}), 200, "close")
            expect_error(call("POST", "/api/v1/applications", new_user("late"),
                              {"job_id": j["id"], "resume_id": rid}), 404)
        else:
            assert call("DELETE", "/api/v1/hr/jobs/%d" % j["id"], a).status == 204
        got = wait_my_status(s, app["id"], "closed")
        assert got["close_reason"] in ("职位已关闭", "职位已删除"), got
        # the applicant's message, through the message center
        notes = data_of(call("GET", "/api/v1/messages?page_size=100", s), 200, "messages")["items"]
        notes = [[n["kind"], n["title"]] for n in notes if n["data"].get("application_id") == app["id"]]
        assert ["application.closed", "申请已关闭"] in notes, notes
        wait_for(lambda: detail(j["id"], s).status == 404, timeout=5, what="the job gone for seekers")
    # applying to a closed job that is still visible to its applicant: 409
    j = create_job(a)
    data_of(call("PATCH", "/api/v1/hr/jobs/%d" % j["id"], a, {"status": "closed"}), 200, "close")
    expect_error(call("POST", "/api/v1/applications", s, {"job_id": j["id"], "resume_id": rid}), 409, "job_closed")


# ---- search -------------------------------------------------------------------------------

def test_search_chinese_and_filters():
    a = hr()
    word = "量子纠缠" + "".join(chr(0x4e00 + (ord(c) * 7) % 2000) for c in TAG)  # unique to this run
    j1 = create_job(a, name=word + "算法工程师", city="杭州", salary="30k-50k", description="研究 quantum%s" % TAG)
    j2 = create_job(a, name="前端开发", city="北京", salary="10-15k", description=word + " 相关可视化")
    s = new_user("seeker")
    t0 = time.time()

    def found(**p):
        d = data_of(search(s, **p), 200, "search %r" % p)
        return [x["id"] for x in d["items"]]
    wait_for(lambda: j1["id"] in found(q=word) and j2["id"] in found(q=word), timeout=5, step=0.02,
             what="both jobs searchable")
    assert time.time() - t0 < 5
    ids = found(q=word)
    assert ids.index(j1["id"]) < ids.index(j2["id"]), "a match in the name ranks first: %r" % ids
    assert found(q=word, city="北京") == [j2["id"]]
    assert found(q=word, salary_min=20) == [j1["id"]]
    assert found(q=word, salary_max=12) == [j2["id"]]
    assert found(q="QUANTUM" + TAG.upper()) == [j1["id"]], "English, any case"
    assert found(q=word[:2] + " 算法") == [j1["id"]], "two words, both must match"
    assert found(q=word + "不存在的词") == []
    d = data_of(search(s, q=word, sort="newest", page_size=1), 200, "newest")
    assert d["items"][0]["id"] == j2["id"] and d["total"] == 2 and d["page_size"] == 1, d
    d2 = data_of(search(s, q=word, sort="newest", page_size=1, page=2), 200, "page 2")
    assert d2["items"][0]["id"] == j1["id"], d2
    for p, field in [({"sort": "best"}, "sort"), ({"salary_min": "-1"}, "salary_min"), ({"page_size": "500"}, "page_size"),
                     ({"salary_min": 30, "salary_max": 10}, "salary_min"), ({"q": "x" * 101}, "q")]:
        expect_error(search(s, **p), 400)
    # closing a job takes it out of search
    data_of(call("PATCH", "/api/v1/hr/jobs/%d" % j2["id"], a, {"status": "closed"}), 200, "close")
    wait_for(lambda: found(q=word) == [j1["id"]], timeout=5, step=0.02, what="closed job gone from search")
    # a salary edit keeps the job's terms (not re-indexed) and moves it in the salary filter
    data_of(call("PATCH", "/api/v1/hr/jobs/%d" % j1["id"], a, {"salary": "60k-80k"}), 200, "salary edit")
    wait_for(lambda: found(q=word, salary_min=70) == [j1["id"]], timeout=5, step=0.02, what="new salary searchable")
    data_of(call("PATCH", "/api/v1/hr/jobs/%d" % j1["id"], a, {"name": "全新名称" + word[4:]}), 200, "rename")
    wait_for(lambda: found(q="全新名称" + word[4:]) == [j1["id"]] and found(q=word) == [], timeout=5, step=0.02,
             what="the new name searchable, the old one not")
    # sessions: each first page is one; a view after a search makes it effective
    ss = data_of(call("GET", "/api/v1/search/sessions", s), 200, "sessions")
    assert ss["total"] >= 5 and ss["items"][0]["query"], ss
    eff = ss["effective"]
    data_of(detail(j1["id"], s), 200, "view after search")
    assert data_of(call("GET", "/api/v1/search/sessions", s), 200, "sessions")["effective"] == eff + 1
    c = data_of(call("POST", "/api/v1/search/sessions", s, {"query": "Java", "filters": {"city": "上海"}, "results": 3}),
                201, "record a session")
    assert c["query"] == "Java" and c["filters"] == {"city": "上海"} and c["results"] == 3, c
    expect_field(call("POST", "/api/v1/search/sessions", s, {"filters": [1]}), "filters")
    expect_field(call("POST", "/api/v1/search/sessions", s, {"results": -1}), "results")


def test_search_cache_follows_every_change():
    """Each worker keeps recent searches' answers (search.c); a change to a job reaches the very next
    search once the seekers' read model has it (the detail, which no cache serves, shows when)."""
    a = hr("cache")
    word = "缓存失效" + "".join(chr(0x4e00 + (ord(c) * 11) % 2000) for c in TAG)
    j1 = create_job(a, name=word + "后端", city="杭州", salary="10k-20k")
    j2 = create_job(a, name=word + "前端", city="杭州", salary="10k-20k")
    s = new_user("seeker")

    sizes = iter(range(10 ** 6))

    def found(**p):
        # first a page size not asked before: its answer is not kept, the query's ranking may be
        # (search.c's ranking cache), and must be as fresh
        fresh = data_of(search(s, page=1, page_size=2 + next(sizes) % 48, **p), 200, "search %r" % p)
        d = data_of(search(s, page=2, page_size=1, **p), 200, "search %r" % p)  # page 2: no session
        first = data_of(search(s, page=1, page_size=1, **p), 200, "search %r" % p)
        ids = sorted(x["id"] for x in first["items"] + d["items"])
        if (sorted(x["id"] for x in fresh["items"]), fresh["total"]) != (ids, d["total"]):
            return "page size %d disagrees" % fresh["page_size"], fresh, ids, d["total"]
        return ids, d["total"]

    def every_time(expect, **p):
        for _ in range(8):  # both workers, and each several times
            assert found(**p) == expect, (found(**p), expect, p)
    wait_for(lambda: found(q=word) == (sorted([j1["id"], j2["id"]]), 2), timeout=5, step=0.02,
             what="both jobs searchable")
    every_time((sorted([j1["id"], j2["id"]]), 2), q=word)
    every_time(([], 0), q=word, salary_min=70)
    every_time(([j1["id"]], 1), q=word + "后端")

    # an edit of an indexed text: the old name no longer finds it, the new one does
    data_of(call("PATCH", "/api/v1/hr/jobs/%d" % j1["id"], a, {"name": "改名之后" + word[4:]}), 200, "rename")
    wait_for(lambda: detail(j1["id"], s).json["data"]["name"] == "改名之后" + word[4:], timeout=5, step=0.01,
             what="the new name in the read model")
    every_time(([j2["id"]], 1), q=word)
    every_time(([], 0), q=word + "后端")
    # a filter's field only (no text changes): the salary filter sees it
    data_of(call("PATCH", "/api/v1/hr/jobs/%d" % j2["id"], a, {"salary": "70k-90k"}), 200, "salary edit")
    wait_for(lambda: detail(j2["id"], s).json["data"]["salary"] == "70k-90k", timeout=5, step=0.01,
             what="the new salary in the read model")
    every_time(([j2["id"]], 1), q=word, salary_min=70)
    # closing: gone from search
    data_of(call("PATCH", "/api/v1/hr/jobs/%d" % j2["id"], a, {"status": "closed"}), 200, "close")
    wait_for(lambda: detail(j2["id"], s).status == 404, timeout=5, step=0.01, what="the closed job gone")
    every_time(([], 0), q=word)
    every_time(([], 0), q=word, salary_min=70)
    # a repair of the read model (sync_job) counts as a change too: a row gone behind the engine's
    # back (and a version bumped by hand, as another change would) is kept by the cache until then
    data_of(call("PATCH", "/api/v1/hr/jobs/%d" % j2["id"], a, {"status": "open"}), 200, "reopen")
    wait_for(lambda: detail(j2["id"], s).status == 200, timeout=5, step=0.01, what="the reopened job back")
    every_time(([j2["id"]], 1), q=word)
    sql("DELETE FROM jobs_openjob WHERE job_id = %d; UPDATE jobs_searchversion SET v = v + 1" % j2["id"])
    every_time(([], 1), q=word)  # its postings remain, its row does not
    t = data_of(call("POST", "/smartrecruit/hr/sync/sync_job/%d" % j2["id"], a), 202, "sync_job")
    assert task_done(a, t["task_id"])["repaired"] == 1
    every_time(([j2["id"]], 1), q=word)


# ---- sync ---------------------------------------------------------------------------------

def test_sync_status_and_logs():
    a = hr("sync")
    j = create_job(a)
    seeker_sees(j["id"], new_user("s"))
    r = call("GET", "/smartrecruit/hr/sync/status", a)
    st = data_of(r, 200, "status")
    for k in ("jobs", "applications", "users"):
        assert set(st[k]) == {"total", "synced", "sync_rate"}, st
    assert st["jobs"]["total"] == 1 and st["jobs"]["synced"] == 1, st
    assert re.search(rb'"sync_rate": ?100\.00', r.body), "two decimals: %r" % r.body
    assert st["last_sync"] and zmtest.ISO_RE.match(st["last_sync"]), st
    for k in ("pending", "failed", "oldest_pending_age_s", "lag_p50_ms", "lag_p95_ms"):
        assert k in st, (k, st)
    assert st["lag_p95_ms"] is not None and st["lag_p95_ms"] < 5000, st
    logs = data_of(call("GET", "/smartrecruit/hr/sync/logs", a), 200, "logs")
    assert logs["items"] and all(x["owner_id"] == a["id"] for x in logs["items"]), logs
    first = logs["items"][-1]
    assert first["entity"] == "job" and first["status"] == "applied" and first["applied_at"], first
    j2 = create_job(a)
    nxt = data_of(call("GET", "/smartrecruit/hr/sync/logs?after=%d" % first["id"], a), 200, "after")
    ids = [x["id"] for x in nxt["items"]]
    assert ids == sorted(ids) and all(i > first["id"] for i in ids) and nxt["next_after"] == ids[-1], nxt
    assert any(x["entity_id"] == j2["id"] for x in nxt["items"]), nxt
    assert data_of(call("GET", "/smartrecruit/hr/sync/logs?after=%d" % nxt["next_after"], a), 200, "end")["items"] == []
    assert all(x["entity"] == "job" for x in
               data_of(call("GET", "/smartrecruit/hr/sync/logs?entity=job", a), 200, "filter")["items"])
    for q in ("entity=nope", "status=x", "since=yesterday", "after=-1"):
        expect_error(call("GET", "/smartrecruit/hr/sync/logs?" + q, a), 400)
    s = new_user("seeker")
    for m, p in [("GET", "status"), ("GET", "logs"), ("POST", "force_sync"), ("POST", "sync_job/%d" % j["id"])]:
        expect_error(call(m, "/smartrecruit/hr/sync/" + p, s), 403)
    # another HR sees none of it
    other = data_of(call("GET", "/smartrecruit/hr/sync/logs", hr("b")), 200, "b's logs")
    assert not any(x["owner_id"] == a["id"] for x in other["items"]), other


def test_dead_letter_and_retry():
    a = hr("dead")
    create_job(a, status="draft")
    sql("INSERT INTO jobs_syncevent (entity, entity_id, action, payload, owner_id, status, attempts, created_at) "
        "VALUES ('bogus', 1, 'update', '{}', %d, 'pending', 0, UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE)" % a["id"])
    t = data_of(call("POST", "/smartrecruit/hr/sync/force_sync", a), 202, "force_sync")
    task_done(a, t["task_id"])
    st = data_of(call("GET", "/smartrecruit/hr/sync/status", a), 200, "status")
    assert st["failed"] == 1, st
    dead = data_of(call("GET", "/smartrecruit/hr/sync/logs?status=dead", a), 200, "dead")["items"]
    assert len(dead) == 1 and dead[0]["error"] and dead[0]["entity"] == "bogus", dead
    expect_404(call("POST", "/smartrecruit/hr/sync/retry/%d" % dead[0]["id"], hr("b")), "another HR's event")
    data_of(call("POST", "/smartrecruit/hr/sync/retry/%d" % dead[0]["id"], a), 202, "retry")
    wait_for(lambda: sql("SELECT status, attempts FROM jobs_syncevent WHERE id = %d" % dead[0]["id"])[0]
             == ["dead", "1"], timeout=5, what="dead again after the retry")
    expect_error(call("POST", "/smartrecruit/hr/sync/retry/%d" % first_applied(a), a), 409)


def first_applied(user):
    return data_of(call("GET", "/smartrecruit/hr/sync/logs?status=applied", user), 200, "applied")["items"][0]["id"]


def test_manual_resync_repairs_drift():
    a = hr("repair")
    j = create_job(a, name="修复测试" + TAG)
    s = new_user("seeker")
    seeker_sees(j["id"], s)
    rid = resume_of(s)
    app = data_of(call("POST", "/api/v1/applications", s, {"job_id": j["id"], "resume_id": rid}), 201, "apply")
    wait_my_status(s, app["id"], "submitted")
    # behind the engine's back
    sql("UPDATE jobs_openjob SET name = '篡改' WHERE job_id = %d" % j["id"])
    sql("UPDATE jobs_seekerapplication SET status = 'offered' WHERE application_id = %d" % app["id"])
    assert detail(j["id"], s).json["data"]["name"] == "篡改"
    t = data_of(call("POST", "/smartrecruit/hr/sync/sync_job/%d" % j["id"], a), 202, "sync_job")
    res = task_done(a, t["task_id"])
    assert res["repaired"] == 1 and res["repaired_ids"] == ["job:%d" % j["id"]], res
    assert detail(j["id"], s).json["data"]["name"] == "修复测试" + TAG
    t = data_of(call("POST", "/smartrecruit/hr/sync/sync_application/%d" % app["id"], a), 202, "sync_application")
    assert task_done(a, t["task_id"])["repaired"] == 1
    assert [x for x in my_apps(s) if x["id"] == app["id"]][0]["status"] == "submitted"
    # nothing to repair the second time
    t = data_of(call("POST", "/smartrecruit/hr/sync/sync_job/%d" % j["id"], a), 202, "sync_job again")
    assert task_done(a, t["task_id"])["repaired"] == 0
    # ownership: another HR gets 404 for each; an admin may
    b = hr("b")
    expect_404(call("POST", "/smartrecruit/hr/sync/sync_job/%d" % j["id"], b), "other's job")
    expect_404(call("POST", "/smartrecruit/hr/sync/sync_application/%d" % app["id"], b), "other's application")
    expect_404(call("POST", "/smartrecruit/hr/sync/sync_user/%d" % s["id"], b), "a user who did not apply to b")
    expect_404(call("POST", "/smartrecruit/hr/sync/sync_job/abc", a), "not an id")
    adm = made_user("admin")
    data_of(call("POST", "/smartrecruit/hr/sync/sync_job/%d" % j["id"], adm), 202, "admin")
    # HR's view of the applicant's resumes altered behind the engine's back: sync_user repairs it
    sql("DELETE FROM jobs_candidateresume WHERE user_id = %d" % s["id"])
    t = data_of(call("POST", "/smartrecruit/hr/sync/sync_user/%d" % s["id"], a), 202, "sync_user")
    assert task_done(a, t["task_id"])["repaired"] == 1
    assert sql("SELECT COUNT(*) FROM jobs_candidateresume WHERE user_id = %d" % s["id"]) == [["1"]]
    # force_sync over everything: consistent now
    t = data_of(call("POST", "/smartrecruit/hr/sync/force_sync", a), 202, "force_sync")
    assert task_done(a, t["task_id"])["repaired"] == 0


def test_csv_export():
    import csv
    import io
    a = hr("export")
    j = create_job(a, name="=HYPERLINK(\"x\") 数据工程师", requirements=["熟悉 SQL, Spark", "有\"大数据\"经验"])
    s = new_user("seeker")
    data_of(call("POST", "/api/v1/applications", s, {"job_id": j["id"], "resume_id": resume_of(s)}), 201, "apply")
    r = call("GET", "/api/v1/hr/export/jobs.csv", a)
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv"), r
    assert "attachment" in r.headers["Content-Disposition"], r.headers
    assert r.body.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["职位ID", "职位名称", "公司"], rows[0]
    mine = [x for x in rows[1:] if x[0] == str(j["id"])]
    assert len(mine) == 1, rows
    assert mine[0][1] == "'=HYPERLINK(\"x\") 数据工程师", "a formula is defused: %r" % mine[0][1]
    assert mine[0][11] == '熟悉 SQL, Spark; 有"大数据"经验' and mine[0][13] == "1", mine[0]
    r = call("GET", "/api/v1/hr/export/jobs/%d/applications.csv" % j["id"], a)
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
    assert r.status == 200 and len(rows) == 2 and rows[1][3] == s["email"] and rows[1][7] == "submitted", rows
    expect_404(call("GET", "/api/v1/hr/export/jobs/%d/applications.csv" % j["id"], hr("b")), "another HR's job")
    other = call("GET", "/api/v1/hr/export/jobs.csv", hr("b")).body.decode("utf-8-sig")
    assert str(j["id"]) not in [x[0] for x in csv.reader(io.StringIO(other))][1:]
    expect_error(call("GET", "/api/v1/hr/export/jobs.csv", s), 403)


def hr_applicant(a, job_id, app_id):
    items = data_of(call("GET", "/api/v1/hr/jobs/%d/applications" % job_id, a), 200, "applicants")["items"]
    return [x for x in items if x["id"] == app_id][0]


def test_new_resume_version_reaches_hr():
    """The seeker uploads a new version of the resume they applied with: the outbox event is written in
    the upload's transaction (resumes' hook), HR's applicant view shows "resume updated" without any
    manual resync, cv_last_synced is stamped, and HR downloads the new version's file; another HR and
    a seeker cannot."""
    a = hr("cv")
    j = create_job(a, name="简历更新" + TAG)
    s = new_user("seeker")
    seeker_sees(j["id"], s)
    rid = resume_of(s, "旧版本 简历 " + TAG)
    app = data_of(call("POST", "/api/v1/applications", s, {"job_id": j["id"], "resume_id": rid}), 201, "apply")
    got = wait_for(lambda: hr_applicant(a, j["id"], app["id"]).get("latest_version_id") and
                   hr_applicant(a, j["id"], app["id"]), timeout=10, step=0.05, what="HR's view of the resume")
    assert got["resume_updated"] is False, got
    r = call("GET", "/api/v1/hr/applications/%d/resume" % app["id"], a)
    assert r.status == 200 and r.body == ("旧版本 简历 " + TAG).encode("utf-8"), r
    before = sql("SELECT COUNT(*) FROM jobs_syncevent WHERE entity = 'user' AND entity_id = %d" % s["id"])[0][0]
    r = upload(s["access"], ("新版本 简历 " + TAG).encode("utf-8"), "cv2.txt", path="/api/resumes/%s/versions" % rid)
    new_version = data_of(r, 201, "new version")
    got = wait_for(lambda: hr_applicant(a, j["id"], app["id"])["resume_updated"] and
                   hr_applicant(a, j["id"], app["id"]), timeout=10, step=0.05, what="resume updated")
    assert got["latest_version_id"] != got["resume_version_id"], got
    assert got["latest_version_id"].replace("-", "") in json.dumps(new_version).replace("-", ""), (got, new_version)
    after = sql("SELECT COUNT(*) FROM jobs_syncevent WHERE entity = 'user' AND entity_id = %d" % s["id"])[0][0]
    assert int(after) == int(before) + 1, (before, after)
    assert sql("SELECT cv_last_synced IS NOT NULL FROM jobs_candidate WHERE user_id = %d" % s["id"]) == [["1"]]
    r = call("GET", "/api/v1/hr/applications/%d/resume" % app["id"], a)
    assert r.status == 200 and r.body == ("新版本 简历 " + TAG).encode("utf-8"), r
    assert "attachment" in r.headers.get("Content-Disposition", ""), r.headers
    expect_404(call("GET", "/api/v1/hr/applications/%d/resume" % app["id"], hr("b")), "another HR's application")
    expect_404(call("GET", "/api/v1/hr/applications/999999999/resume", a), "no such application")
    expect_404(call("GET", "/api/v1/hr/applications/abc/resume", a), "not an id")
    expect_error(call("GET", "/api/v1/hr/applications/%d/resume" % app["id"], s), 403)
    # a resume nobody applied with: a new version writes no event
    other = resume_of(s, "无关 简历")
    n = sql("SELECT COUNT(*) FROM jobs_syncevent WHERE entity = 'user' AND entity_id = %d" % s["id"])[0][0]
    data_of(upload(s["access"], "无关 新版".encode("utf-8"), "cv3.txt", path="/api/resumes/%s/versions" % other),
            201, "unrelated version")
    assert sql("SELECT COUNT(*) FROM jobs_syncevent WHERE entity = 'user' AND entity_id = %d" % s["id"])[0][0] == n


def test_xlsx_export():
    """The same exports as XLSX: a valid workbook whose first sheet holds the Chinese text as it is, a
    formula-like cell as a string cell (never a formula), another HR's job 404, a seeker 403."""
    import io
    import zipfile
    a = hr("xlsx")
    j = create_job(a, name="=SUM(A1:A2) 数据工程师" + TAG, requirements=["熟悉 SQL", "有\"大数据\"经验"])
    s = new_user("seeker")
    data_of(call("POST", "/api/v1/applications", s, {"job_id": j["id"], "resume_id": resume_of(s)}), 201, "apply")
    r = call("GET", "/api/v1/hr/export/jobs.xlsx", a)
    assert r.status == 200 and r.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), r
    assert "attachment" in r.headers["Content-Disposition"] and ".xlsx" in r.headers["Content-Disposition"], r.headers
    z = zipfile.ZipFile(io.BytesIO(r.body))
    assert z.testzip() is None, "a valid zip"
    sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "职位名称" in sheet and "数据工程师" + TAG in sheet and re.search(r'熟悉 SQL; 有(&quot;|")大数据(&quot;|")经验', sheet), sheet[:2000]
    assert "<f>" not in sheet, "no cell is a formula"
    r = call("GET", "/api/v1/hr/export/jobs/%d/applications.xlsx" % j["id"], a)
    assert r.status == 200, r
    sheet = zipfile.ZipFile(io.BytesIO(r.body)).read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "申请人邮箱" in sheet and s["email"] in sheet and "submitted" in sheet, sheet[:2000]
    expect_404(call("GET", "/api/v1/hr/export/jobs/%d/applications.xlsx" % j["id"], hr("b")), "another HR's job")
    other = zipfile.ZipFile(io.BytesIO(call("GET", "/api/v1/hr/export/jobs.xlsx", hr("b")).body))
    assert "数据工程师" + TAG not in other.read("xl/worksheets/sheet1.xml").decode("utf-8")
    expect_error(call("GET", "/api/v1/hr/export/jobs.xlsx", s), 403)


def test_events_wait_for_a_stopped_worker_and_apply_once():
    """The outbox is durable: with zhimai-worker stopped a write stays pending (and the dashboard says
    so); after a restart it is applied, exactly once."""
    a = hr("outage")
    s = new_user("seeker")
    zmtest.dev("worker-stop")
    try:
        j = create_job(a, name="停机测试" + TAG)
        time.sleep(0.5)
        expect_404(detail(j["id"], s), "not applied while the worker is down")
        st = data_of(call("GET", "/smartrecruit/hr/sync/status", a), 200, "status")
        assert st["pending"] == 1 and st["oldest_pending_age_s"] > 0 and st["jobs"]["synced"] == 0, st
        assert st["jobs"]["sync_rate"] == 0, st
    finally:
        zmtest.dev("worker-start")
    seeker_sees(j["id"], s, timeout=30)
    rows = sql("SELECT status, attempts FROM jobs_syncevent WHERE entity = 'job' AND entity_id = %d" % j["id"])
    assert rows == [["applied", "1"]], rows
    st = data_of(call("GET", "/smartrecruit/hr/sync/status", a), 200, "status")
    assert st["pending"] == 0 and st["jobs"]["synced"] == 1 and st["oldest_pending_age_s"] is None, st
    m = request("GET", "/metrics")
    assert m.status == 200 and b"zhimai_sync_events{status=\"pending\"}" in m.body, m


zmtest.main(globals())
