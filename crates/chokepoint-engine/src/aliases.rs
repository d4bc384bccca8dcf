//! The native-name crosswalk: Chinese (or other native-script) names of listed parties, added to
//! the official entries whose name they match. See `lists/native-names.yaml`.

use crate::EngineError;
use chokepoint_model::{ListEntry, NameKind};
use chokepoint_names::normalize;
use serde::Deserialize;
use std::collections::HashMap;

/// The crosswalk shipped with chokepoint.
pub const SHIPPED_CROSSWALK: &str = include_str!("../../../lists/native-names.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Crosswalk {
    version: u32,
    aliases: Vec<CrosswalkEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CrosswalkEntry {
    matches: Vec<String>,
    native: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    verified: bool,
}

/// Adds the crosswalk's native names to every entry with a name it matches. Returns how many
/// entries gained names.
pub fn apply_crosswalk(
    label: &str,
    text: &str,
    entries: &mut [ListEntry],
) -> Result<usize, EngineError> {
    let crosswalk: Crosswalk = serde_yaml::from_str(text).map_err(|e| EngineError::BadInput {
        label: label.to_string(),
        reason: format!("not a native-name crosswalk: {e}"),
    })?;
    if crosswalk.version != 1 {
        return Err(EngineError::BadInput {
            label: label.to_string(),
            reason: format!(
                "crosswalk version {} is not supported (expected 1)",
                crosswalk.version
            ),
        });
    }
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (i, alias) in crosswalk.aliases.iter().enumerate() {
        for name in &alias.matches {
            by_key.insert(key(name), i);
        }
    }
    let mut touched = 0;
    for entry in entries.iter_mut() {
        let hit = entry
            .names
            .iter()
            .find_map(|n| by_key.get(&key(&n.text)).copied());
        if let Some(i) = hit {
            for native in &crosswalk.aliases[i].native {
                entry.push_name(native, NameKind::Native);
            }
            touched += 1;
        }
    }
    Ok(touched)
}

fn key(name: &str) -> String {
    let n = normalize(name);
    n.tokens
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_model::ListCode;

    #[test]
    fn shipped_crosswalk_adds_native_names() {
        let mut entries = vec![
            ListEntry::new(
                ListCode::new("EL"),
                "1",
                "Semiconductor Manufacturing International Corporation (SMIC)",
            ),
            ListEntry::new(ListCode::new("EL"), "2", "Unrelated Co"),
        ];
        let touched = apply_crosswalk("native-names.yaml", SHIPPED_CROSSWALK, &mut entries)
            .expect("shipped crosswalk parses");
        assert_eq!(touched, 1);
        assert!(
            entries[0]
                .names
                .iter()
                .any(|n| n.text == "中芯国际" && n.kind == NameKind::Native)
        );
        assert_eq!(entries[1].names.len(), 1);
    }

    #[test]
    fn a_bad_crosswalk_says_what_is_wrong() {
        let err = apply_crosswalk(
            "x.yaml",
            "version: 1\naliases:\n  - matches: [A]\n    nativ: [B]\n",
            &mut [],
        )
        .expect_err("unknown key must be refused");
        assert!(err.to_string().contains("x.yaml"), "{err}");
    }
}
