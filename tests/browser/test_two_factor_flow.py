"""Two-factor sign-in in Chromium: set up an authenticator from the security page (the key read
off the page, the code computed as an authenticator app would), keep the recovery codes, sign in
again with a code and trust the browser; screenshots at 1280 and 375 px."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import expect

from tests.browser.conftest import login, shot


def both_widths(page, name: str) -> None:
    shot(page, f"{name}-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name} is {width}px wide at 375px"
    shot(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_totp_enrolment_and_sign_in_with_a_code(live_server, page):
    base = live_server
    login(page, base, "zhangwei")
    page.click("header a[href='/account/security']")
    expect(page).to_have_url(f"{base}/account/security")
    page.click("#security-two-factor a[href='/account/security/authenticator']")
    expect(page).to_have_url(f"{base}/account/security/authenticator")
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")  # the data: SVG drew under the CSP
    secret = page.inner_text("#totp-secret").replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    both_widths(page, "two-factor-setup")

    totp = pyotp.TOTP(secret)
    page.fill("#code", totp.now())
    page.click("#enrol button[type=submit]")
    codes = page.locator("ol.codes code")
    expect(codes).to_have_count(10)
    both_widths(page, "two-factor-recovery-codes")
    page.click("#recovery-codes a.btn.primary")
    expect(page).to_have_url(f"{base}/account/security")
    expect(page.locator("#security-two-factor .state-resolved")).to_be_visible()

    # sign out; the password alone no longer signs in
    page.click("header form[action='/logout'] button")
    page.goto(f"{base}/login")
    page.fill("#username", "zhangwei")
    page.fill("#password", "Demo@2026")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/login/verify")
    page.fill("#code", "000000" if totp.at(time.time() + 30) != "000000" else "111111")
    page.click("#second-step button.primary")
    expect(page.locator(".field-error")).to_be_visible()
    both_widths(page, "two-factor-verify")

    page.fill("#code", totp.at(time.time() + 30))  # the next step's code: the enrolment used this one
    page.check("#trust")
    page.click("#second-step button.primary")
    expect(page).to_have_url(f"{base}/")
    expect(page.locator("header .account")).to_contain_text("张伟")

    # the trusted browser skips the code next time, and the security page lists it
    page.click("header form[action='/logout'] button")
    login(page, base, "zhangwei")
    page.goto(f"{base}/account/security")
    expect(page.locator("#security-browsers li")).to_have_count(1)
    both_widths(page, "two-factor-security")
