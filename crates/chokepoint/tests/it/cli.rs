//! `screen`, `match` and `lists import|status` as the README documents them.

use crate::{chokepoint, shared_data, stderr, stdout};
use serde_json::Value;

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

#[test]
fn screen_without_lists_says_how_to_load_them() {
    let dir = temp();
    let out = chokepoint(dir.path(), &["screen", "Huawei"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no list is loaded"), "{err}");
    assert!(err.contains("chokepoint lists update"), "{err}");
    assert!(err.contains("chokepoint lists import"), "{err}");
}

#[test]
fn screen_one_name_as_json_has_the_documented_fields() {
    let dir = temp();
    let out = chokepoint(
        dir.path(),
        &[
            "screen",
            "Example Foundry Company",
            "--lists",
            "lists/demo.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a match exits 1: {}",
        stderr(&out)
    );
    let answer: Value = serde_json::from_str(&stdout(&out)).expect("JSON output");
    assert_eq!(answer["query"], "Example Foundry Company");
    let hit = &answer["hits"][0];
    for field in [
        "source_id",
        "list",
        "name",
        "matched_name",
        "score",
        "match",
        "explanation",
        "license_requirement",
    ] {
        assert!(!hit[field].is_null(), "hit lacks `{field}`: {hit}");
    }
    assert_eq!(hit["source_id"], "DEMO-1");
    assert_eq!(hit["list"], "DEMO");
    assert_eq!(hit["matched_name"], "Example Foundry");
    assert_eq!(hit["match"], true);
    let score = hit["score"].as_f64().expect("numeric score");
    assert!((0.0..=1.0).contains(&score));
}

#[test]
fn screen_finds_chinese_names_in_any_form() {
    let dir = temp();
    for query in ["样例存储科技", "樣例存儲科技", "Yangli Cunchu Keji"] {
        let out = chokepoint(
            dir.path(),
            &[
                "screen",
                query,
                "--lists",
                "lists/demo.yaml",
                "--format",
                "json",
            ],
        );
        let answer: Value = serde_json::from_str(&stdout(&out)).expect("JSON output");
        assert_eq!(
            answer["hits"][0]["source_id"], "DEMO-2",
            "{query}: {answer}"
        );
        assert_eq!(answer["hits"][0]["match"], true, "{query}: {answer}");
    }
}

#[test]
fn screen_filters_by_country_type_and_date() {
    let dir = temp();
    let run = |args: &[&str]| {
        let mut all = vec![
            "screen",
            "Ivan Petrov",
            "--lists",
            "lists/demo.yaml",
            "--format",
            "json",
        ];
        all.extend_from_slice(args);
        let out = chokepoint(dir.path(), &all);
        let answer: Value = serde_json::from_str(&stdout(&out)).expect("JSON output");
        answer["hits"].as_array().map(Vec::len).unwrap_or(0)
    };
    assert_eq!(run(&[]), 1);
    assert_eq!(run(&["--country", "RU"]), 1);
    assert_eq!(run(&["--country", "China"]), 0);
    assert_eq!(run(&["--type", "entity"]), 0);
    assert_eq!(run(&["--as-of", "2022-12-31"]), 0);
    assert_eq!(run(&["--as-of", "2023-01-10"]), 1);
    assert_eq!(run(&["--list", "SDN"]), 0);
}

#[test]
fn bad_flags_get_clear_errors() {
    let dir = temp();
    let out = chokepoint(
        dir.path(),
        &[
            "screen",
            "x",
            "--lists",
            "lists/demo.yaml",
            "--country",
            "Atlantis",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`Atlantis` is not a country"),
        "{}",
        stderr(&out)
    );
    let out = chokepoint(dir.path(), &["screen", "x", "--lists", "no/such/file.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no/such/file.csv"),
        "{}",
        stderr(&out)
    );
    let out = chokepoint(dir.path(), &["screen", "x", "--lists", "README.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a recognised list format"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn batch_screening_answers_every_row_in_order() {
    let dir = temp();
    let input = dir.path().join("customers.csv");
    std::fs::write(
        &input,
        "id,name,country,extra\n\
         c1,Sample Memory Technologies,CN,x\n\
         c2,Totally Unrelated Bakery,,y\n\
         c3,,CN,z\n\
         c4,\"PETROV, Ivan\",Russia,w\n",
    )
    .expect("write input");
    let output = dir.path().join("out.jsonl");
    let out = chokepoint(
        dir.path(),
        &[
            "screen",
            "--input",
            input.to_str().unwrap_or_default(),
            "--output",
            output.to_str().unwrap_or_default(),
            "--lists",
            "lists/demo.yaml",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("customers.csv:4 field `name`"),
        "the empty name is reported with its line: {}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(&output).expect("output written");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let ids: Vec<&str> = lines.iter().filter_map(|l| l["id"].as_str()).collect();
    assert_eq!(ids, ["c1", "c2", "c4"]);
    assert_eq!(lines[0]["query"], "Sample Memory Technologies");
    assert_eq!(lines[0]["hits"][0]["source_id"], "DEMO-2");
    assert_eq!(lines[0]["hits"][0]["match"], true);
    assert!(
        lines[1]["hits"]
            .as_array()
            .is_some_and(|h| h.iter().all(|h| h["match"] == false))
    );
    assert_eq!(lines[2]["hits"][0]["source_id"], "DEMO-3");

    let out = chokepoint(
        dir.path(),
        &[
            "screen",
            "--input",
            input.to_str().unwrap_or_default(),
            "--format",
            "csv",
            "--lists",
            "lists/demo.yaml",
        ],
    );
    let csv = stdout(&out);
    assert!(
        csv.starts_with("id,query,rank,source_id,list,name,matched_name,score,match"),
        "{csv}"
    );
    assert!(
        csv.contains("c1,Sample Memory Technologies,1,DEMO-2,DEMO"),
        "{csv}"
    );
}

#[test]
fn batch_without_a_name_column_is_refused() {
    let dir = temp();
    let input = dir.path().join("bad.csv");
    std::fs::write(&input, "id,customer\n1,ACME\n").expect("write input");
    let out = chokepoint(
        dir.path(),
        &[
            "screen",
            "--input",
            input.to_str().unwrap_or_default(),
            "--lists",
            "lists/demo.yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`name` column"), "{}", stderr(&out));
}

#[test]
fn match_scores_and_explains_pairs() {
    let dir = temp();
    let out = chokepoint(
        dir.path(),
        &[
            "match",
            "GUANGZHOU HAIGE COMM GRP",
            "Guangzhou Haige Communication Group Co., Ltd.",
            "--format",
            "json",
        ],
    );
    let answer: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(answer["match"], true);
    assert!(
        answer["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("haige"))
    );

    let out = chokepoint(dir.path(), &["match", "emma daniels", "EMMA LLC"]);
    assert!(stdout(&out).contains("no match"), "{}", stdout(&out));

    let pairs = dir.path().join("pairs.tsv");
    std::fs::write(&pairs, "note\tquery\tcandidate\na\tSMIC\tSemiconductor Manufacturing International Corporation\nb\t11420 CORP.\tACME CORP\n")
        .expect("write pairs");
    let out = chokepoint(
        dir.path(),
        &[
            "match",
            "--pairs",
            pairs.to_str().unwrap_or_default(),
            "--format",
            "jsonl",
        ],
    );
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["query"], "SMIC");
    assert_eq!(lines[0]["match"], true);
    assert_eq!(lines[1]["match"], false);
    for line in &lines {
        let keys: Vec<&String> = line
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["candidate", "match", "query", "score"]);
    }
}

#[test]
fn lists_import_status_and_screen_from_the_data_dir() {
    let dir = temp();
    let out = chokepoint(dir.path(), &["lists", "status"]);
    assert!(
        stdout(&out).contains("no list is imported"),
        "{}",
        stdout(&out)
    );

    let out = chokepoint(dir.path(), &["lists", "import", "lists/demo.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("imported demo.yaml"),
        "{}",
        stdout(&out)
    );
    let again = chokepoint(dir.path(), &["lists", "import", "lists/demo.yaml"]);
    assert!(
        stdout(&again).contains("unchanged demo.yaml"),
        "{}",
        stdout(&again)
    );

    let status = chokepoint(dir.path(), &["lists", "status"]);
    let text = stdout(&status);
    assert!(
        text.contains("demo.yaml") && text.contains("user_yaml") && text.contains("DEMO 3"),
        "{text}"
    );

    let out = chokepoint(dir.path(), &["screen", "Sample Memory", "--format", "json"]);
    let answer: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(answer["hits"][0]["source_id"], "DEMO-2");
}

#[test]
fn import_refuses_a_file_that_is_no_list_and_changes_nothing() {
    let dir = temp();
    let out = chokepoint(dir.path(), &["lists", "import", "README.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a recognised list format"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("lists/manifest.json").exists());
}

#[test]
fn real_list_headline_queries() {
    let Some(data) = shared_data("real_list_headline_queries") else {
        return;
    };
    let csl = data.join("us-csl/consolidated_2026-07-31.csv");
    let csl = csl.to_str().unwrap_or_default();
    let dir = temp();
    let cases = [
        (
            "SMIC Beijing",
            "Semiconductor Manufacturing International (Beijing) Corporation",
        ),
        (
            "中芯国际",
            "Semiconductor Manufacturing International Corporation",
        ),
        (
            "Zhongxin Guoji",
            "Semiconductor Manufacturing International Corporation",
        ),
        (
            "Semiconductor Mfg Intl Corp.",
            "Semiconductor Manufacturing International Corporation",
        ),
        (
            "Beijing Naura Microelectronics Equipment Co Ltd",
            "Beijing Naura Microelectronics Equipment Co., Ltd.",
        ),
        (
            "GUANGZHOU HAIGE COMM GRP",
            "Guangzhou Haige Communication Group Co., Ltd.",
        ),
        (
            "SMIC",
            "Semiconductor Manufacturing International Corporation",
        ),
        ("華為", "Huawei Technologies Co., Ltd."),
    ];
    // One batch run: the full list is loaded once.
    let input = dir.path().join("headline.csv");
    let mut csv = String::from("id,name\n");
    for (i, (query, _)) in cases.iter().enumerate() {
        csv.push_str(&format!("{i},\"{query}\"\n"));
    }
    std::fs::write(&input, csv).expect("write input");
    let out = chokepoint(
        dir.path(),
        &[
            "screen",
            "--input",
            input.to_str().unwrap_or_default(),
            "--lists",
            csl,
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let answers: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(answers.len(), cases.len());
    for ((query, expected), answer) in cases.iter().zip(&answers) {
        let hits = answer["hits"].as_array().cloned().unwrap_or_default();
        assert!(
            hits.iter().take(3).any(|h| h["match"] == true
                && h["name"].as_str().is_some_and(|n| n.starts_with(expected))),
            "{query}: expected a match on {expected}, got {answer}"
        );
    }
    let out = chokepoint(
        dir.path(),
        &["screen", "emma daniels", "--lists", csl, "--format", "json"],
    );
    let answer: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert!(
        answer["hits"]
            .as_array()
            .is_some_and(|h| h.iter().all(|h| h["match"] == false)),
        "{answer}"
    );
}
