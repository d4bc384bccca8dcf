//! The web UI end to end, in a real browser: headless Chromium driven over WebDriver
//! (`chromedriver`, through `fantoccini`) against `chokepoint serve` on a loopback port with the
//! demo list. It signs in with a key, screens a name (Latin and Chinese) and sees the hit,
//! clears a false positive and sees it suppressed next time, runs a determination, uploads a
//! batch and watches it finish, verifies the audit chain, and visits every page (alerts, the
//! change report and the Swagger UI included).
//!
//! Screenshots of each page are kept as test artefacts in
//! `$CARGO_TARGET_TMPDIR/ui-screenshots/` (`target/tmp/ui-screenshots/`).
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them; paths can be set
//! with `CHOKEPOINT_CHROMIUM` and `CHOKEPOINT_CHROMEDRIVER`). Without them the test says
//! SKIPPED, and fails under `CI`.

use crate::service::{Server, create_key, free_port, start};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The browser and its driver, or `None` after saying the test is skipped.
fn browser(test: &str) -> Option<(PathBuf, PathBuf)> {
    let chromium = std::env::var_os("CHOKEPOINT_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let driver = std::env::var_os("CHOKEPOINT_CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"));
    if chromium.is_file() && driver.is_file() {
        return Some((chromium, driver));
    }
    let message = format!(
        "{test}: Chromium (`{}`) or ChromeDriver (`{}`) not found; install Debian's \
         `chromium` and `chromium-driver` (as .ci/run does)",
        chromium.display(),
        driver.display()
    );
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("SKIPPED {message}");
    None
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_driver(driver: &Path, port: u16) -> Driver {
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    driver
}

async fn connect(chromium: &Path, driver_port: u16, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_string(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,1024",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session in headless Chromium")
}

/// Where screenshots go.
fn shots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(shots().join(format!("{name}.png")), png).expect("write screenshot");
}

async fn text_of(client: &Client, css: &str) -> String {
    // The element may be swapped out between finding it and reading it (htmx replaces the job
    // progress every half second): a stale element is read again, until the deadline.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.ok(),
            Err(_) => None,
        };
        if let Some(text) = text {
            return text;
        }
        assert!(Instant::now() < deadline, "`{css}` never appeared");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fill(client: &Client, css: &str, value: &str) {
    let field = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}` appears: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

async fn click(client: &Client, css: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}` appears: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click `{css}`: {e}"));
}

/// Waits until the page's text contains `needle`.
async fn wait_for_text(client: &Client, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // Between two pages (a redirect, an htmx swap) there may be no body for a moment:
        // that is "not yet", not a failure.
        let body = match client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if body.contains(needle) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "the page never showed `{needle}`; it shows:\n{body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_ui_screens_clears_determines_and_runs_a_batch() {
    let Some((chromium, driver)) = browser("the_web_ui_screens_clears_determines_and_runs_a_batch")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let admin = create_key(dir.path(), "admin");
    let port = free_port();
    let _server: Server = start(dir.path(), port, &["--lists", "lists/demo.yaml"]);
    let driver_port = free_port();
    let _driver = start_driver(&driver, driver_port);
    let profile = dir.path().join("chromium-profile");
    let client = connect(&chromium, driver_port, &profile).await;
    let base = format!("http://127.0.0.1:{port}");

    // A page needs a session: the browser lands on the sign-in form.
    client.goto(&format!("{base}/screen")).await.expect("goto");
    wait_for_text(&client, "Paste an API key").await;
    screenshot(&client, "01-sign-in").await;
    fill(&client, "#key", "ck_not_a_key").await;
    click(&client, "#sign-in").await;
    wait_for_text(&client, "not valid").await;
    fill(&client, "#key", &admin).await;
    click(&client, "#sign-in").await;
    wait_for_text(&client, "Screen a name").await;
    assert!(
        client.current_url().await.expect("url").path() == "/screen",
        "after sign-in the browser goes where it was going"
    );

    // Screen a name and see the hit, its list entry and the case opened for review.
    fill(&client, "#name", "Example Foundry").await;
    click(&client, "#screen-button").await;
    let page = wait_for_text(&client, "DEMO-1").await;
    assert!(
        page.contains("Example Advanced Logic Foundry Co., Ltd."),
        "{page}"
    );
    assert!(page.contains("Presumption of denial"), "{page}");
    let mark = text_of(&client, ".hit.match .matched mark").await;
    assert!(!mark.is_empty(), "the matched words are highlighted");
    screenshot(&client, "02-screen-hit").await;

    // The same party in Chinese characters renders and finds the same entry.
    client.goto(&format!("{base}/screen")).await.expect("goto");
    fill(&client, "#name", "示例先进逻辑晶圆代工有限公司").await;
    click(&client, "#screen-button").await;
    let page = wait_for_text(&client, "DEMO-1").await;
    assert!(page.contains("示例先进逻辑晶圆代工有限公司"), "{page}");
    screenshot(&client, "03-screen-chinese").await;

    // Clear a false positive: open the case, give a reason, clear the hit.
    client.goto(&format!("{base}/screen")).await.expect("goto");
    fill(&client, "#name", "Sample Memory Technologies").await;
    click(&client, "#screen-button").await;
    wait_for_text(&client, "DEMO-2").await;
    click(&client, "#case-link").await;
    wait_for_text(&client, "Clear (false positive)").await;
    screenshot(&client, "04-case-open").await;
    fill(
        &client,
        "#hit-0 input[name=reason]",
        "Different company: our customer is a bakery in Lyon",
    )
    .await;
    click(&client, "#hit-0 .clear-button").await;
    let page = wait_for_text(&client, "false positive by").await;
    assert!(page.contains("bakery in Lyon"), "{page}");
    screenshot(&client, "05-case-cleared").await;

    // Screening the party again suppresses the cleared entry.
    client.goto(&format!("{base}/screen")).await.expect("goto");
    fill(&client, "#name", "Sample Memory Technologies").await;
    click(&client, "#screen-button").await;
    let page = wait_for_text(&client, "Cleared before").await;
    assert!(page.contains("bakery in Lyon"), "{page}");
    client
        .goto(&format!("{base}/goodguys"))
        .await
        .expect("goto");
    wait_for_text(&client, "Sample Memory Technologies").await;
    screenshot(&client, "06-good-guys").await;

    // A determination: US-origin 3B001.a.1 tool exported to China in 2025 needs a license.
    client
        .goto(&format!("{base}/determine"))
        .await
        .expect("goto");
    // A date input takes typing in the browser's locale; set its value as a script would.
    client
        .execute(
            "document.getElementById('as_of').value = arguments[0];",
            vec![json!("2025-06-01")],
        )
        .await
        .expect("set the date");
    fill(&client, "#eccn", "3B001.a.1").await;
    fill(&client, "#origin_country", "US").await;
    fill(&client, "#us_content_percent", "100").await;
    fill(&client, "#exporter_country", "US").await;
    fill(&client, "#destination_country", "CN").await;
    click(&client, "#determine-button").await;
    let verdict = text_of(&client, "#license-required").await;
    assert_eq!(verdict, "yes");
    let page = wait_for_text(&client, "Questions that would change the answer").await;
    assert!(page.contains("744."), "rules cite the EAR: {page}");
    screenshot(&client, "07-determination").await;

    // A batch: upload a CSV, watch it finish, see the download.
    let csv = dir.path().join("customers.csv");
    std::fs::write(
        &csv,
        "id,name,country\nc1,Example Foundry,CN\nc2,Boulangerie Dupont,FR\nc3,Ivan Petrov,RU\n",
    )
    .expect("write csv");
    client.goto(&format!("{base}/batch")).await.expect("goto");
    let file = client
        .find(Locator::Css("#file"))
        .await
        .expect("file input");
    file.send_keys(&csv.display().to_string())
        .await
        .expect("choose file");
    click(&client, "#upload-button").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = text_of(&client, "#job-status").await;
        if status == "done" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the job never finished: {status}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let page = wait_for_text(&client, "3 of 3 rows screened").await;
    assert!(page.contains("2 with a match"), "{page}");
    assert!(page.contains("Download CSV"), "{page}");
    screenshot(&client, "08-batch-done").await;

    // The other pages render: facilities, lists, audit (with a verified chain), overview.
    client
        .goto(&format!("{base}/facilities?advanced=yes"))
        .await
        .expect("goto");
    wait_for_text(&client, "facilities · 744.23 classification").await;
    screenshot(&client, "09-facilities").await;
    let first = client
        .find(Locator::Css("#facilities tbody a"))
        .await
        .expect("a facility link");
    first.click().await.expect("open facility");
    wait_for_text(&client, "Ownership chain").await;
    screenshot(&client, "10-facility").await;
    client.goto(&format!("{base}/lists")).await.expect("goto");
    wait_for_text(&client, "DEMO").await;
    screenshot(&client, "11-lists").await;
    client.goto(&format!("{base}/alerts")).await.expect("goto");
    wait_for_text(&client, "Raised by change monitoring").await;
    screenshot(&client, "12-alerts").await;
    client.goto(&format!("{base}/report")).await.expect("goto");
    wait_for_text(&client, "What changed for my customers and my orders").await;
    screenshot(&client, "13-report").await;
    client
        .goto(&format!("{base}/api-docs"))
        .await
        .expect("goto");
    text_of(&client, "#swagger .info").await;
    wait_for_text(&client, "/v1/screen").await;
    screenshot(&client, "14-api-docs").await;
    client
        .goto(&format!("{base}/cases?status=all"))
        .await
        .expect("goto");
    wait_for_text(&client, "Cases opened and closed per day").await;
    screenshot(&client, "15-cases").await;
    client.goto(&format!("{base}/audit")).await.expect("goto");
    click(&client, "#verify-button").await;
    let verdict = text_of(&client, "#verdict").await;
    assert!(verdict.contains("intact"), "{verdict}");
    let page = wait_for_text(&client, "ui_sign_in").await;
    assert!(
        page.contains("determination"),
        "determinations are audited: {page}"
    );
    screenshot(&client, "16-audit").await;
    client.goto(&base).await.expect("goto");
    wait_for_text(&client, "cases to review").await;
    screenshot(&client, "17-overview").await;

    client.close().await.expect("close the browser");
}
