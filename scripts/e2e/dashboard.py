"""The dashboard in headless Chromium (selenium): sign in, the bundled jobs,
a live row change after a curl submission, pause (the file on disk), a job
page with its chart, no CSP violations; full-page screenshots in bench-out/."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from e2elib import Server, fail, wait_until  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service as ChromeService  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHOTS = os.path.join(REPO, "bench-out")


def browser(width, height):
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=ChromeService(executable_path=shutil.which("chromedriver")))


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


def sign_in(driver, url, key):
    driver.get(url + "/dashboard")
    if "/dashboard/signin" not in driver.current_url:
        fail(f"an anonymous visit was not sent to sign in: {driver.current_url}")
    driver.find_element(By.ID, "key").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, ".signin button[type=submit]").click()
    wait_until(lambda: driver.current_url.rstrip("/").endswith("/dashboard"), timeout=10)


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
        sign_in(driver, server.url, "e2e-admin")
        rows = {row.get_attribute("data-job") for row in driver.find_elements(By.CSS_SELECTOR, "tr[data-job]")}
        bundled = {"backup@db1", "logrotate@web1", "sync_db@web1", "certbot-renew@edge1"}
        if not bundled <= rows:
            fail(f"the overview lacks bundled jobs: {sorted(bundled - rows)} (rows: {sorted(rows)})")
        print(f"ok: signed in; the overview lists the {len(bundled)} bundled jobs")

        # A curl submission changes the row without a reload.
        row = 'tr[data-job="logrotate@web1"] [data-field=state]'
        before = driver.find_element(By.CSS_SELECTOR, row).text
        wait_until(lambda: driver.execute_script("return document.getElementById('live') && !document.getElementById('live').hidden") or True, 1)
        driver.execute_script("window.__notReloaded = true")
        time.sleep(0.5)  # the event stream is open
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
        failing = driver.find_element(By.CSS_SELECTOR, '[data-count="failing"] .n').text
        print(f"ok: the row went {before!r} -> 'failing' {latency * 1000:.0f} ms after curl, without a reload; failing count {failing}")
        full_page(driver, "dashboard-overview.png", 1280)

        # Pause from the job page: the file on disk changes.
        driver.get(server.url + "/dashboard/jobs/backup@db1")
        bars = driver.find_elements(By.CSS_SELECTOR, "svg.chart rect")
        if len(bars) != 8:
            fail(f"the chart has {len(bars)} bars, not 8")
        if "<ok>" not in driver.find_element(By.CSS_SELECTOR, "table.runs").get_attribute("textContent"):
            fail("the output tail is not shown as text")
        print(f"ok: the job page has its chart ({len(bars)} bars) and the output tails as text")
        full_page(driver, "dashboard-job.png", 1280)
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

        problems = csp_violations(driver)
        if problems:
            fail(f"browser console: {problems}")
        driver.quit()

        # The phone width.
        driver = browser(390, 844)
        sign_in(driver, server.url, "e2e-reader")
        overflow = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
        if overflow:
            fail("the overview scrolls sideways at 390 px")
        if driver.find_elements(By.CSS_SELECTOR, "form[action$='/pause']"):
            fail("a read-only session sees admin forms")
        full_page(driver, "dashboard-phone.png", 390)
        print("ok: 390 px wide without sideways scrolling; read-only session without admin forms")
        problems = csp_violations(driver)
        if problems:
            fail(f"browser console: {problems}")
    finally:
        if driver:
            driver.quit()
        server.kill()
        shutil.rmtree(work, ignore_errors=True)
    print("dashboard: all checks passed")


if __name__ == "__main__":
    main()
