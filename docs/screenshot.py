#!/usr/bin/env python3
"""Takes the README's screenshot: the demo parent's home page on a 360x800 phone screen.

Needs a running `tabel serve --demo` (default http://127.0.0.1:8080) and chromium +
chromium-driver. Standard library only.  Usage: docs/screenshot.py [BASE_URL] [OUT.png]
"""
import base64, json, socket, subprocess, sys, tempfile, time, urllib.request

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
out = sys.argv[2] if len(sys.argv) > 2 else "docs/screenshot-parent.png"

def call(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["value"]

s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wd = f"http://127.0.0.1:{port}"
try:
    for _ in range(100):
        try:
            if call("GET", f"{wd}/status")["ready"]:
                break
        except OSError:
            time.sleep(0.1)
    profile = tempfile.mkdtemp()
    caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": "/usr/bin/chromium", "prefs": {"intl.accept_languages": "ru-RU,ru"},
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=360,800", "--lang=ru-RU", f"--user-data-dir={profile}"]}}}}
    sid = call("POST", f"{wd}/session", caps)["sessionId"]
    S = f"{wd}/session/{sid}"
    call("POST", f"{S}/timeouts", {"implicit": 5000})
    el = lambda css: call("POST", f"{S}/element", {"using": "css selector", "value": css})["element-6066-11e4-a52e-4f735466cecf"]
    call("POST", f"{S}/url", {"url": f"{base}/login"})
    call("POST", f"{S}/element/{el('#login')}/value", {"text": "parent"})
    call("POST", f"{S}/element/{el('#password')}/value", {"text": "demo"})
    call("POST", f"{S}/element/{el('#submit')}/click", {})
    el("#children")
    png = base64.b64decode(call("GET", f"{S}/screenshot"))
    with open(out, "wb") as f:
        f.write(png)
    call("DELETE", S)
    print(f"wrote {out} ({len(png)} bytes)")
finally:
    driver.kill()
