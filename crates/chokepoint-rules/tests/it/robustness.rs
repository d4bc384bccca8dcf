//! Parsers never panic on arbitrary input: they return values and problems instead.

use crate::common::rules;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn entity_list_terms_never_panic(req in "\\PC{0,120}", pol in "\\PC{0,160}") {
        let terms = chokepoint_rules::parse_entity_list_terms(&req, &pol);
        let _ = terms.shape();
    }

    #[test]
    fn entity_list_terms_never_panic_on_near_real_text(
        req in "(For all items subject to the EAR|See §§|734\\.9\\(e\\)|744\\.11|[0-9 ,.()§’]){0,20}",
        pol in "(Presumption of denial|case-by-case|for items|ECCN 3B001\\.a\\.4, \\.c|; |\\. |apart from |[a-z ]){0,20}",
    ) {
        let _ = chokepoint_rules::parse_entity_list_terms(&req, &pol);
    }

    #[test]
    fn conditions_never_panic(text in "\\PC{0,80}") {
        let _ = chokepoint_rules::cond::parse(&text);
    }

    #[test]
    fn eccns_never_panic(text in "\\PC{0,20}") {
        let _ = chokepoint_rules::eccn::Eccn::parse(&text);
        let _ = chokepoint_rules::eccn::is_valid_pattern(&text);
    }

    #[test]
    fn records_never_panic(text in "\\PC{0,200}") {
        let _ = chokepoint_rules::parse_records(rules(), "fuzz", &text);
    }
}
