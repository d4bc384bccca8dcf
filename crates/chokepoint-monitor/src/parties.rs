//! The customer master: a CSV of the parties to watch (format in `FORMAT.md` of this crate).
//!
//! Every row is either kept or reported with its line, the field and how to fix it; a row with
//! a problem that does not stop screening (an unknown country) is kept and reported as a
//! warning. Nothing is dropped silently.

use chokepoint_model::{Diagnostic, PartyKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A customer (or supplier, consignee...) to re-screen whenever the lists change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchedParty {
    /// The customer's id in the user's own system; unique.
    pub id: String,
    /// The name to screen.
    pub name: String,
    /// ISO-2 country, when given and recognised: screening keeps entries tied to it or to none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Entity, individual, vessel or aircraft, when given.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<PartyKind>,
    /// Every other column, by header (address, account manager...), kept for the report.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}

/// Reads a customer master CSV: a header naming `id` and `name` columns (any case, any order),
/// optional `country` (ISO-2 code or name) and `type`; other columns are kept in `extra`.
///
/// Returns the parties and every problem; a bad row never stops the others. A whole-file
/// problem (no header, no `id` or `name` column) is the only `Err`.
pub fn read_parties_csv(
    label: &str,
    bytes: &[u8],
) -> Result<(Vec<WatchedParty>, Vec<Diagnostic>), Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| {
            Diagnostic::error(
                label,
                format!("cannot read the header row: {e}; the first line must name the columns, e.g. `id,name,country,type`"),
            )
            .at_line(1)
        })?
        .clone();
    let names: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    let find = |name: &str| names.iter().position(|h| h == name);
    let (Some(id_col), Some(name_col)) = (find("id"), find("name")) else {
        return Err(Diagnostic::error(
            label,
            format!(
                "the header must name an `id` and a `name` column (found: {}); add them, e.g. `id,name,country,type`",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        )
        .at_line(1));
    };
    let country_col = find("country");
    let type_col = find("type");
    let mut parties = Vec::new();
    let mut problems = Vec::new();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let fallback_line = i as u64 + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(fallback_line, |p| p.line());
                problems.push(
                    Diagnostic::error(
                        label,
                        format!("unreadable row ({e}); check its quotes and separators; the row is skipped"),
                    )
                    .at_line(line),
                );
                continue;
            }
        };
        let line = record.position().map_or(fallback_line, |p| p.line());
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let get = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let Some(id) = get(Some(id_col)) else {
            problems.push(
                Diagnostic::error(
                    label,
                    "the id is empty; give every customer a unique id; the row is skipped",
                )
                .at_line(line)
                .in_field("id"),
            );
            continue;
        };
        let Some(name) = get(Some(name_col)) else {
            problems.push(
                Diagnostic::error(
                    label,
                    "the name is empty; give the name to screen; the row is skipped",
                )
                .at_line(line)
                .in_record(id)
                .in_field("name"),
            );
            continue;
        };
        if let Some(first) = first_line_of.get(id) {
            problems.push(
                Diagnostic::error(
                    label,
                    format!("the id `{id}` is already used on line {first}; ids must be unique; the row is skipped"),
                )
                .at_line(line)
                .in_record(id)
                .in_field("id"),
            );
            continue;
        }
        first_line_of.insert(id.to_string(), line);
        let country = match get(country_col) {
            Some(c) => match chokepoint_model::country::code_for_name(c) {
                Some(code) => Some(code.to_string()),
                None => {
                    problems.push(
                        Diagnostic::warning(
                            label,
                            format!("`{c}` is not a country chokepoint knows; use an ISO-2 code such as `CN`; the customer is screened without a country filter"),
                        )
                        .at_line(line)
                        .in_record(id)
                        .in_field("country"),
                    );
                    None
                }
            },
            None => None,
        };
        let kind = match get(type_col) {
            Some(t) => match PartyKind::parse(t) {
                Some(PartyKind::Unknown) => None,
                Some(kind) => Some(kind),
                None => {
                    problems.push(
                        Diagnostic::warning(
                            label,
                            format!("type `{t}` is not one of entity, individual, vessel, aircraft; the customer is screened without a type"),
                        )
                        .at_line(line)
                        .in_record(id)
                        .in_field("type"),
                    );
                    None
                }
            },
            None => None,
        };
        let extra = names
            .iter()
            .enumerate()
            .filter(|(c, _)| *c != id_col && *c != name_col)
            .filter(|(c, _)| Some(*c) != country_col && Some(*c) != type_col)
            .filter_map(|(c, header)| {
                let value = record.get(c)?.trim();
                (!value.is_empty() && !header.is_empty())
                    .then(|| (header.clone(), value.to_string()))
            })
            .collect();
        parties.push(WatchedParty {
            id: id.to_string(),
            name: name.to_string(),
            country,
            kind,
            extra,
        });
    }
    Ok((parties, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_rows_are_kept_and_every_bad_row_is_reported_with_its_line() {
        let csv = "\u{feff}ID,Name,Country,Type,Account\n\
                   C1,Alpha Trading Co,CN,entity,Jane\n\
                   C2,,DE,,\n\
                   ,Nameless id,,,\n\
                   C1,Again,,,\n\
                   C3,Gamma GmbH,Atlantis,robot,\n\
                   \n\
                   C4,\"Delta, Inc.\",Germany,,Bob\n";
        let (parties, problems) =
            read_parties_csv("customers.csv", csv.as_bytes()).unwrap_or_default();
        let ids: Vec<&str> = parties.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["C1", "C3", "C4"]);
        assert_eq!(parties[0].country.as_deref(), Some("CN"));
        assert_eq!(parties[0].kind, Some(PartyKind::Entity));
        assert_eq!(
            parties[0].extra.get("account").map(String::as_str),
            Some("Jane")
        );
        assert_eq!(parties[2].country.as_deref(), Some("DE"));
        assert_eq!(parties[1].country, None);
        let reported: Vec<(Option<u64>, Option<&str>)> = problems
            .iter()
            .map(|p| (p.line, p.field.as_deref()))
            .collect();
        assert_eq!(
            reported,
            [
                (Some(3), Some("name")),
                (Some(4), Some("id")),
                (Some(5), Some("id")),
                (Some(6), Some("country")),
                (Some(6), Some("type")),
            ]
        );
        assert!(
            problems[2].message.contains("line 2"),
            "{}",
            problems[2].message
        );
    }

    #[test]
    fn a_header_without_id_or_name_is_refused_with_how_to_fix() {
        let Err(problem) = read_parties_csv("c.csv", b"customer,country\nA,CN\n") else {
            panic!("accepted a header without `id`");
        };
        assert!(
            problem.message.contains("`id` and a `name`"),
            "{}",
            problem.message
        );
    }
}
