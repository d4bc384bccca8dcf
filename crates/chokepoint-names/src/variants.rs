//! Other names hidden inside one listed name: "Semiconductor Manufacturing International
//! Corporation (SMIC)" is also "SMIC" and the name without its parenthesis; "Huawei Technologies
//! Co., Ltd. (Huawei). Affiliated Entity: Huawei Marine Networks Co., Ltd." is also the
//! affiliate's own name.

/// The extra forms of `name` worth matching on their own, without `name` itself. Empty for a
/// plain name.
pub fn name_variants(name: &str) -> Vec<String> {
    let mut variants: Vec<String> = Vec::new();
    let mut push = |v: &str| {
        let v = v
            .trim()
            .trim_matches(|c: char| c == ',' || c == '.' || c == ';')
            .trim();
        if !v.is_empty() && v != name.trim() && !variants.iter().any(|x| x == v) {
            variants.push(v.to_string());
        }
    };
    let (owner, affiliate) = match name.find("Affiliated Entity:") {
        Some(i) => (&name[..i], Some(&name[i + "Affiliated Entity:".len()..])),
        None => (name, None),
    };
    if let Some(affiliate) = affiliate {
        push(affiliate);
        push(owner);
    }
    for part in [owner].into_iter().chain(affiliate) {
        let mut outside = String::with_capacity(part.len());
        let mut depth = 0usize;
        let mut inside = String::new();
        for c in part.chars() {
            match c {
                '(' => {
                    depth += 1;
                    inside.clear();
                }
                ')' if depth > 0 => {
                    depth -= 1;
                    // "(SMIC)" or "(Huawei)" is another name of the party; "(Beijing)" is part
                    // of this one's name and stays.
                    if is_alias_in_parentheses(&inside, part) {
                        push(&inside);
                        outside.push(' ');
                    } else {
                        outside.push('(');
                        outside.push_str(&inside);
                        outside.push(')');
                    }
                }
                _ if depth > 0 => inside.push(c),
                _ => outside.push(c),
            }
        }
        if outside.trim().len() < part.trim().len() {
            let collapsed: Vec<&str> = outside.split_whitespace().collect();
            push(&collapsed.join(" ").replace(" ,", ","));
        }
    }
    variants
}

/// Whether a parenthesised text is another name of the party rather than part of its name:
/// an acronym (`SMIC`, `CETC 38`) or a word the name already holds (`Huawei`).
fn is_alias_in_parentheses(inside: &str, whole: &str) -> bool {
    let inside = inside.trim();
    let words: Vec<&str> = inside.split_whitespace().collect();
    if words.is_empty() || words.len() > 3 {
        return false;
    }
    let acronym = words.iter().any(|w| {
        let letters = w.chars().filter(|c| c.is_alphabetic()).count();
        letters >= 2 && w.chars().all(|c| !c.is_lowercase())
    });
    let outside = whole.replacen(inside, "", 1).to_lowercase();
    let repeated = words.len() == 1 && outside.contains(&inside.to_lowercase());
    acronym || repeated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parenthesised_acronyms_and_affiliates() {
        assert_eq!(
            name_variants("Semiconductor Manufacturing International Corporation (SMIC)"),
            [
                "SMIC",
                "Semiconductor Manufacturing International Corporation"
            ]
        );
        assert_eq!(
            name_variants(
                "Huawei Technologies Co., Ltd. (Huawei). Affiliated Entity: Huawei Marine Networks Co., Ltd."
            ),
            [
                "Huawei Marine Networks Co., Ltd",
                "Huawei Technologies Co., Ltd. (Huawei)",
                "Huawei",
                "Huawei Technologies Co., Ltd."
            ]
        );
        assert!(name_variants("Plain Name Co").is_empty());
        assert!(
            name_variants("Semiconductor Manufacturing International (Beijing) Corporation")
                .is_empty()
        );
        assert_eq!(
            name_variants(
                "China Electronics Technology Group Corporation 38th Research Institute (CETC 38)"
            ),
            [
                "CETC 38",
                "China Electronics Technology Group Corporation 38th Research Institute"
            ]
        );
        assert_eq!(name_variants("Unbalanced (paren"), ["Unbalanced"]);
    }
}
