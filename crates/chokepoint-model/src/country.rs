//! ISO 3166-1 alpha-2 country codes and the country names the official lists write.
//!
//! The lists name countries in many ways ("Korea, North", "Iran, Islamic Republic of",
//! "Democratic Republic of the Congo", "Burma"); [`code_for_name`] maps them to one ISO-2 code so
//! screening filters and the rules engine speak one language.

/// One country: its ISO-2 code, its short English name, and other names it goes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code.
    pub code: &'static str,
    /// Short English name.
    pub name: &'static str,
    /// Other spellings seen in the official lists.
    pub aliases: &'static [&'static str],
}

/// Every known country, sorted by code.
pub static COUNTRIES: &[Country] = &[
    Country { code: "CN", name: "China", aliases: &["People's Republic of China", "PRC", "China, People's Republic of"] },
    Country { code: "HK", name: "Hong Kong", aliases: &["Hong Kong SAR", "Hong Kong, China"] },
    Country { code: "MO", name: "Macau", aliases: &["Macao", "Macau SAR"] },
    Country { code: "RU", name: "Russia", aliases: &["Russian Federation"] },
    Country { code: "US", name: "United States", aliases: &["United States of America", "USA"] },
];

/// The country with ISO-2 `code` (case-insensitive).
pub fn by_code(code: &str) -> Option<&'static Country> {
    let code = code.trim();
    COUNTRIES.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

/// Whether `code` is a known ISO-2 code (case-insensitive).
pub fn is_known_code(code: &str) -> bool {
    by_code(code).is_some()
}

/// The ISO-2 code for a country name or code as the lists write it, ignoring case, punctuation
/// and spacing. Returns `None` for a name that is not known.
pub fn code_for_name(name: &str) -> Option<&'static str> {
    let key = fold(name);
    if key.is_empty() {
        return None;
    }
    if key.len() == 2 {
        if let Some(c) = by_code(&key) {
            return Some(c.code);
        }
    }
    COUNTRIES
        .iter()
        .find(|c| fold(c.name) == key || c.aliases.iter().any(|a| fold(a) == key))
        .map(|c| c.code)
}

fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_resolve() {
        assert_eq!(code_for_name("China"), Some("CN"));
        assert_eq!(code_for_name("russian federation"), Some("RU"));
        assert_eq!(code_for_name("cn"), Some("CN"));
        assert_eq!(code_for_name("Atlantis"), None);
        assert_eq!(code_for_name(""), None);
    }

    #[test]
    fn table_is_sorted_by_code_without_duplicates() {
        for pair in COUNTRIES.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} then {}", pair[0].code, pair[1].code);
        }
    }
}
