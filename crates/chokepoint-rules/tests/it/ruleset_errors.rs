//! A bad rule set reports every problem at once, and the shipped one reports none.

use chokepoint_rules::{RuleSet, shipped_ruleset};

#[test]
fn shipped_ruleset_is_clean_and_non_trivial() {
    let (rules, diags) = shipped_ruleset();
    assert!(diags.is_empty(), "{diags:#?}");
    assert!(rules.rules.len() >= 40, "{} rules", rules.rules.len());
    assert!(rules.groups.iter().any(|g| g.id == "D:5"));
    assert!(
        !rules.group("D:5").is_some_and(|g| g.members.contains("MO")),
        "Macau is not in D:5"
    );
}

#[test]
fn bad_ruleset_reports_every_problem() {
    let text = include_str!("../../test_data/bad/bad_ruleset.toml");
    let (_rules, diags) = RuleSet::parse(&[("bad_ruleset.toml", text)]);
    let messages: Vec<String> = diags.iter().map(ToString::to_string).collect();
    let all = messages.join("\n");
    let expect = [
        "covers_until",    // 2019-13-01 is not a date
        "`ZZ` is neither", // unknown country in a group
        "undefined country group `D:9`",
        "duplicate rule id `dup`",
        "unknown fact `item.colour`",
        "undefined set `nope`",
        "unknown confidence `sure`",
        "before it takes effect",
        "unknown field `whn`", // the whole rule fails to deserialize
        "expected `,` or `]`", // condition syntax
        "cannot be stated by a text hint",
        "unknown table `mystery`",
        "`not-an-eccn` is not an ECCN pattern",
    ];
    let missing: Vec<&str> = expect
        .iter()
        .copied()
        .filter(|e| !all.contains(e))
        .collect();
    assert!(
        missing.is_empty(),
        "missing diagnostics {missing:?} in:\n{all}"
    );
    // Each problem names the file and, where it has one, the rule.
    assert!(
        diags
            .iter()
            .all(|d| ["bad_ruleset.toml", "(groups)", "(sets)"].contains(&d.file.as_str())),
        "{all}"
    );
    assert!(
        diags
            .iter()
            .any(|d| d.record.as_deref() == Some("bad-fact"))
    );
}

#[test]
fn syntax_error_reports_line() {
    let (_r, diags) = RuleSet::parse(&[("x.toml", "[ruleset]\nid = \"a\"\nversion = \n")]);
    assert_eq!(diags.len(), 2, "{diags:#?}"); // the TOML error, and the missing [ruleset]
    assert_eq!(diags[0].line, Some(3));
}
