"""Certification in Chromium: a trainee takes and passes the beginner quiz one question per
screen (answers saved as they go), a trainer reviews the practical task, the certificate PDF is
produced, and its code verifies."""

import re
import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.browser.conftest import ARTIFACTS, login, shot

pytestmark = pytest.mark.browser


def new_page(browser):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    return page


def paper(db_url: str, attempt_id: int) -> list[dict]:
    """The stored paper with each question's kind and correct keys (what the trainee 'knows')."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT i.position, q.kind, q.answer, i.option_order FROM quiz_attempt_items i "
                "JOIN quiz_questions q ON q.id = i.question_id WHERE i.attempt_id = :a ORDER BY i.position"
            ),
            {"a": attempt_id},
        ).all()
    engine.dispose()
    import json

    return [
        {
            "position": p,
            "kind": k,
            "answer": json.loads(a) if isinstance(a, str) else a,
            "order": json.loads(o) if isinstance(o, str) else o,
        }
        for p, k, a, o in rows
    ]


def test_take_pass_review_and_verify(browser, live_server, tmp_path):
    base, db_url = live_server, f"sqlite:///{tmp_path / 'instance' / 'portal.db'}"
    trainee = new_page(browser)
    login(trainee, base, "zhangwei")
    trainee.locator("nav.main a", has_text="认证考试").click()
    level = trainee.locator("#level-beginner")
    expect(level).to_contain_text("20 分钟")
    shot(trainee, "quiz-levels")
    level.get_by_role("button", name=re.compile("开始初级考试")).click()
    expect(trainee).to_have_url(re.compile(r"/quiz/attempts/\d+"))
    attempt_id = int(re.search(r"/quiz/attempts/(\d+)", trainee.url).group(1))
    expect(trainee.locator("#timer-text")).to_have_text(re.compile(r"^(20:00|19:5\d)$"))
    items = paper(db_url, attempt_id)
    assert len(items) == 11 and items[-1]["kind"] == "practical"

    for item in items:
        form = trainee.locator(f"#q{item['position']}")
        expect(form).to_be_visible()
        if item["kind"] == "practical":
            form.locator("textarea").fill(
                "先在帮助中心搜索“首页空白”，按文章清理浏览器缓存、换用 Chrome、检查网络；"
                "仍无法解决时提交工单并附上截图和发生时间。"
            )
            form.locator("textarea").blur()
        else:
            for key in item["answer"]:
                form.locator(f"input[value='{key}']").check()
        # saved by htmx on change, before moving on
        expect(form.locator(".saved")).to_contain_text("已保存")
        if item["position"] == 3:  # a reload shows the same paper with the saved answer
            trainee.reload()
            expect(trainee.locator(f"#q3 input[value='{item['answer'][0]}']")).to_be_checked()
            shot(trainee, "quiz-question")
        last = item["position"] == len(items) - 1
        form.locator("button[value=submit]" if last else "button[value=next]").click()
    expect(trainee.locator("h1")).to_contain_text("交卷前检查")
    expect(trainee.locator("body")).to_contain_text("11 / 11")
    trainee.locator("#submit-form button[type=submit]").click()
    expect(trainee.locator(".result-summary")).to_contain_text("实操题等待评阅")
    shot(trainee, "quiz-waiting-review")

    trainer = new_page(browser)
    login(trainer, base, "zhoulin")
    trainer.goto(base + "/quiz/reviews")
    trainer.locator("tr", has_text="张伟").get_by_role("link", name="评阅").click()
    scores = trainer.locator("#review-form input[name=score]")
    expect(scores).to_have_count(3)
    for i, points in enumerate(("4", "3.5", "2")):
        scores.nth(i).fill(points)
    trainer.fill("#review-comment", "思路清晰，步骤完整。")
    shot(trainer, "quiz-review")
    trainer.get_by_role("button", name="保存评阅").click()
    expect(trainer.locator(".alert.success")).to_contain_text("张伟")

    trainee.reload()
    expect(trainee.locator(".result-summary h2")).to_contain_text("通过")
    shot(trainee, "quiz-passed")
    link = trainee.locator("#certificate-link")
    pdf = trainee.request.get(base + link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"
    (tmp_path / "certificate.pdf").write_bytes(pdf.body())
    words = subprocess.run(["pdftotext", str(tmp_path / "certificate.pdf"), "-"], capture_output=True, text=True).stdout
    assert "张伟" in words and "初级" in words
    code = re.search(r"QZ-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", words).group(0)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "certificate.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Noto-S(ans|erif)-CJK-SC\S*\s.*\byes\s+yes\s+yes", fonts), fonts  # a real CJK font, embedded
    # the page as people see it: test-artifacts/certificate-page.png (Chinese, logo, QR code)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-singlefile",
            str(tmp_path / "certificate.pdf"),
            str(ARTIFACTS / "certificate-page"),
        ],
        check=True,
    )
    png = (ARTIFACTS / "certificate-page.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000

    # anyone inside the company checks the code, typed in lower case without dashes
    colleague = new_page(browser)
    login(colleague, base, "shenyue")
    colleague.goto(base + "/quiz/verify")
    colleague.fill("input[name=code]", code.replace("-", "").lower())
    colleague.locator("input[name=code]").press("Enter")
    expect(colleague.locator("body")).to_contain_text("真实有效")
    expect(colleague.locator("body")).to_contain_text("张伟")
    shot(colleague, "quiz-verify")
