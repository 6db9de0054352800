"""The dashboard in headless Chromium (selenium): sign in (the role shown),
the bundled jobs, a live row change after a curl submission (on an open event
stream, without a reload), pause (the file on disk), a job page with its
chart, a read-only session's job page without actions (and its POST
refused), no CSP violations; full-page screenshots in bench-out/."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Server, fail, wait_until  # noqa: E402

from axe_selenium_python import Axe  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service as ChromeService  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHOTS = os.path.join(REPO, "bench-out")


# Run before the page's own scripts: keeps each EventSource the page opens, so
# that the test can wait for the live stream to be open.
RECORD_EVENT_SOURCES = """
(function () {
  var Native = window.EventSource;
  if (!Native) return;
  window.__eventSources = [];
  window.EventSource = function (url, init) {
    var source = new Native(url, init);
    window.__eventSources.push(source);
    return source;
  };
  window.EventSource.prototype = Native.prototype;
})();
"""


def browser(width, height):
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=ChromeService(executable_path=shutil.which("chromedriver")))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_EVENT_SOURCES})
    return driver


def full_page(driver, name, width):
    """A screenshot of the whole page (Chrome's DevTools protocol: the
    viewport made as tall as the document, then captured)."""
    height = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]["height"]
    height = int(min(max(height, 400), 8000))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500})
    time.sleep(0.2)
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    with open(os.path.join(SHOTS, name), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print(f"screenshot: bench-out/{name} ({width}x{height})")


def sign_in(driver, url, key, role, audit=False):
    """Signs in with `key` and checks that the overview says `role`."""
    driver.get(url + "/dashboard")
    if "/dashboard/signin" not in driver.current_url:
        fail(f"an anonymous visit was not sent to sign in: {driver.current_url}")
    if audit:
        accessibility(driver, "sign-in")
    driver.find_element(By.ID, "key").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, ".signin button[type=submit]").click()
    if not wait_until(lambda: driver.current_url.rstrip("/").endswith("/dashboard"), timeout=10):
        fail(f"signing in with the {role} key did not land on the overview: {driver.current_url}")
    shown = driver.find_element(By.CSS_SELECTOR, "form.signout .role").text
    if shown != role:
        fail(f"signed in with the {role} key, the page says {shown!r}")


def accessibility(driver, page):
    """axe-core (bundled by PyPI's axe-selenium-python) on the page shown:
    fails on any serious or critical violation, naming rule, nodes and fix."""
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    if bad:
        lines = []
        for violation in bad:
            nodes = [" ".join(node["target"]) + " " + str([check.get("data") for check in node.get("any", [])])
                     for node in violation["nodes"]][:8]
            lines.append(f"{violation['impact']} {violation['id']} ({len(violation['nodes'])} nodes: {nodes}): {violation['help']}")
        fail(f"axe on the {page} page:\n  " + "\n  ".join(lines))
    print(f"ok: axe finds no serious or critical violation on the {page} page ({len(results['passes'])} rules passed,"
          f" {len(results['violations'])} minor)")


def csp_violations(driver):
    return [entry["message"] for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"] or entry["level"] == "SEVERE" and "favicon" not in entry["message"]]


def main():
    binary = sys.argv[1]
    os.makedirs(SHOTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="cronmetrics-dashboard-")
    shutil.copytree(os.path.join(REPO, "jobs.d"), os.path.join(work, "jobs.d"))
    server = Server(binary, work, env={"CRONMETRICS_SECURITY_READ_API_KEYS": "e2e-reader"}).start()
    driver = None
    try:
        # Keys for two bundled jobs (their files only hold hashes): rotate through the API.
        keys = {}
        for job in ("backup@db1", "logrotate@web1"):
            status, text = server.admin("POST", f"/api/job/{job}/rotate-key")
            if status != 200:
                fail(f"rotate-key {job}: {status} {text}")
            keys[job] = json.loads(text)["api_key"]
        # A history for the chart: durations that vary, one failure.
        for i, (status, duration) in enumerate([("success", 610), ("success", 655), ("failure", 120), ("success", 702),
                                                ("success", 590), ("success", 640), ("success", 688), ("success", 615)]):
            payload = {"job_name": "backup", "host": "db1", "status": status, "duration": duration,
                       "exit_code": 0 if status == "success" else 3, "output": f"dump {i}: <ok> & done\n"}
            code, text = server.submit(keys["backup@db1"], payload)
            if code != 201:
                fail(f"submit: {code} {text}")

        driver = browser(1280, 900)
        sign_in(driver, server.url, "e2e-admin", "admin", audit=True)
        rows = {row.get_attribute("data-job") for row in driver.find_elements(By.CSS_SELECTOR, "tr[data-job]")}
        bundled = {"backup@db1", "logrotate@web1", "sync_db@web1", "certbot-renew@edge1"}
        if not bundled <= rows:
            fail(f"the overview lacks bundled jobs: {sorted(bundled - rows)} (rows: {sorted(rows)})")
        print(f"ok: signed in as admin; the overview lists the {len(bundled)} bundled jobs")

        # A curl submission changes the row without a reload.
        row = 'tr[data-job="logrotate@web1"] [data-field=state]'
        before = driver.find_element(By.CSS_SELECTOR, row).text
        if before != "pending":
            fail(f"before the submission the row says {before!r}, not 'pending' (it never reported)")
        failing_before = driver.find_element(By.CSS_SELECTOR, '[data-count="failing"] .n').text
        if failing_before != "0":
            fail(f"before the submission the failing count is {failing_before}, not 0")
        stream_open = "return (window.__eventSources || []).some(function (s) { return s.readyState === 1; })"
        if not wait_until(lambda: driver.execute_script(stream_open), timeout=10):
            fail("the overview did not open its event stream (/dashboard/events) within 10 s")
        driver.execute_script("window.__notReloaded = true")
        body = json.dumps({"job_name": "logrotate", "host": "web1", "status": "failure", "exit_code": 1, "duration": 2.5})
        subprocess.run(["curl", "-fsS", "-o", "/dev/null", "-X", "POST", f"{server.url}/api/job-result",
                        "-H", f"X-API-Key: {keys['logrotate@web1']}", "-d", body], check=True)
        sent = time.time()
        changed = wait_until(lambda: driver.find_element(By.CSS_SELECTOR, row).text == "failing", timeout=5, interval=0.02)
        latency = time.time() - sent
        if not changed:
            fail(f"the row still says {driver.find_element(By.CSS_SELECTOR, row).text!r} (was {before!r})")
        if not driver.execute_script("return window.__notReloaded === true"):
            fail("the page reloaded instead of updating the row")
        if latency > 1.0:
            fail(f"the row changed {latency:.2f} s after the submission (more than a second)")
        if not wait_until(lambda: driver.find_element(By.CSS_SELECTOR, '[data-count="failing"] .n').text == "1", timeout=2):
            fail(f"the failing count says {driver.find_element(By.CSS_SELECTOR, '[data-count=failing] .n').text}, not 1")
        live = driver.find_element(By.ID, "live")
        if not live.is_displayed() or not live.text.startswith("live · updated"):
            fail(f"the live status says {live.text!r} (shown: {live.is_displayed()}), not 'live · updated …'")
        print(f"ok: the row went {before!r} -> 'failing' {latency * 1000:.0f} ms after curl, without a reload;"
              f" failing count 0 -> 1; {live.text!r}")
        full_page(driver, "dashboard-overview.png", 1280)
        # With a failing job (its row just updated, tinted and outlined), every
        # state's colours are on the page.
        accessibility(driver, "overview")

        # The alert policy on a job page: sync_db depends on backup (failing
        # now: its down is held), certbot-renew has a monthly window.
        driver.get(server.url + "/dashboard/jobs/certbot-renew@edge1")
        next_window = driver.find_element(By.CSS_SELECTOR, "[data-field=next_window]").text
        if "03:00" not in next_window:
            fail(f"certbot-renew's next window says {next_window!r}, expected its start at 03:00 UTC")
        driver.get(server.url + "/dashboard/jobs/sync_db@web1")
        facts = driver.find_element(By.CSS_SELECTOR, "dl.facts").text
        if "Depends on\nbackup@db1" not in facts or "after 2 failed runs in a row" not in facts:
            fail(f"sync_db's page does not show its policy: {facts!r}")
        accessibility(driver, "job page with an alert policy")
        print(f"ok: the job pages show the next window ({next_window!r}) and the dependency")

        # Pause from the job page: the file on disk changes.
        driver.get(server.url + "/dashboard/jobs/backup@db1")
        bars = driver.find_elements(By.CSS_SELECTOR, "svg.chart rect")
        if len(bars) != 8:
            fail(f"the chart has {len(bars)} bars, not 8")
        if "<ok>" not in driver.find_element(By.CSS_SELECTOR, "table.runs").get_attribute("textContent"):
            fail("the output tail is not shown as text")
        print(f"ok: the job page has its chart ({len(bars)} bars) and the output tails as text")
        # History: a strip of 90 days in the job's zone (Europe/Berlin), today failing with its counts on hover.
        cells = driver.find_elements(By.CSS_SELECTOR, "ol.strip li")
        if len(cells) != 90:
            fail(f"the strip has {len(cells)} cells, not 90")
        today = datetime.now(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%d")
        last = cells[-1]
        expected = f"{today}: failing; 8 runs: 7 succeeded, 1 failed, 0 missed, 0 timed out"
        if last.get_attribute("data-date") != today or last.get_attribute("class") != "d-failing" \
                or not last.get_attribute("title").startswith(expected):
            fail(f"today's cell is {last.get_attribute('data-date')} {last.get_attribute('class')} {last.get_attribute('title')!r},"
                 f" not {expected!r}")
        if last.find_element(By.CSS_SELECTOR, ".visually-hidden").get_attribute("textContent") != last.get_attribute("title"):
            fail("today's cell has no text for screen readers")
        windows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.stats tbody th")]
        if windows != ["24h", "7d", "30d", "90d"]:
            fail(f"the statistics table has the windows {windows}")
        print(f"ok: the strip has 90 cells; today ({today}, Berlin) says {last.get_attribute('title')!r}; statistics for {windows}")
        full_page(driver, "dashboard-job.png", 1280)
        accessibility(driver, "job")
        driver.find_element(By.CSS_SELECTOR, "form[action$='/pause'] button").click()
        wait_until(lambda: "changed=pause" in driver.current_url, timeout=10)
        path = os.path.join(work, "jobs.d", "infra", "backup@db1.yaml")
        with open(path) as f:
            text = f.read()
        if "status: paused" not in text:
            fail(f"pausing did not write the file:\n{text}")
        if "commit it" not in driver.find_element(By.CSS_SELECTOR, ".flash").text:
            fail("the page does not say the file changed")
        if driver.find_element(By.CSS_SELECTOR, "[data-field=state]").text != "paused":
            fail("the job page does not show paused")
        print("ok: Pause wrote status: paused to jobs.d/infra/backup@db1.yaml and the page says to commit it")

        # Teams: the bundled jobs by their team label, backup's 7 of 8 runs in infra's row.
        driver.get(server.url + "/dashboard/teams")
        infra = driver.find_element(By.CSS_SELECTOR, 'tr[data-group="infra"]').text
        if "87.5%" not in infra:
            fail(f"the infra row of the teams page says {infra!r}, without backup's 87.5%")
        print(f"ok: the teams page groups by team; infra: {infra!r}")
        full_page(driver, "dashboard-teams.png", 1280)
        accessibility(driver, "teams")

        driver.get(server.url + "/dashboard/notifications")
        accessibility(driver, "notifications")
        problems = csp_violations(driver)
        if problems:
            fail(f"browser console: {problems}")
        driver.quit()

        # The phone width, signed in with the read-only key.
        driver = browser(390, 844)
        sign_in(driver, server.url, "e2e-reader", "read-only")
        overflow = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
        if overflow:
            fail("the overview scrolls sideways at 390 px")
        full_page(driver, "dashboard-phone.png", 390)
        print("ok: signed in as read-only; 390 px wide without sideways scrolling")
        # The job page is where an admin has actions: a reader sees none, and
        # the server refuses the action if it is posted anyway.
        driver.get(server.url + "/dashboard/jobs/backup@db1")
        if driver.find_element(By.CSS_SELECTOR, "[data-field=state]").text != "paused":
            fail("the reader's job page is not backup@db1 as paused")
        posts = [form.get_attribute("action") for form in driver.find_elements(By.CSS_SELECTOR, "form")
                 if form.get_attribute("method").lower() == "post"]
        if posts != [server.url + "/dashboard/signout"]:
            fail(f"a read-only session's job page has POST forms {posts}, expected only the sign-out")
        if driver.find_elements(By.ID, "actions"):
            fail("a read-only session's job page has the Actions section")
        problems = csp_violations(driver)
        if problems:
            fail(f"browser console: {problems}")
        status = driver.execute_script("""
            var csrf = document.querySelector("form.signout input[name=csrf]").value;
            return fetch("/dashboard/jobs/backup@db1/resume", {method: "POST", body: new URLSearchParams({csrf: csrf})})
                .then(function (response) { return response.status; });""")
        if status != 403:
            fail(f"a read-only session's POST to resume answered {status}, not 403")
        with open(path) as f:
            if "status: paused" not in f.read():
                fail("a read-only session's POST changed the job file")
        # The console's one line since: that refusal.
        problems = csp_violations(driver)
        if len(problems) != 1 or "/resume" not in problems[0] or "403" not in problems[0]:
            fail(f"browser console after the refused POST: {problems}")
        print("ok: the reader's job page has no POST form but sign-out; a resume posted anyway is 403 and changes nothing")
    finally:
        if driver:
            driver.quit()
        server.kill()
        shutil.rmtree(work, ignore_errors=True)
    print("dashboard: all checks passed")


if __name__ == "__main__":
    main()
