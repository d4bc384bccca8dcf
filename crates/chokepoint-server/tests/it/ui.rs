//! The web UI through `app(state)`: signing in turns a key into a session cookie; pages need
//! the session; forms posted from another origin are refused; what users type is escaped; each
//! page renders. (The same flows run in a real browser in the binary's `ui` test.)

use crate::Harness;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;

/// Sends a request and returns the status, headers and body text.
async fn send(h: &Harness, request: Request<Body>) -> (StatusCode, header::HeaderMap, String) {
    let response = chokepoint_server::app(h.state.clone())
        .oneshot(request)
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn form(path: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8080");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.to_string())).expect("request")
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// Signs in with `key` and returns the session cookie (`name=value`).
async fn sign_in(h: &Harness, key: &str) -> String {
    let (status, headers, body) = send(
        h,
        form(
            "/login",
            None,
            &format!("key={}&next=%2Fcases", urlencode(key)),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers[header::LOCATION], "/cases");
    let cookie = headers[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains(key),
        "the key itself never goes to the browser"
    );
    cookie.split(';').next().expect("name=value").to_string()
}

#[tokio::test]
async fn pages_need_a_session_and_a_bad_key_is_refused() {
    let h = Harness::new(true).await;
    let (status, headers, _) = send(
        &h,
        Request::get("/cases?status=open")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        "/login?next=/cases%3Fstatus%3Dopen"
    );

    let (status, _, body) = send(&h, form("/login", None, "key=ck_nope")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("not valid"), "{body}");

    let (status, _, _) = send(&h, get("/cases", "chokepoint_session=forged")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_page_renders_for_a_signed_in_analyst() {
    let h = Harness::new(true).await;
    let cookie = sign_in(&h, &h.analyst).await;
    for (path, needle) in [
        ("/", "cases to review"),
        ("/screen", "Screen a name"),
        ("/batch", "Batch screening"),
        ("/cases", "Cases"),
        ("/cases?status=all", "Hits by list"),
        ("/goodguys", "Good-guy list"),
        ("/determine", "License determination"),
        ("/facilities", "Facilities by node"),
        (
            "/facilities?advanced=yes&product=logic",
            "744.23 classification",
        ),
        ("/lists", "DEMO"),
        ("/audit", "ui_sign_in"),
        ("/api-docs", "swagger-ui-bundle.js"),
        ("/api-docs/openapi.json", "/v1/screen"),
    ] {
        let (status, _, body) = send(&h, get(path, &cookie)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(body.contains(needle), "{path} shows `{needle}`");
        assert!(
            path.ends_with(".json") || body.contains("<!doctype html>"),
            "{path} is a page"
        );
    }
    let (status, _, body) = send(&h, get("/facilities/no-such-fab", &cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _, _) = send(&h, get("/assets/htmx.min.js", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn screening_in_the_ui_is_escaped_audited_and_opens_a_case() {
    let h = Harness::new(true).await;
    let cookie = sign_in(&h, &h.analyst).await;
    let (status, _, body) = send(
        &h,
        form(
            "/screen",
            Some(&cookie),
            "name=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body.contains("<script>alert(1)"), "user input is escaped");
    assert!(body.contains("&#60;script&#62;"), "{body}");

    let (status, _, body) = send(&h, form("/screen", Some(&cookie), "name=Example+Foundry")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("DEMO-1"), "{body}");
    assert!(body.contains("<mark>"), "matched words are highlighted");
    assert!(body.contains("case-link"), "a case is opened for the match");

    let (status, _, body) = send(
        &h,
        form("/screen", Some(&cookie), "name=x&as_of=2024-13-40"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("YYYY-MM-DD"), "{body}");
}

#[tokio::test]
async fn forms_from_another_origin_are_refused_and_viewers_cannot_decide() {
    let h = Harness::new(true).await;
    let cookie = sign_in(&h, &h.analyst).await;
    let request = Request::post("/screen")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, &cookie)
        .body(Body::from("name=Example+Foundry"))
        .expect("request");
    let (status, _, _) = send(&h, request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let viewer = sign_in(&h, &h.viewer).await;
    let (status, _, body) = send(&h, form("/screen", Some(&viewer), "name=Example+Foundry")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("analyst"), "{body}");
}

#[tokio::test]
async fn a_determination_from_the_form_shows_the_memo() {
    let h = Harness::new(true).await;
    let cookie = sign_in(&h, &h.analyst).await;
    let fields = "as_of=2025-06-01&eccn=3B001.a.1&origin_country=US&us_content_percent=100\
                  &exporter_country=US&us_person=yes&destination_country=CN&activity=export\
                  &party_role=end_user";
    let (status, _, body) = send(&h, form("/determine", Some(&cookie), fields)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains(r#"id="license-required" class="lr-yes">yes"#),
        "{body}"
    );
    assert!(
        body.contains("EXPORT LICENSE DETERMINATION"),
        "the text memo is included"
    );

    let (status, _, body) = send(
        &h,
        form(
            "/determine",
            Some(&cookie),
            "as_of=2025-06-01&record=id%3A+x%0Aas_of%3A+nope",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("could not be answered"), "{body}");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let h = Harness::new(true).await;
    let cookie = sign_in(&h, &h.analyst).await;
    let (status, _, _) = send(&h, form("/logout", Some(&cookie), "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, headers, _) = send(&h, get("/cases", &cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        headers[header::LOCATION]
            .to_str()
            .is_ok_and(|l| l.starts_with("/login"))
    );
}

#[tokio::test]
async fn the_lists_page_shows_what_changed_between_revisions() {
    let h = Harness::new(true).await;
    let demo = std::fs::read_to_string(crate::demo_list()).expect("demo list");
    let changed = demo
        .replace("DEMO: Case-by-case review.", "DEMO: Presumption of denial.")
        .replace(
            "entries:\n",
            "entries:\n  - id: DEMO-9\n    name: Newly Listed Optics Co., Ltd.\n    kind: entity\n    countries: [CN]\n",
        );
    assert_ne!(demo, changed, "the fixture changes the list");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.yaml");
    std::fs::write(&path, changed).expect("write list");
    h.data_dir
        .import_paths(&[path], "2026-02-01T00:00:00Z")
        .expect("import the new version");
    let cookie = sign_in(&h, &h.viewer).await;
    let (status, _, body) = send(&h, get("/lists", &cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("From revision 1 to 2: 1 added, 0 removed, 1 changed."),
        "{body}"
    );
    assert!(body.contains("Newly Listed Optics Co., Ltd."), "{body}");
    assert!(
        body.contains("license_policy"),
        "the changed field is named: {body}"
    );
    let (status, _, body) = send(&h, get("/lists?from=0&to=1", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("3 added, 0 removed, 0 changed"), "{body}");
    let (_, _, body) = send(&h, get("/lists?from=1&to=7", &cookie)).await;
    assert!(body.contains("no such revision"), "{body}");
}

#[tokio::test]
async fn alerts_are_shown_acknowledged_and_reported() {
    let h = Harness::new(true).await;
    let csv =
        "id,name,country\nP1,Example Advanced Logic Foundry Co Ltd,CN\nP2,Nobody In Particular,\n";
    let (status, body) = h
        .post_raw(
            "/v1/watch/parties",
            &h.admin,
            "text/csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, run) = h
        .post_raw("/v1/watch/run", &h.admin, "application/json", Vec::new())
        .await;
    assert_eq!(status, StatusCode::OK, "{run}");
    let id = run["alerts"][0]["id"]
        .as_str()
        .expect("an alert")
        .to_string();

    let cookie = sign_in(&h, &h.analyst).await;
    let (status, _, body) = send(&h, get("/alerts", &cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(&format!("alert-{id}")), "{body}");
    assert!(body.contains("Acknowledge"), "{body}");
    let (status, _, _) = send(
        &h,
        form(
            &format!("/alerts/{id}/ack"),
            Some(&cookie),
            "note=order+on+hold",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, body) = send(&h, get("/alerts", &cookie)).await;
    assert!(
        body.contains("No alert here."),
        "the open queue is empty: {body}"
    );
    let (_, _, body) = send(&h, get("/alerts?status=acknowledged", &cookie)).await;
    assert!(body.contains("order on hold"), "{body}");

    let today = chrono::Utc::now().date_naive();
    let (status, _, body) = send(
        &h,
        get(
            &format!(
                "/report?from={}&to={today}",
                today.pred_opt().expect("date")
            ),
            &cookie,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("customers affected"), "{body}");
    assert!(body.contains("Example Advanced Logic Foundry"), "{body}");
    let (status, _, body) = send(&h, get("/report?from=yesterday", &cookie)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn a_japanese_exporter_sees_the_japanese_answer_beside_the_us_one() {
    let h = Harness::new(true).await;
    let cookie = sign_in(&h, &h.analyst).await;
    let fields = "as_of=2024-06-03&eccn=3B002.c&origin_country=JP&us_content_percent=0&fdp=no\
                  &class_jp=6%2817%29%E3%81%B5&exporter_country=JP&us_person=no\
                  &destination_country=CN&activity=export&party_role=end_user";
    let (status, _, body) = send(&h, form("/determine", Some(&cookie), fields)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(r#"id="jurisdiction-JP""#), "{body}");
    assert!(body.contains("JP: license required — yes"), "{body}");
    assert!(
        body.contains("individual licence"),
        "licensing notes are shown: {body}"
    );
}
