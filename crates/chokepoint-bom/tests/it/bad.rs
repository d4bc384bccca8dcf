//! The bad-input corpus: every file of `test_data/bad/` yields the problems listed for it in
//! `expected.json` (each naming its row and part), all at once, and no answer.

use crate::{read_bom, rules, test_data};
use chokepoint_bom::{Query, evaluate};

#[test]
fn every_problem_names_its_row() {
    let text = std::fs::read_to_string(test_data().join("bad/expected.json")).unwrap();
    let expected: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(&text).unwrap();
    let mut files: Vec<String> = std::fs::read_dir(test_data().join("bad"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f != "expected.json")
        .collect();
    files.sort();
    assert_eq!(
        files,
        expected.keys().cloned().collect::<Vec<_>>(),
        "every bad file has expectations"
    );
    let query = Query {
        destination: "CN".into(),
        as_of: "2026-07-01".parse().unwrap(),
        end_user: None,
    };
    let mut failures = Vec::new();
    for (file, wants) in &expected {
        let (bom, mut problems) = read_bom(&format!("bad/{file}"));
        match evaluate(rules(), &bom, &query) {
            Ok(_) if problems.is_empty() => {
                failures.push(format!("{file}: answered, expected problems"));
                continue;
            }
            Ok(_) => {}
            Err(mut more) => problems.append(&mut more),
        }
        let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
        for want in wants {
            if !texts.iter().any(|t| t.contains(want.as_str())) {
                failures.push(format!(
                    "{file}: no problem like `{want}` in:\n  {}",
                    texts.join("\n  ")
                ));
            }
        }
        for t in &texts {
            let names_row =
                t.starts_with("line ") || t.starts_with("lines[") || t.starts_with("BOM");
            if !names_row {
                failures.push(format!("{file}: `{t}` does not name its row"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_destination_and_date() {
    let (bom, _) = read_bom("cases/above_25.csv");
    let query = Query {
        destination: "XX".into(),
        as_of: "1990-01-01".parse().unwrap(),
        end_user: None,
    };
    let problems = evaluate(rules(), &bom, &query).unwrap_err();
    let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        texts.iter().any(|t| t.contains("destination: `XX`")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.contains("as_of")), "{texts:?}");
}
